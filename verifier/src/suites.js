// Every proof suite credstack verifies, for other issuers' credentials: the in-browser twin of
// plugins/credstack/crypto/suites.py (same outcome codes, same order of checks).
//
// Built as its own file (credstack-suites.js) and loaded on demand with import() by the core
// bundle (CredstackVerifier.loadSuites()), so a page that verifies credstack's own
// eddsa-rdfc-2022 credentials downloads nothing more. It bundles no JSON-LD: the core hands in
// its safe-mode canonicalizer and Ed25519 verifier (createSuites(deps)).
//
//   eddsa-rdfc-2022 / eddsa-2022  vc-di-eddsa §3.2
//   Ed25519Signature2020          vc-di-eddsa (legacy): same transformation, Ed25519
//   ecdsa-rdfc-2019               vc-di-ecdsa §3.3: P-256 (SHA-256), P-384 (SHA-384, also as the
//                                 RDFC-1.0 hash), signature r || s, WebCrypto ECDSA
//   VC-JWT                        OB 3.0 §8.2: RS256, ES256, ES384, EdDSA; kid or jwk header
//
// Codes: ok, signature-mismatch, malformed, unsupported-suite, unsafe-jsonld, unknown-context,
// key-unresolved, key-type-mismatch, purpose-mismatch, claims-mismatch.

export const CODES = [
  'ok', 'signature-mismatch', 'malformed', 'unsupported-suite', 'unsafe-jsonld', 'unknown-context',
  'key-unresolved', 'key-type-mismatch', 'purpose-mismatch', 'claims-mismatch',
];

/** Thrown by resolvers: `code` 'key-format' (a key written in the credential is broken) or 'key'. */
export class ResolutionError extends Error {
  constructor(message, code = 'key') {
    super(message);
    this.name = 'ResolutionError';
    this.code = code;
  }
}

// --- bytes --------------------------------------------------------------------------------------

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58(text) {
  const out = [];
  for (const ch of text) {
    let carry = B58.indexOf(ch);
    if (carry < 0) return null;
    for (let i = 0; i < out.length; i++) {
      carry += out[i] * 58;
      out[i] = carry & 0xff;
      carry >>= 8;
    }
    while (carry) {
      out.push(carry & 0xff);
      carry >>= 8;
    }
  }
  for (const ch of text) {
    if (ch !== '1') break;
    out.push(0);
  }
  return Uint8Array.from(out.reverse());
}

function base64url(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  if (b64.length % 4 === 1) return null;
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const asList = (v) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const concat = (a, b) => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
};
const toBig = (bytes) => bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n);
const fromBig = (n, size) => {
  const out = new Uint8Array(size);
  for (let i = size - 1; i >= 0; i--, n >>= 8n) out[i] = Number(n & 0xffn);
  return out;
};

// --- public keys (plugins/credstack/crypto/publickeys.py) ----------------------------------------

const CURVES = {
  'P-256': {
    size: 32,
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
  },
  'P-384': {
    size: 48,
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
  },
};
const MULTIKEY = { 'ed01': ['Ed25519', 32], '8024': ['P-256', 33], '8124': ['P-384', 49] };
const KNOWN_UNSUPPORTED = { 'e701': 'secp256k1', 'eb01': 'BLS12-381 G2', 'ec01': 'X25519' };
const hex2 = (bytes) => Array.from(bytes.slice(0, 2), (b) => b.toString(16).padStart(2, '0')).join('');

function modPow(base, exp, mod) {
  let result = 1n;
  base %= mod;
  for (; exp > 0n; exp >>= 1n, base = (base * base) % mod) if (exp & 1n) result = (result * base) % mod;
  return result;
}

/** SEC1 point -> uncompressed 04||x||y, checked to be on the curve (y^2 = x^3 - 3x + b). */
function ecPoint(algorithm, point) {
  const { size, p, b } = CURVES[algorithm];
  const onCurve = (x, y) => x < p && y < p && (y * y) % p === (((x * x * x - 3n * x + b) % p) + p) % p;
  if (point.length === 1 + 2 * size && point[0] === 4) {
    const x = toBig(point.slice(1, 1 + size));
    const y = toBig(point.slice(1 + size));
    if (!onCurve(x, y)) throw new ResolutionError(`the ${algorithm} public key is not a point on the curve`, 'key-format');
    return point;
  }
  if (point.length === 1 + size && (point[0] === 2 || point[0] === 3)) {
    const x = toBig(point.slice(1));
    const rhs = (((x * x * x - 3n * x + b) % p) + p) % p;
    let y = modPow(rhs, (p + 1n) / 4n, p); // p = 3 (mod 4) for both curves
    if (!onCurve(x, y)) throw new ResolutionError(`the ${algorithm} public key is not a point on the curve`, 'key-format');
    if ((y & 1n) !== BigInt(point[0] & 1)) y = p - y;
    return concat(Uint8Array.of(4), concat(fromBig(x, size), fromBig(y, size)));
  }
  throw new ResolutionError(`the ${algorithm} public key is not a point on the curve`, 'key-format');
}

/** Key material from a Multikey publicKeyMultibase: { algorithm, raw }. Throws ResolutionError. */
export function keyFromMultikey(text) {
  if (typeof text !== 'string' || text[0] !== 'z') {
    throw new ResolutionError("publicKeyMultibase must be a multibase base58btc string ('z...')", 'key-format');
  }
  const data = base58(text.slice(1));
  if (!data) throw new ResolutionError('publicKeyMultibase is not base58btc', 'key-format');
  const header = hex2(data);
  if (!MULTIKEY[header] && KNOWN_UNSUPPORTED[header]) {
    throw new ResolutionError(`the Multikey is a ${KNOWN_UNSUPPORTED[header]} key, which credstack does not verify`);
  }
  if (!MULTIKEY[header]) throw new ResolutionError(`publicKeyMultibase has the multicodec header ${header}, not an Ed25519, P-256 or P-384 public key`, 'key-format');
  const [algorithm, length] = MULTIKEY[header];
  const body = data.slice(2);
  if (body.length !== length) throw new ResolutionError(`the ${algorithm} Multikey holds ${body.length} key bytes, expected ${length}`, 'key-format');
  return { algorithm, raw: algorithm === 'Ed25519' ? body : ecPoint(algorithm, body) };
}

const PRIVATE_JWK = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

function jwkBytes(jwk, name) {
  const value = jwk[name];
  const bytes = typeof value === 'string' && value && !value.includes('=') ? base64url(value) : null;
  if (!bytes) throw new ResolutionError(`the JWK member '${name}' must be base64url without padding`);
  return bytes;
}

/** Key material from a public JWK. Throws ResolutionError (also for private JWKs). */
export function keyFromJwk(jwk) {
  if (!isObject(jwk)) throw new ResolutionError('a JWK must be a JSON object');
  const secret = PRIVATE_JWK.filter((n) => n in jwk);
  if (secret.length) throw new ResolutionError(`the JWK holds private key material (${secret.join(', ')})`);
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') {
    const raw = jwkBytes(jwk, 'x');
    if (raw.length !== 32) throw new ResolutionError(`an Ed25519 JWK 'x' is 32 bytes, got ${raw.length}`);
    return { algorithm: 'Ed25519', raw, jwk };
  }
  if (jwk.kty === 'EC' && CURVES[jwk.crv]) {
    const x = jwkBytes(jwk, 'x');
    const y = jwkBytes(jwk, 'y');
    const { size } = CURVES[jwk.crv];
    if (x.length !== size || y.length !== size) throw new ResolutionError(`a ${jwk.crv} JWK has ${size}-byte coordinates`);
    return { algorithm: jwk.crv, raw: ecPoint(jwk.crv, concat(Uint8Array.of(4), concat(x, y))), jwk };
  }
  if (jwk.kty === 'RSA') {
    const n = toBig(jwkBytes(jwk, 'n'));
    const e = toBig(jwkBytes(jwk, 'e'));
    if (n.toString(2).length < 2048 || e < 3n || e % 2n === 0n) throw new ResolutionError('the RSA JWK is too weak or malformed');
    return { algorithm: 'RSA', raw: null, jwk: { kty: 'RSA', n: jwk.n, e: jwk.e } };
  }
  throw new ResolutionError(`unsupported JWK (kty ${jwk.kty}, crv ${jwk.crv})`);
}

// --- verification methods (plugins/credstack/crypto/methods.py) ---------------------------------

const RELATIONSHIPS = ['assertionMethod', 'authentication', 'capabilityInvocation', 'capabilityDelegation', 'keyAgreement'];

export function didKeyMethod(methodId) {
  const hash = methodId.indexOf('#');
  const did = hash < 0 ? methodId : methodId.slice(0, hash);
  const fragment = hash < 0 ? '' : methodId.slice(hash + 1);
  const multikey = did.startsWith('did:key:') ? did.slice(8) : '';
  if (!multikey || /[/?:]/.test(multikey)) throw new ResolutionError(`${methodId} is not a did:key`, 'key-format');
  if (fragment && fragment !== multikey) throw new ResolutionError('the did:key fragment does not repeat the key', 'key-format');
  return {
    id: `${did}#${multikey}`, type: 'Multikey', controller: did, key: keyFromMultikey(multikey), source: 'did:key',
    relationships: RELATIONSHIPS.slice(0, 4), document: {},
  };
}

export function urlFragmentMethod(methodId) {
  const hash = methodId.indexOf('#');
  const base = hash < 0 ? methodId : methodId.slice(0, hash);
  const fragment = hash < 0 ? '' : methodId.slice(hash + 1);
  if (!base.startsWith('https://') || fragment[0] !== 'z') throw new ResolutionError(`${methodId} is not an https URL whose fragment is a Multikey`);
  return { id: methodId, type: 'Multikey', controller: base, key: keyFromMultikey(fragment), source: 'url-fragment', relationships: [], document: {} };
}

export function methodFromDocument(methodId, document) {
  const did = methodId.split('#')[0];
  if (!isObject(document) || document.id !== did) throw new ResolutionError(`the DID document given for ${did} is not its document`);
  const absolute = (v) => (typeof v === 'string' && v.startsWith('#') ? did + v : v);
  const candidates = [];
  for (const name of ['verificationMethod', ...RELATIONSHIPS]) {
    for (const item of asList(document[name])) if (isObject(item) && absolute(item.id) === methodId) candidates.push(item);
  }
  if (!candidates.length) throw new ResolutionError(`the DID document of ${did} has no verification method ${methodId}`);
  const method = candidates[0];
  const relationships = RELATIONSHIPS.filter((name) => asList(document[name]).some((item) => absolute(isObject(item) ? item.id : item) === methodId));
  let key;
  if (['Multikey', 'Ed25519VerificationKey2020'].includes(method.type) && 'publicKeyMultibase' in method) {
    try {
      key = keyFromMultikey(method.publicKeyMultibase);
    } catch (error) {
      throw new ResolutionError(`${methodId}: ${error.message}`); // the document's fault: unresolved
    }
    if (method.type === 'Ed25519VerificationKey2020' && key.algorithm !== 'Ed25519') throw new ResolutionError(`${methodId} is an Ed25519VerificationKey2020 of another kind`);
  } else if (['JsonWebKey2020', 'JsonWebKey'].includes(method.type) && 'publicKeyJwk' in method) {
    key = keyFromJwk(method.publicKeyJwk);
  } else {
    throw new ResolutionError(`the verification method ${methodId} has type ${method.type} without a key credstack reads`);
  }
  return {
    id: methodId, type: String(method.type), controller: typeof method.controller === 'string' ? method.controller : null,
    key, source: 'did-document', relationships, document: method,
  };
}

/** resolveKey(methodId) over the given DID documents ({did: document}); throws ResolutionError. */
export function makeResolver(documents = {}) {
  return (methodId) => {
    if (typeof methodId !== 'string') throw new ResolutionError('the verification method id is not a string');
    if (methodId.startsWith('did:key:')) return didKeyMethod(methodId);
    if (methodId.startsWith('did:')) {
      const did = methodId.split('#')[0];
      if (!Object.prototype.hasOwnProperty.call(documents, did)) throw new ResolutionError(`no DID document for ${did}`);
      return methodFromDocument(methodId, documents[did]);
    }
    if (methodId.startsWith('https://') && methodId.includes('#z')) return urlFragmentMethod(methodId);
    throw new ResolutionError(`cannot resolve the verification method ${methodId}`);
  };
}

// --- signatures -----------------------------------------------------------------------------------

const subtle = () => globalThis.crypto.subtle;

async function verifySignature(deps, key, message, signature, hash) {
  if (key.algorithm === 'Ed25519') return deps.verifyEd25519(key.raw, message, signature);
  try {
    if (key.algorithm === 'RSA') {
      const rsa = await subtle().importKey('jwk', { ...key.jwk, ext: true }, { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['verify']);
      return await subtle().verify({ name: 'RSASSA-PKCS1-v1_5' }, rsa, signature, message);
    }
    if (signature.length !== 2 * CURVES[key.algorithm].size) return false;
    const ec = await subtle().importKey('raw', key.raw, { name: 'ECDSA', namedCurve: key.algorithm }, false, ['verify']);
    return await subtle().verify({ name: 'ECDSA', hash }, ec, signature, message);
  } catch {
    return false;
  }
}

// --- Data Integrity -----------------------------------------------------------------------------

const DI_SUITES = {
  'DataIntegrityProof eddsa-rdfc-2022': ['eddsa-rdfc-2022', ['Ed25519']],
  'DataIntegrityProof eddsa-2022': ['eddsa-2022', ['Ed25519']],
  'DataIntegrityProof ecdsa-rdfc-2019': ['ecdsa-rdfc-2019', ['P-256', 'P-384']],
  'Ed25519Signature2020 null': ['Ed25519Signature2020', ['Ed25519']],
};
const SIGNATURE_BYTES = { Ed25519: 64, 'P-256': 64, 'P-384': 96 };
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const ABSOLUTE_IRI = /^([A-Za-z][A-Za-z0-9+\-.]*|_):[^\s]*$/;
// plugins/credstack/crypto/canon.py _IRI_FORBIDDEN
const IRI_FORBIDDEN = /[\x00-\x20<>"{}|^`\\\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;

/** XML Schema dateTimeStamp -> Date, or null (as crypto/proof.py parse_datetime). */
export function parseCreated(value) {
  if (typeof value !== 'string') return null;
  const m = DATE_TIME.exec(value);
  if (!m) return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return null;
  // Date.parse rolls over impossible dates (02-30); Python refuses them.
  const [y, mo, d] = m[1].split('-').map(Number);
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return null;
  return new Date(ms);
}

function outcome(suite, proof, index, code, message, params = {}, method = null) {
  const created = parseCreated(proof.created);
  return {
    index,
    suite,
    verificationMethod: typeof proof.verificationMethod === 'string' ? proof.verificationMethod : null,
    created: created ? created.toISOString().replace('.000Z', 'Z') : null,
    ok: code === 'ok',
    code,
    params: { message, ...params },
    method,
  };
}

async function digest(name, text) {
  return new Uint8Array(await subtle().digest(name, new TextEncoder().encode(text)));
}

async function verifyOne(deps, unsecured, proofs, index, resolveKey, expectedPurpose) {
  const proof = proofs[index];
  if (!isObject(proof)) return outcome('unknown', {}, index, 'malformed', 'the proof is not a JSON object');
  const cryptosuite = proof.type === 'DataIntegrityProof' && typeof proof.cryptosuite === 'string' ? proof.cryptosuite : null;
  const known = DI_SUITES[`${proof.type} ${cryptosuite}`];
  if (!known) {
    const name = String(cryptosuite || proof.type);
    return outcome(name, proof, index, 'unsupported-suite', `the proof suite ${name} is not one credstack verifies`, { name });
  }
  const [suite, algorithms] = known;
  for (const member of ['verificationMethod', 'proofPurpose', 'proofValue']) {
    if (typeof proof[member] !== 'string') return outcome(suite, proof, index, 'malformed', `the proof has no string ${member}`);
  }
  if ('created' in proof && !parseCreated(proof.created)) {
    return outcome(suite, proof, index, 'malformed', "the proof's created is not an XML Schema dateTime with a time zone");
  }
  if (proof.proofPurpose !== expectedPurpose) {
    return outcome(suite, proof, index, 'purpose-mismatch', `the proof purpose is ${proof.proofPurpose}, expected ${expectedPurpose}`, { expected: expectedPurpose });
  }
  if (!ABSOLUTE_IRI.test(proof.verificationMethod) || IRI_FORBIDDEN.test(proof.verificationMethod)) {
    return outcome(suite, proof, index, 'malformed', 'the verificationMethod is not an absolute IRI');
  }
  const signature = proof.proofValue[0] === 'z' ? base58(proof.proofValue.slice(1)) : null;
  if (!signature) return outcome(suite, proof, index, 'malformed', "the proofValue is not multibase base58btc ('z...')");
  let method;
  try {
    method = await resolveKey(proof.verificationMethod);
  } catch (error) {
    const code = error && error.code === 'key-format' ? 'malformed' : 'key-unresolved';
    return outcome(suite, proof, index, code, String(error && error.message));
  }
  const { key } = method;
  if (!algorithms.includes(key.algorithm)) {
    return outcome(suite, proof, index, 'key-type-mismatch', `${suite} needs an ${algorithms.join(' or ')} key, the method holds a ${key.algorithm} key`, { algorithm: key.algorithm }, method);
  }
  if (signature.length !== SIGNATURE_BYTES[key.algorithm]) {
    return outcome(suite, proof, index, 'malformed', `the proofValue holds ${signature.length} bytes; a ${key.algorithm} signature is ${SIGNATURE_BYTES[key.algorithm]}`, {}, method);
  }
  const options = { ...proof };
  delete options.proofValue;
  const document = structuredClone(unsecured);
  if ('@context' in options) {
    const own = asList(options['@context']);
    const docCtx = Array.isArray(unsecured['@context']) ? unsecured['@context'] : [unsecured['@context']];
    if (!own.every((c, i) => JSON.stringify(c) === JSON.stringify(docCtx[i]))) {
      return outcome(suite, proof, index, 'malformed', "the proof's @context is not the start of the document's", {}, method);
    }
  }
  if (proof.previousProof !== undefined && proof.previousProof !== null) {
    const wanted = asList(proof.previousProof);
    const chained = proofs.filter((p) => isObject(p) && wanted.includes(p.id));
    if (chained.length !== wanted.length || !wanted.every((w) => typeof w === 'string')) {
      return outcome(suite, proof, index, 'malformed', 'previousProof names a proof the document does not have', {}, method);
    }
    document.proof = structuredClone(chained.length === 1 ? chained[0] : chained);
  }
  const hash = key.algorithm === 'P-384' ? 'SHA-384' : 'SHA-256';
  const rdfcHash = key.algorithm === 'P-384' ? 'sha384' : 'sha256';
  const config = { ...options };
  if ('@context' in document) config['@context'] = document['@context'];
  let canonicalDocument;
  let canonicalConfig;
  try {
    canonicalDocument = await deps.canonize(document, { messageDigestAlgorithm: rdfcHash });
    canonicalConfig = await deps.canonize(config, { messageDigestAlgorithm: rdfcHash });
  } catch (error) {
    if (error && error.code === 'unknown-context') return outcome(suite, proof, index, 'unknown-context', error.message, { url: (error.params && error.params.url) || '' }, method);
    return outcome(suite, proof, index, 'unsafe-jsonld', String(error && error.message), {}, method);
  }
  const hashData = concat(await digest(hash, canonicalConfig), await digest(hash, canonicalDocument));
  if (!(await verifySignature(deps, key, hashData, signature, hash))) {
    return outcome(suite, proof, index, 'signature-mismatch', 'the content has changed since it was signed, or it was signed with another key', {}, method);
  }
  return outcome(suite, proof, index, 'ok', 'the proof verifies', {}, method);
}

// --- VC-JWT ---------------------------------------------------------------------------------------

export const JWT_ALGORITHMS = { RS256: ['RSA', 'SHA-256'], ES256: ['P-256', 'SHA-256'], ES384: ['P-384', 'SHA-384'], EdDSA: ['Ed25519', 'SHA-256'] };
const JWT_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti'];
export const MAX_JWT_CHARS = 10 * 1024 * 1024;

function jwtOutcome(code, message, { kid = null, alg = '', created = null, method = null, ...params } = {}) {
  return {
    index: 0, suite: 'VC-JWT', verificationMethod: kid, created: created ? created.toISOString().replace('.000Z', 'Z') : null,
    ok: code === 'ok', code, params: { message, ...(alg ? { alg } : {}), ...params }, method,
  };
}

function jsonPart(part) {
  if (!part || part.includes('=')) return undefined;
  const bytes = base64url(part);
  if (!bytes) return undefined;
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
}

const numericDate = (v) => (typeof v === 'number' && Number.isFinite(v) ? new Date(v * 1000) : null);
const seconds = (d) => Math.floor(d.getTime() / 1000);
const moment = (v) => {
  if (typeof v !== 'string') return null;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? null : new Date(ms);
};
const isoSeconds = (d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function jwtCredential(payload) {
  if ('vc' in payload) {
    if (!isObject(payload.vc)) return null;
    const credential = structuredClone(payload.vc);
    // VC Data Model 1.1 §6.3.1: members the JWT carries as claims only.
    for (const [claim, member] of [['iss', 'issuer'], ['jti', 'id'], ['nbf', 'issuanceDate'], ['exp', 'expirationDate']]) {
      const present = member in credential || (member === 'issuanceDate' && 'validFrom' in credential) || (member === 'expirationDate' && 'validUntil' in credential);
      if (claim in payload && !present) {
        let value = payload[claim];
        if (claim === 'nbf' || claim === 'exp') value = numericDate(value) ? isoSeconds(numericDate(value)) : value;
        credential[member] = value;
      }
    }
    const subject = credential.credentialSubject;
    if (isObject(subject) && !('id' in subject) && typeof payload.sub === 'string') subject.id = payload.sub;
    return credential;
  }
  if ('@context' in payload || 'credentialSubject' in payload) {
    const credential = {};
    for (const [k, v] of Object.entries(payload)) if (!JWT_CLAIMS.includes(k)) credential[k] = structuredClone(v);
    return credential;
  }
  return null;
}

function claimsMismatch(payload, credential) {
  const issuer = credential.issuer;
  const issuerId = isObject(issuer) ? issuer.id : issuer;
  if (payload.iss !== issuerId) return ['iss', `the JWT iss ${payload.iss} is not the issuer ${issuerId}`];
  const subjectId = isObject(credential.credentialSubject) ? credential.credentialSubject.id : undefined;
  if ('sub' in payload && payload.sub !== subjectId) return ['sub', `the JWT sub ${payload.sub} is not credentialSubject.id`];
  if (('jti' in payload || 'id' in credential) && payload.jti !== credential.id) return ['jti', `the JWT jti ${payload.jti} is not the credential id`];
  const start = moment(credential.validFrom !== undefined ? credential.validFrom : credential.issuanceDate);
  const nbf = numericDate(payload.nbf);
  if (!nbf || !start || seconds(start) !== seconds(nbf)) return ['nbf', "the JWT nbf is not the credential's validFrom (issuanceDate)"];
  if ('exp' in payload) {
    const until = moment(credential.validUntil !== undefined ? credential.validUntil : credential.expirationDate);
    const exp = numericDate(payload.exp);
    if (!exp || !until || seconds(until) !== seconds(exp)) return ['exp', "the JWT exp is not the credential's validUntil (expirationDate)"];
  }
  return null;
}

async function verifyJwtWith(deps, token, resolveKey) {
  if (typeof token !== 'string' || token.length > MAX_JWT_CHARS) return { credential: null, outcome: jwtOutcome('malformed', 'the VC-JWT is not a string of at most 10 MB') };
  const parts = token.trim().split('.');
  if (parts.length !== 3) return { credential: null, outcome: jwtOutcome('malformed', 'a compact JWS has three dot-separated parts') };
  const header = jsonPart(parts[0]);
  const payload = jsonPart(parts[1]);
  const signature = parts[2].includes('=') ? null : base64url(parts[2]);
  if (header === undefined || payload === undefined || !signature) return { credential: null, outcome: jwtOutcome('malformed', 'the VC-JWT is not base64url-encoded JSON') };
  if (!isObject(header) || !isObject(payload)) return { credential: null, outcome: jwtOutcome('malformed', 'the JOSE header and payload must be JSON objects') };
  const credential = jwtCredential(payload);
  if (!credential) return { credential: null, outcome: jwtOutcome('malformed', 'the JWT carries no credential (vc claim)') };
  const { alg } = header;
  const kid = typeof header.kid === 'string' ? header.kid : null;
  const created = numericDate(payload.iat) || numericDate(payload.nbf);
  const common = { kid: kid || ('jwk' in header ? 'jwk' : null), created };
  if (typeof alg !== 'string' || !Object.prototype.hasOwnProperty.call(JWT_ALGORITHMS, alg)) {
    return { credential, outcome: jwtOutcome('unsupported-suite', `the JWS algorithm ${alg} is not one credstack verifies (RS256, ES256, ES384, EdDSA)`, { ...common, alg: String(alg) }) };
  }
  if ('crit' in header) return { credential, outcome: jwtOutcome('unsupported-suite', 'the JOSE header has critical extensions (crit)', { ...common, alg }) };
  let method;
  try {
    if (kid !== null) {
      method = await resolveKey(kid.startsWith('#') && typeof payload.iss === 'string' ? payload.iss + kid : kid);
    } else if ('jwk' in header) {
      method = { id: 'jwk', type: 'JsonWebKey', controller: null, key: keyFromJwk(header.jwk), source: 'jwk-header', relationships: [], document: {} };
    } else {
      throw new ResolutionError('the JOSE header has neither kid nor jwk');
    }
  } catch (error) {
    return { credential, outcome: jwtOutcome('key-unresolved', String(error && error.message), { ...common, alg }) };
  }
  const [wanted, hash] = JWT_ALGORITHMS[alg];
  if (method.key.algorithm !== wanted) {
    return { credential, outcome: jwtOutcome('key-type-mismatch', `${alg} needs an ${wanted} key, not ${method.key.algorithm}`, { ...common, alg, method, algorithm: method.key.algorithm }) };
  }
  const input = new TextEncoder().encode(`${parts[0]}.${parts[1]}`);
  if (!(await verifySignature(deps, method.key, input, signature, hash))) {
    return { credential, outcome: jwtOutcome('signature-mismatch', 'the content has changed since it was signed, or it was signed with another key', { ...common, alg, method }) };
  }
  const mismatch = claimsMismatch(payload, credential);
  if (mismatch) return { credential, outcome: jwtOutcome('claims-mismatch', mismatch[1], { ...common, alg, method, claim: mismatch[0] }) };
  return { credential, outcome: jwtOutcome('ok', 'the VC-JWT verifies', { ...common, alg, method }) };
}

// --- status lists (plugins/credstack/model/status.py) ---------------------------------------------

export const MIN_BITS = 131072;
export const MAX_LIST_BYTES = 16 * 1024 * 1024;
const STATUS_TYPES = {
  BitstringStatusListEntry: ['BitstringStatusListCredential', 'BitstringStatusList'],
  StatusList2021Entry: ['StatusList2021Credential', 'StatusList2021'],
};

export class StatusError extends Error {
  constructor(message) {
    super(message);
    this.name = 'StatusError';
  }
}

/** The readable credentialStatus entries and the types of the others: { entries, unsupported }. */
export function statusEntries(credential) {
  const entries = [];
  const unsupported = [];
  for (const item of asList(isObject(credential) ? credential.credentialStatus : undefined)) {
    const kind = isObject(item) ? item.type : undefined;
    if (STATUS_TYPES[kind]) {
      const url = item.statusListCredential;
      const purpose = item.statusPurpose;
      if (typeof url !== 'string' || !url) throw new StatusError(`the ${kind} has no statusListCredential URL`);
      if (typeof purpose !== 'string' || !purpose) throw new StatusError(`the ${kind} has no statusPurpose`);
      const text = typeof item.statusListIndex === 'string' || Number.isInteger(item.statusListIndex) ? String(item.statusListIndex) : '';
      if (!/^\d{1,15}$/.test(text)) throw new StatusError(`statusListIndex ${item.statusListIndex} is not a non-negative integer`);
      if (String(item.statusSize ?? 1) !== '1') throw new StatusError(`statusSize ${item.statusSize} is not supported (only 1-bit statuses)`);
      entries.push({ type: kind, purpose, listUrl: url, index: Number(text) });
    } else if (kind === '1EdTechRevocationList') {
      if (typeof item.id !== 'string' || !/^https?:\/\//.test(item.id)) throw new StatusError('a 1EdTechRevocationList entry needs the list URL as its id');
      entries.push({ type: kind, purpose: 'revocation', listUrl: item.id, index: null });
    } else {
      unsupported.push(String(kind));
    }
  }
  return { entries, unsupported };
}

async function gunzip(bytes) {
  const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_LIST_BYTES) {
      await reader.cancel();
      throw new StatusError(`the status list inflates to more than ${MAX_LIST_BYTES} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The bitstring bytes of an encodedList (kind: 'BitstringStatusList' | 'StatusList2021'). */
export async function decodeEncodedList(encoded, kind, minBits = MIN_BITS) {
  if (typeof encoded !== 'string' || !encoded) throw new StatusError('the status list has no encodedList');
  if (kind === 'BitstringStatusList' && encoded[0] !== 'u') throw new StatusError("a BitstringStatusList encodedList starts with 'u' (multibase)");
  let body = kind === 'BitstringStatusList' ? encoded.slice(1) : encoded;
  if (!/^[A-Za-z0-9_\-+/]*={0,2}$/.test(body)) throw new StatusError('encodedList is not base64');
  body = body.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  const compressed = base64url(body);
  if (!compressed) throw new StatusError('encodedList cannot be decoded');
  let data;
  try {
    data = await gunzip(compressed);
  } catch (error) {
    if (error instanceof StatusError) throw error;
    throw new StatusError(`encodedList cannot be decoded: ${error && error.message}`);
  }
  if (data.length * 8 < minBits) throw new StatusError(`the status list has ${data.length * 8} bits; the minimum is ${minBits}`);
  return data;
}

/** A status list credential checked against an entry: { kind, purpose, id, bits, get(index) }. */
export async function readStatusList(listCredential, entry, minBits = MIN_BITS) {
  if (!STATUS_TYPES[entry.type]) throw new StatusError(`${entry.type} entries do not point at a status list credential`);
  const [credentialType, subjectType] = STATUS_TYPES[entry.type];
  if (!asList(isObject(listCredential) ? listCredential.type : undefined).includes(credentialType)) {
    throw new StatusError(`the document at ${entry.listUrl} is not a ${credentialType}`);
  }
  let subject = listCredential.credentialSubject;
  if (Array.isArray(subject) && subject.length === 1) [subject] = subject;
  if (!isObject(subject) || !asList(subject.type).includes(subjectType)) throw new StatusError(`the status list's credentialSubject is not a ${subjectType}`);
  const purposes = asList(subject.statusPurpose);
  if (!purposes.includes(entry.purpose)) throw new StatusError(`the status list is for ${purposes.join(', ')}, not ${entry.purpose}`);
  if (listCredential.id !== undefined && typeof listCredential.id !== 'string') throw new StatusError("the status list credential's id is not a string");
  const bits = await decodeEncodedList(subject.encodedList, subjectType, minBits);
  return {
    kind: subjectType, purpose: entry.purpose, id: listCredential.id ?? null, bits,
    get(index) {
      if (!Number.isSafeInteger(index) || index < 0 || index >= bits.length * 8) throw new StatusError(`status index ${index} is outside the list`);
      return Boolean(bits[index >> 3] & (0x80 >> (index & 7)));
    },
  };
}

/** 'same' when the list's id is the URL it was fetched from, else 'served-elsewhere' (not a failure). */
export function listLocation(entry, listCredential) {
  const id = isObject(listCredential) ? listCredential.id : undefined;
  return id === undefined || id === null || id === entry.listUrl ? 'same' : 'served-elsewhere';
}

/** Whether a 1EdTech Revocation List revokes credentialId. */
export function revokedIn1EdTechList(list, credentialId) {
  if (!isObject(list)) throw new StatusError('the 1EdTech revocation list is not a JSON object');
  const items = list.revokedCredential === undefined ? [] : list.revokedCredential;
  if (!Array.isArray(items)) throw new StatusError('revokedCredential must be an array');
  const item = items.find((i) => isObject(i) && i.id === credentialId);
  return item ? item.revoked !== false : false;
}

// --- entry point -----------------------------------------------------------------------------------

/**
 * The suites, bound to the core bundle's primitives:
 *   deps.canonize(document, {messageDigestAlgorithm}) -> canonical N-Quads (safe mode); throws an
 *     error with code 'unknown-context' (params.url) for an unknown context, anything else for unsafe JSON-LD
 *   deps.verifyEd25519(publicKey, message, signature) -> boolean
 * Returns { verifyProofs(document, resolveKey, {expectedPurpose}) -> outcomes[],
 *           verifyJwt(token, resolveKey) -> {credential, outcome} }.
 */
export function createSuites(deps) {
  return {
    async verifyProofs(document, resolveKey, { expectedPurpose = 'assertionMethod' } = {}) {
      if (!isObject(document) || !('proof' in document)) return [];
      const proofs = asList(document.proof === null ? [null] : document.proof);
      const unsecured = { ...document };
      delete unsecured.proof;
      const out = [];
      for (let index = 0; index < proofs.length; index++) {
        out.push(await verifyOne(deps, unsecured, proofs, index, resolveKey, expectedPurpose));
      }
      return out;
    },
    verifyJwt: (token, resolveKey) => verifyJwtWith(deps, token, resolveKey),
  };
}

// Baked VC-JWTs and bounded extraction (OB 3.0 §5.3), for other issuers' badges.
export { extractPayload } from './baked.js';
