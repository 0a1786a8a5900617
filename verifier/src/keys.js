// Resolving a proof's verificationMethod to an Ed25519 key, in the same order and with the same
// reason codes as credstack/registry/keyring.py: did:web (the DID document, fetched), did:key
// (self-describing) and "<url>#<multibase>" (named only by the credential itself).
import { VerificationError, asArray, ed25519FromMultikey, idOf, parseDateTime } from './codec.js';
import { CODES } from './report.js';

const ED25519_METHOD_TYPES = ['Multikey', 'Ed25519VerificationKey2020'];

/**
 * did:web Method Specification §3.2.2 (Read): the DID document URL.
 * did:web:host:path:seg -> https://host/path/seg/did.json; did:web:host -> https://host/.well-known/did.json;
 * a port is percent-encoded in the DID (host%3A8443) and decoded here.
 */
export function didWebUrl(did) {
  const [host, ...path] = did.slice('did:web:'.length).split(':');
  const authority = decodeURIComponent(host);
  if (!/^[a-z0-9.-]+(:\d{1,5})?$/i.test(authority)) throw new VerificationError('unresolvable', `not a did:web host: ${host}`);
  for (const segment of path) {
    if (!/^[A-Za-z0-9._~%!$&'()*+,;=@-]+$/.test(segment) || segment === '.' || segment === '..') {
      throw new VerificationError('unresolvable', `not a did:web path segment: ${segment}`);
    }
  }
  return path.length ? `https://${authority}/${path.join('/')}/did.json` : `https://${authority}/.well-known/did.json`;
}

function didKeyDocument(did) {
  const multikey = did.slice('did:key:'.length);
  if (/[#?/]/.test(multikey)) throw new VerificationError('malformed-key', `${did} has a path, query or fragment`);
  ed25519FromMultikey(multikey); // validates the header and length
  const id = `${did}#${multikey}`;
  return { id: did, verificationMethod: [{ id, type: 'Multikey', controller: did, publicKeyMultibase: multikey }], assertionMethod: [id] };
}

function fromDocument(document, verificationMethod, source) {
  const did = document.id;
  const absolute = (ref) => (typeof ref === 'string' && ref.startsWith('#') ? did + ref : ref);
  const methods = asArray(document.verificationMethod).filter((m) => m && typeof m === 'object' && !Array.isArray(m));
  const assertion = asArray(document.assertionMethod);
  const embedded = assertion.filter((m) => m && typeof m === 'object' && !Array.isArray(m));
  const listed = new Set(assertion.map((m) => absolute(typeof m === 'string' ? m : idOf(m))));
  const vm = [...methods, ...embedded].find((m) => absolute(m.id) === verificationMethod);
  if (!vm) throw new VerificationError('not-found', `${verificationMethod} is not in the issuer's DID document`);
  if (!listed.has(verificationMethod)) throw new VerificationError('not-assertion', `${verificationMethod} is not listed under assertionMethod`);
  if (vm.controller !== did) throw new VerificationError('wrong-controller', `${verificationMethod}: controller is not ${did}`);
  if (!ED25519_METHOD_TYPES.includes(vm.type)) throw new VerificationError('unsupported', `${verificationMethod}: unsupported key type ${vm.type}`);
  const publicKey = ed25519FromMultikey(typeof vm.publicKeyMultibase === 'string' ? vm.publicKeyMultibase : '');
  const limits = {};
  for (const name of ['revoked', 'created']) {
    if (vm[name] === undefined || vm[name] === null || vm[name] === '') {
      limits[name] = null;
      continue;
    }
    limits[name] = parseDateTime(vm[name]);
    if (!limits[name]) throw new VerificationError('malformed-key', `${verificationMethod}: malformed ${name} date ${vm[name]}`);
  }
  return { publicKey, controller: did, revoked: limits.revoked, created: limits.created, source, confirmed: true };
}

/**
 * Find the verification method's key. Returns { publicKey, controller, revoked, created, source,
 * confirmed } (source: 'did-document' | 'did-key' | 'credential'). Throws VerificationError with
 * an `issuer-key` reason code ('unresolvable' when the DID document cannot be loaded).
 */
export async function resolveKey(verificationMethod, fetchJson) {
  if (typeof verificationMethod !== 'string' || !verificationMethod.includes('#')) {
    throw new VerificationError('unsupported', `verificationMethod ${verificationMethod} is not a key reference`);
  }
  const hash = verificationMethod.indexOf('#');
  const base = verificationMethod.slice(0, hash);
  const fragment = verificationMethod.slice(hash + 1);
  const keyError = (error) => {
    if (error instanceof VerificationError && CODES['issuer-key'][error.code]) return error;
    return new VerificationError('malformed-key', `${verificationMethod}: ${error.message}`);
  };
  if (base.startsWith('did:key:')) {
    try {
      return fromDocument(didKeyDocument(base), verificationMethod, 'did-key');
    } catch (error) {
      throw keyError(error);
    }
  }
  if (base.startsWith('did:')) {
    if (!base.startsWith('did:web:')) throw new VerificationError('unresolvable', `no DID document for ${base}`);
    const documentUrl = didWebUrl(base);
    if (typeof fetchJson !== 'function') throw new VerificationError('unresolvable', `no DID document for ${base}`);
    let document;
    try {
      document = await fetchJson(documentUrl, { purpose: 'did' });
    } catch (error) {
      throw new VerificationError('unresolvable', `the DID document ${documentUrl} could not be loaded (${error && error.message})`);
    }
    if (!document || typeof document !== 'object' || document.id !== base) {
      throw new VerificationError('unresolvable', `the document at ${documentUrl} is not the DID document of ${base}`);
    }
    try {
      return fromDocument(document, verificationMethod, 'did-document');
    } catch (error) {
      throw keyError(error);
    }
  }
  if (/^https?:\/\//.test(base) && fragment.startsWith('z')) {
    // The 1EdTech OB 3.0 test-vector form: the key is the fragment, nobody else vouches for it.
    try {
      return { publicKey: ed25519FromMultikey(fragment), controller: base, revoked: null, created: null, source: 'credential', confirmed: false };
    } catch (error) {
      throw new VerificationError('malformed-key', `key in ${verificationMethod} is malformed: ${error.message}`);
    }
  }
  throw new VerificationError('unsupported', `unsupported verificationMethod ${verificationMethod} (credstack resolves did:web, did:key and <url>#z6Mk...)`);
}

/** The registry or site whose issuer the page protects from impersonation: { id, site, name }. */
export function namesOwnIssuer(own, credential) {
  if (!own) return false;
  const issuer = credential.issuer;
  const issuerId = issuer && typeof issuer === 'object' ? issuer.id : issuer;
  const issuerName = issuer && typeof issuer === 'object' ? issuer.name : undefined;
  const subject = credential.credentialSubject;
  const achievement = subject && typeof subject === 'object' ? subject.achievement : undefined;
  const urls = [issuerId, credential.id, achievement && typeof achievement === 'object' ? achievement.id : undefined];
  if (issuerId === own.id) return true;
  if (urls.some((u) => typeof u === 'string' && u.startsWith(own.site))) return true;
  return typeof issuerName === 'string' && typeof own.name === 'string' && issuerName.trim().toLowerCase() === own.name.trim().toLowerCase();
}

const FUTURE_SKEW_MS = 5 * 60 * 1000;

/** The `key-valid` check: was the key valid when the proof says it signed (and is that date believable)? */
export function keyValidCode(key, created, now) {
  if (created - now > FUTURE_SKEW_MS) return 'future';
  if (key.created && created < key.created) return 'before-key';
  if (key.revoked && created >= key.revoked) return 'retired';
  return 'ok';
}
