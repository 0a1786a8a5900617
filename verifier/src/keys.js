// Where an issuer's key is found, and what a verifier decides about it: the in-browser twin of
// plugins/credstack/registry/keyring.py (KeyResolver, standing) with the same issuer-key codes.
import { parseDateTime } from './codec.js';
import { ResolutionError, resolveMethod } from './methods.js';

/** crypto/methods.py source -> the report's `source` parameter. */
const SOURCES = { 'did-document': 'did-document', 'did:key': 'did-key', 'url-fragment': 'credential', 'jwk-header': 'credential' };

/**
 * did:web Method Specification §3.2.2 (Read): the DID document URL.
 * did:web:host:path:seg -> https://host/path/seg/did.json; did:web:host -> https://host/.well-known/did.json;
 * a port is percent-encoded in the DID (host%3A8443) and decoded here.
 */
export function didWebUrl(did) {
  const [host, ...path] = did.slice('did:web:'.length).split(':');
  const authority = decodeURIComponent(host);
  if (!/^[a-z0-9.-]+(:\d{1,5})?$/i.test(authority)) throw new ResolutionError(`not a did:web host: ${host}`);
  for (const segment of path) {
    if (!/^[A-Za-z0-9._~%!$&'()*+,;=@-]+$/.test(segment) || segment === '.' || segment === '..') {
      throw new ResolutionError(`not a did:web path segment: ${segment}`);
    }
  }
  return path.length ? `https://${authority}/${path.join('/')}/did.json` : `https://${authority}/.well-known/did.json`;
}

/**
 * resolveKey(methodId) -> Promise<method>: did:key from the id, did:web by fetching its DID
 * document (`fetchJson(url, {purpose: 'did'})`, once per DID), other DIDs from `documents`
 * ({did: document}, for tests and pages that have them). Throws ResolutionError.
 */
export function keyResolver({ fetchJson, documents = {}, decode }) {
  const loaded = new Map();
  const documentFor = (did) => {
    if (Object.prototype.hasOwnProperty.call(documents, did)) return documents[did];
    if (!did.startsWith('did:web:') || typeof fetchJson !== 'function') return undefined;
    if (!loaded.has(did)) {
      const url = didWebUrl(did);
      loaded.set(did, Promise.resolve(fetchJson(url, { purpose: 'did' })).catch((error) => {
        throw new ResolutionError(`the DID document ${url} could not be loaded (${error && error.message})`);
      }));
    }
    return loaded.get(did);
  };
  return async (methodId) => resolveMethod(methodId, { documentFor, decode });
}

/**
 * The key of a resolved method, once the verifier's rules on it hold (keyring.py standing): a
 * method from a DID document must be listed under assertionMethod and controlled by the DID,
 * its revoked/created dates readable. Returns { key, controller, revoked, created, source,
 * confirmed, fingerprint }; throws ResolutionError.
 */
export function standing(method) {
  const source = SOURCES[method.source];
  const limits = { revoked: null, created: null };
  if (method.source === 'did-document') {
    const did = method.id.split('#')[0];
    if (!method.relationships.includes('assertionMethod')) throw new ResolutionError(`${method.id} is not listed under assertionMethod`, 'not-assertion');
    if (method.controller !== did) throw new ResolutionError(`${method.id}: controller is not ${did}`, 'wrong-controller');
    for (const name of Object.keys(limits)) {
      const value = method.document[name];
      if (value === undefined || value === null || value === '') continue;
      limits[name] = parseDateTime(value);
      if (!limits[name]) throw new ResolutionError(`${method.id}: malformed ${name} date ${value}`, 'malformed-key');
    }
  }
  const raw = method.key.raw || (method.key.jwk ? new TextEncoder().encode(`${method.key.jwk.n}.${method.key.jwk.e}`) : new Uint8Array());
  return {
    key: method.key,
    controller: method.controller,
    revoked: limits.revoked,
    created: limits.created,
    source,
    confirmed: source === 'did-document' || source === 'did-key',
    fingerprint: `${method.key.algorithm}:${Array.from(raw, (b) => b.toString(16).padStart(2, '0')).join('')}`,
  };
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
