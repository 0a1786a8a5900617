// Resolving a proof's verification method id to key material: the in-browser twin of
// plugins/credstack/crypto/methods.py (same rules, same issuer-key codes). Shared by the core
// bundle (Ed25519 keys only: other keys throw NeedSuites) and credstack-suites.js (every key).
//
// Key material comes from a `decode` object: { multikey(text), jwk(object) } -> { algorithm, raw }.
// Failures throw ResolutionError with a code of the report's issuer-key check: unresolvable,
// not-found, unsupported, malformed-key.
import { NeedSuites, base58Decode } from './codec.js';

export class ResolutionError extends Error {
  constructor(message, code = 'unresolvable') {
    super(message);
    this.name = 'ResolutionError';
    this.code = code;
  }
}

export const RELATIONSHIPS = ['assertionMethod', 'authentication', 'capabilityInvocation', 'capabilityDelegation', 'keyAgreement'];
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const asList = (v) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

/** Multikey headers (publickeys.py MULTIKEY_HEADERS) and the well-formed keys credstack does not verify. */
export const MULTIKEY = { ed01: ['Ed25519', 32], '8024': ['P-256', 33], '8124': ['P-384', 49] };
const KNOWN_UNSUPPORTED = { e701: 'secp256k1', eb01: 'BLS12-381 G2', ec01: 'X25519' };

/** The Multikey's bytes and header, checked as publickeys.py from_multikey: { algorithm, body }. */
export function multikeyParts(text) {
  if (typeof text !== 'string' || text[0] !== 'z') throw new ResolutionError("publicKeyMultibase must be a multibase base58btc string ('z...')", 'malformed-key');
  let data;
  try {
    data = base58Decode(text.slice(1));
  } catch {
    throw new ResolutionError('publicKeyMultibase is not base58btc', 'malformed-key');
  }
  const header = Array.from(data.slice(0, 2), (b) => b.toString(16).padStart(2, '0')).join('');
  if (!MULTIKEY[header] && KNOWN_UNSUPPORTED[header]) {
    throw new ResolutionError(`the Multikey is a ${KNOWN_UNSUPPORTED[header]} key, which credstack does not verify`, 'unsupported');
  }
  if (!MULTIKEY[header]) throw new ResolutionError(`publicKeyMultibase has the multicodec header ${header || 'none'}, not an Ed25519, P-256 or P-384 public key`, 'malformed-key');
  const [algorithm, length] = MULTIKEY[header];
  const body = data.slice(2);
  if (body.length !== length) throw new ResolutionError(`the ${algorithm} Multikey holds ${body.length} key bytes, expected ${length}`, 'malformed-key');
  return { algorithm, body };
}

/** The core bundle's key decoder: Ed25519 Multikeys; anything else needs credstack-suites.js. */
export const ED25519_ONLY = {
  multikey(text) {
    const { algorithm, body } = multikeyParts(text);
    if (algorithm !== 'Ed25519') throw new NeedSuites(`a ${algorithm} key`);
    return { algorithm, raw: body };
  },
  jwk() {
    throw new NeedSuites('a JWK');
  },
};

export function didKeyMethod(methodId, decode) {
  const hash = methodId.indexOf('#');
  const did = hash < 0 ? methodId : methodId.slice(0, hash);
  const fragment = hash < 0 ? '' : methodId.slice(hash + 1);
  const multikey = did.startsWith('did:key:') ? did.slice(8) : '';
  if (!multikey || /[/?:]/.test(multikey)) throw new ResolutionError(`${methodId} is not a did:key`, 'malformed-key');
  if (fragment && fragment !== multikey) throw new ResolutionError('the did:key fragment does not repeat the key', 'malformed-key');
  return {
    id: `${did}#${multikey}`, type: 'Multikey', controller: did, key: decode.multikey(multikey), source: 'did:key',
    relationships: RELATIONSHIPS.slice(0, 4), document: {},
  };
}

export function urlFragmentMethod(methodId, decode) {
  const hash = methodId.indexOf('#');
  const base = hash < 0 ? methodId : methodId.slice(0, hash);
  const fragment = hash < 0 ? '' : methodId.slice(hash + 1);
  if (!base.startsWith('https://') || fragment[0] !== 'z') throw new ResolutionError(`${methodId} is not an https URL whose fragment is a Multikey`, 'unsupported');
  return { id: methodId, type: 'Multikey', controller: base, key: decode.multikey(fragment), source: 'url-fragment', relationships: [], document: {} };
}

export function methodFromDocument(methodId, document, decode) {
  const did = methodId.split('#')[0];
  if (!isObject(document) || document.id !== did) throw new ResolutionError(`the DID document given for ${did} is not its document`, 'unresolvable');
  const absolute = (v) => (typeof v === 'string' && v.startsWith('#') ? did + v : v);
  const candidates = [];
  for (const name of ['verificationMethod', ...RELATIONSHIPS]) {
    for (const item of asList(document[name])) if (isObject(item) && absolute(item.id) === methodId) candidates.push(item);
  }
  if (!candidates.length) throw new ResolutionError(`the DID document of ${did} has no verification method ${methodId}`, 'not-found');
  const method = candidates[0];
  const relationships = RELATIONSHIPS.filter((name) => asList(document[name]).some((item) => absolute(isObject(item) ? item.id : item) === methodId));
  let key;
  if (['Multikey', 'Ed25519VerificationKey2020'].includes(method.type) && 'publicKeyMultibase' in method) {
    try {
      key = decode.multikey(method.publicKeyMultibase);
    } catch (error) {
      if (error && error.needsSuites) throw error;
      throw new ResolutionError(`${methodId}: ${error.message}`, error.code || 'malformed-key');
    }
    if (method.type === 'Ed25519VerificationKey2020' && key.algorithm !== 'Ed25519') throw new ResolutionError(`${methodId} is an Ed25519VerificationKey2020 of another kind`, 'malformed-key');
  } else if (['JsonWebKey2020', 'JsonWebKey'].includes(method.type) && 'publicKeyJwk' in method) {
    key = decode.jwk(method.publicKeyJwk);
  } else {
    throw new ResolutionError(`the verification method ${methodId} has type ${method.type} without a key credstack reads`, 'unsupported');
  }
  return {
    id: methodId, type: String(method.type), controller: typeof method.controller === 'string' ? method.controller : null,
    key, source: 'did-document', relationships, document: method,
  };
}

/**
 * Resolve a method id (methods.py make_resolver): did:key from the id; other DIDs from their
 * document (`documentFor(did)` returns it, or undefined / throws when it cannot be had); an
 * https URL with a Multikey fragment from the fragment. May return a Promise.
 */
export function resolveMethod(methodId, { documentFor, decode }) {
  if (typeof methodId !== 'string') throw new ResolutionError('the verification method id is not a string', 'malformed-key');
  if (methodId.startsWith('did:key:')) return didKeyMethod(methodId, decode);
  if (methodId.startsWith('did:')) {
    const did = methodId.split('#')[0];
    const unresolvable = (detail) => new ResolutionError(`no DID document for ${did}${detail ? ` (${detail})` : ''}`, 'unresolvable');
    let found;
    try {
      found = documentFor(did);
    } catch (error) {
      throw unresolvable(error && error.message);
    }
    const use = (document) => {
      if (document === undefined || document === null) throw unresolvable();
      return methodFromDocument(methodId, document, decode);
    };
    return found && typeof found.then === 'function'
      ? found.then(use, (error) => {
        throw error instanceof ResolutionError ? error : unresolvable(error && error.message);
      })
      : use(found);
  }
  if (methodId.startsWith('https://') && methodId.includes('#z')) return urlFragmentMethod(methodId, decode);
  if (methodId.includes('#') || /^https?:\/\//.test(methodId)) {
    throw new ResolutionError(`the key ${methodId} is in a document credstack does not have`, 'unresolvable');
  }
  throw new ResolutionError(`the verification method ${methodId} names no key: it is not a DID URL, an https URL, or anything with a key fragment`, 'malformed-key');
}

/** resolveKey(methodId) over the given DID documents ({did: document}); throws ResolutionError. */
export function makeResolver(documents, decode) {
  const has = (did) => Object.prototype.hasOwnProperty.call(documents || {}, did);
  return (methodId) => resolveMethod(methodId, { documentFor: (did) => (has(did) ? documents[did] : undefined), decode });
}
