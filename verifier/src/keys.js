// Resolving a proof's verificationMethod to an Ed25519 key, and checking that the key is the
// issuer's: did:web (DID document), did:key (self-describing) and "<url>#<z6Mk...>".
import { VerificationError, asArray, ed25519FromMultikey, idOf, parseDateTime } from './codec.js';

/**
 * did:web Method Specification §3.2.2 (Read): the DID document URL.
 * did:web:host:path:seg -> https://host/path/seg/did.json; did:web:host -> https://host/.well-known/did.json;
 * a port is percent-encoded in the DID (host%3A8443) and decoded here.
 */
export function didWebUrl(did) {
  const [host, ...path] = did.slice('did:web:'.length).split(':');
  const authority = decodeURIComponent(host);
  if (!/^[a-z0-9.-]+(:\d{1,5})?$/i.test(authority)) throw new VerificationError('key', `not a did:web host: ${host}`);
  for (const segment of path) {
    if (!/^[A-Za-z0-9._~%!$&'()*+,;=@-]+$/.test(segment) || segment === '.' || segment === '..') {
      throw new VerificationError('key', `not a did:web path segment: ${segment}`);
    }
  }
  return path.length ? `https://${authority}/${path.join('/')}/did.json` : `https://${authority}/.well-known/did.json`;
}

/**
 * Find the verification method and its Ed25519 key.
 * Returns { method: 'did:web'|'did:key'|'url', controller, publicKey, vm?, document?, documentUrl? }.
 * Throws VerificationError ('fetch' when the DID document cannot be loaded, 'key' otherwise).
 */
export async function resolveKey(verificationMethod, fetchJson) {
  const hash = verificationMethod.indexOf('#');
  const base = hash < 0 ? verificationMethod : verificationMethod.slice(0, hash);
  const fragment = hash < 0 ? '' : verificationMethod.slice(hash + 1);

  if (base.startsWith('did:key:')) {
    // did:key v0.9 §3.1.2: the key is the method-specific id; the fragment repeats it.
    const multikey = base.slice('did:key:'.length);
    if (fragment !== multikey) throw new VerificationError('key', `malformed did:key verification method ${verificationMethod}`);
    return { method: 'did:key', controller: base, publicKey: ed25519FromMultikey(multikey) };
  }

  if (base.startsWith('did:web:')) {
    const documentUrl = didWebUrl(base);
    if (typeof fetchJson !== 'function') throw new VerificationError('fetch', 'no fetchJson was given to load the DID document');
    let document;
    try {
      document = await fetchJson(documentUrl, { purpose: 'did' });
    } catch (error) {
      throw new VerificationError('fetch', `issuer keys could not be fetched: the DID document ${documentUrl} could not be loaded (${error && error.message})`);
    }
    if (!document || document.id !== base) {
      throw new VerificationError('key', `the DID document at ${documentUrl} is not the one of ${base}`);
    }
    // DID Core 1.0 §5.3: methods live in verificationMethod or are embedded in a relationship.
    const absolute = (id) => (typeof id === 'string' && id.startsWith('#') ? base + id : id);
    const candidates = [...asArray(document.verificationMethod), ...asArray(document.assertionMethod)];
    const vm = candidates.find((m) => m && typeof m === 'object' && absolute(m.id) === verificationMethod);
    if (!vm) throw new VerificationError('key', `the key ${verificationMethod} is not in the issuer's DID document`);
    if (vm.type !== 'Multikey' || typeof vm.publicKeyMultibase !== 'string') {
      throw new VerificationError('key', `the key ${verificationMethod} is not an Ed25519 Multikey`);
    }
    const assertion = asArray(document.assertionMethod).some((m) => absolute(idOf(m)) === verificationMethod);
    return {
      method: 'did:web',
      controller: vm.controller,
      publicKey: ed25519FromMultikey(vm.publicKeyMultibase),
      vm,
      assertion,
      documentUrl,
    };
  }

  if (/^https:\/\//.test(base) && fragment.startsWith('z6Mk')) {
    // The 1EdTech OB 3.0 test-vector form: the key is the fragment, nobody else vouches for it.
    return { method: 'url', controller: base, publicKey: ed25519FromMultikey(fragment) };
  }

  throw new VerificationError('key', `unsupported verificationMethod ${verificationMethod} (expected did:web, did:key or <url>#z6Mk...)`);
}

/**
 * Is the resolved key the issuer's? Returns { outcome, message } for the `issuer-key` check.
 * Controlled Identifiers 1.0, "Retrieve Verification Method": the method's controller must
 * be the issuer and the method must be authorized for the proof purpose (assertionMethod).
 */
export function issuerKeyCheck(key, issuerId) {
  if (typeof issuerId !== 'string') return { outcome: 'fail', message: 'the credential names no issuer id' };
  if (key.method === 'did:web') {
    if (key.controller !== issuerId) return { outcome: 'fail', message: `the key is controlled by ${key.controller}, not by the issuer ${issuerId}` };
    if (!key.assertion) return { outcome: 'fail', message: `the issuer's DID document does not list ${key.vm.id} under assertionMethod` };
    return { outcome: 'pass', message: `key ${key.vm.id} is listed in the issuer's DID document (${key.documentUrl})` };
  }
  if (key.controller !== issuerId) return { outcome: 'fail', message: `the key belongs to ${key.controller}, not to the issuer ${issuerId}` };
  if (key.method === 'did:key') return { outcome: 'pass', message: 'the issuer is the did:key that signed' };
  return {
    outcome: 'warn',
    message: "the key is named in the credential itself (<issuer>#z6Mk...); the issuer's web site was not asked to confirm it",
  };
}

const FUTURE_SKEW_MS = 5 * 60 * 1000;

/**
 * Was the key valid when the proof was created? Returns { outcome, message } for `key-valid`.
 * Controlled Identifiers 1.0, "Verification Methods" (`expires`, `revoked`) and "Revocation
 * Semantics": proofs created after revocation are invalid. credstack's DID documents also give
 * `created`. Note that the proof's `created` is the signer's own claim.
 */
export function keyValidCheck(key, proof, now) {
  const vm = key.vm || {};
  const signedAt = parseDateTime(proof.created);
  // A proof dated in the future is not believable (5 minutes allowed for the visitor's clock).
  if (signedAt && signedAt - now > FUTURE_SKEW_MS) return { outcome: 'fail', message: `the proof claims a future date (${proof.created})` };
  const limits = ['created', 'revoked', 'expires'].filter((k) => vm[k] !== undefined);
  if (!limits.length) return { outcome: 'pass', message: 'the key has no recorded validity limits' };
  const bad = limits.find((k) => !parseDateTime(vm[k]));
  if (bad) return { outcome: 'fail', message: `the key's ${bad} date is not a date-time: ${vm[bad]}` };
  if (!signedAt) return { outcome: 'fail', message: 'the proof has no creation time, so it cannot be placed within the key\'s validity' };
  if (vm.created !== undefined && signedAt < parseDateTime(vm.created)) {
    return { outcome: 'fail', message: `signed on ${proof.created}, before the key existed (${vm.created})` };
  }
  for (const [k, word] of [['revoked', 'retired'], ['expires', 'expired']]) {
    if (vm[k] !== undefined && signedAt >= parseDateTime(vm[k])) {
      return { outcome: 'fail', message: `signed on ${proof.created}, after the issuer ${word} the key on ${vm[k]}` };
    }
  }
  return { outcome: 'pass', message: `signed on ${proof.created}, while the key was valid` };
}
