// The proof suites credstack verifies beyond eddsa-rdfc-2022, for other issuers' credentials:
// the in-browser twin of plugins/credstack/crypto/suites.py and publickeys.py (same outcome codes,
// the report's vocabulary, same order of checks).
//
// Built as its own file (credstack-suites.js) and loaded on demand with import() by the core
// bundle (CredstackVerifier.loadSuites()), so a page that verifies credstack's own
// eddsa-rdfc-2022 credentials downloads nothing more. It bundles no JSON-LD: the core hands in
// its safe-mode canonicalizer and Ed25519 verifier (createSuites(deps), extension(deps)).
//
//   eddsa-rdfc-2022 / eddsa-2022  vc-di-eddsa §3.2 (also in the core)
//   Ed25519Signature2020          vc-di-eddsa (legacy): same transformation, Ed25519
//   ecdsa-rdfc-2019               vc-di-ecdsa §3.3: P-256 (SHA-256), P-384 (SHA-384, also as the
//                                 RDFC-1.0 hash), signature r || s, WebCrypto ECDSA
//   VC-JWT                        OB 3.0 §8.2: RS256, ES256, ES384, EdDSA; kid or jwk header
import { EDDSA_SUITES, isoSeconds, verifyProofsWith } from './engine.js';
import { MAX_JWT_CHARS, base64url, credentialOf, jsonPart, jwtCredential, numericDate } from './jwt.js';
import { ResolutionError, makeResolver as resolverOver, multikeyParts } from './methods.js';
import { MIN_BITS, STATUS_TYPES, StatusError, decodeEncodedList } from './lists.js';

export { ResolutionError, didKeyMethod, methodFromDocument, urlFragmentMethod } from './methods.js';
export { MAX_LIST_BYTES, MIN_BITS, StatusError, decodeEncodedList, revokedIn1EdTechList, statusEntries } from './lists.js';
export { parseCreated } from './engine.js';
export { MAX_JWT_CHARS, jwtCredential } from './jwt.js';

/** Every signature outcome code (the report's signature codes a proof can have). */
export const CODES = [
  'ok', 'mismatch', 'malformed-proof', 'unsupported-suite', 'unsafe-jsonld', 'unknown-context',
  'key-type-mismatch', 'bad-purpose', 'claims-mismatch',
];

// --- bytes --------------------------------------------------------------------------------------

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
    if (!onCurve(x, y)) throw new ResolutionError(`the ${algorithm} public key is not a point on the curve`, 'malformed-key');
    return point;
  }
  if (point.length === 1 + size && (point[0] === 2 || point[0] === 3)) {
    const x = toBig(point.slice(1));
    const rhs = (((x * x * x - 3n * x + b) % p) + p) % p;
    let y = modPow(rhs, (p + 1n) / 4n, p); // p = 3 (mod 4) for both curves
    if (!onCurve(x, y)) throw new ResolutionError(`the ${algorithm} public key is not a point on the curve`, 'malformed-key');
    if ((y & 1n) !== BigInt(point[0] & 1)) y = p - y;
    return concat(Uint8Array.of(4), concat(fromBig(x, size), fromBig(y, size)));
  }
  throw new ResolutionError(`the ${algorithm} public key is not a point on the curve`, 'malformed-key');
}

/** Key material from a Multikey publicKeyMultibase: { algorithm, raw }. Throws ResolutionError. */
export function keyFromMultikey(text) {
  const { algorithm, body } = multikeyParts(text);
  return { algorithm, raw: algorithm === 'Ed25519' ? body : ecPoint(algorithm, body) };
}

const PRIVATE_JWK = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

function jwkBytes(jwk, name) {
  const value = jwk[name];
  const bytes = typeof value === 'string' && value && !value.includes('=') ? base64url(value) : null;
  if (!bytes) throw new ResolutionError(`the JWK member '${name}' must be base64url without padding`, 'malformed-key');
  return bytes;
}

/** Key material from a public JWK. Throws ResolutionError (also for private JWKs). */
export function keyFromJwk(jwk) {
  if (!isObject(jwk)) throw new ResolutionError('a JWK must be a JSON object', 'malformed-key');
  const secret = PRIVATE_JWK.filter((n) => n in jwk);
  if (secret.length) throw new ResolutionError(`the JWK holds private key material (${secret.join(', ')})`, 'malformed-key');
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') {
    const raw = jwkBytes(jwk, 'x');
    if (raw.length !== 32) throw new ResolutionError(`an Ed25519 JWK 'x' is 32 bytes, got ${raw.length}`, 'malformed-key');
    return { algorithm: 'Ed25519', raw, jwk };
  }
  if (jwk.kty === 'EC' && CURVES[jwk.crv]) {
    const x = jwkBytes(jwk, 'x');
    const y = jwkBytes(jwk, 'y');
    const { size } = CURVES[jwk.crv];
    if (x.length !== size || y.length !== size) throw new ResolutionError(`a ${jwk.crv} JWK has ${size}-byte coordinates`, 'malformed-key');
    return { algorithm: jwk.crv, raw: ecPoint(jwk.crv, concat(Uint8Array.of(4), concat(x, y))), jwk };
  }
  if (jwk.kty === 'RSA') {
    const n = toBig(jwkBytes(jwk, 'n'));
    const e = toBig(jwkBytes(jwk, 'e'));
    if (n.toString(2).length < 2048 || e < 3n || e % 2n === 0n) throw new ResolutionError('the RSA JWK is too weak or malformed', 'malformed-key');
    return { algorithm: 'RSA', raw: null, jwk: { kty: 'RSA', n: jwk.n, e: jwk.e } };
  }
  throw new ResolutionError(`unsupported JWK (kty ${jwk.kty}, crv ${jwk.crv})`, 'unsupported');
}

/** Every key credstack reads (the core's decoder knows Ed25519 Multikeys only). */
export const DECODE = { multikey: keyFromMultikey, jwk: keyFromJwk };

/** resolveKey(methodId) over the given DID documents ({did: document}); throws ResolutionError. */
export const makeResolver = (documents = {}) => resolverOver(documents, DECODE);

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

/** Every Data Integrity suite credstack verifies: 'type cryptosuite' -> [suite, key algorithms]. */
export const DI_SUITES = {
  ...EDDSA_SUITES,
  'DataIntegrityProof ecdsa-rdfc-2019': ['ecdsa-rdfc-2019', ['P-256', 'P-384']],
  'Ed25519Signature2020 null': ['Ed25519Signature2020', ['Ed25519']],
};

// --- VC-JWT ---------------------------------------------------------------------------------------

export const JWT_ALGORITHMS = { RS256: ['RSA', 'SHA-256'], ES256: ['P-256', 'SHA-256'], ES384: ['P-384', 'SHA-384'], EdDSA: ['Ed25519', 'SHA-256'] };

function jwtOutcome(code, message, { kid = null, alg = '', created = null, method = null, check = 'signature', ...params } = {}) {
  return {
    index: 0, suite: 'VC-JWT', verificationMethod: kid, created: created ? isoSeconds(created) : null,
    ok: code === 'ok', check, code, params: { detail: message, ...(alg ? { alg } : {}), ...params }, method,
  };
}

const seconds = (d) => Math.floor(d.getTime() / 1000);
const moment = (v) => {
  if (typeof v !== 'string') return null;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? null : new Date(ms);
};

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
  if (typeof token !== 'string' || token.length > MAX_JWT_CHARS) return { credential: null, outcome: jwtOutcome('malformed-proof', 'the VC-JWT is not a string of at most 10 MB') };
  const parts = token.trim().split('.');
  if (parts.length !== 3) return { credential: null, outcome: jwtOutcome('malformed-proof', 'a compact JWS has three dot-separated parts') };
  const header = jsonPart(parts[0]);
  const payload = jsonPart(parts[1]);
  const signature = parts[2].includes('=') ? null : base64url(parts[2]);
  if (header === undefined || payload === undefined || !signature) return { credential: null, outcome: jwtOutcome('malformed-proof', 'the VC-JWT is not base64url-encoded JSON') };
  if (!isObject(header) || !isObject(payload)) return { credential: null, outcome: jwtOutcome('malformed-proof', 'the JOSE header and payload must be JSON objects') };
  const credential = credentialOf(payload);
  if (!credential) return { credential: null, outcome: jwtOutcome('malformed-proof', 'the JWT carries no credential (vc claim)') };
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
      throw new ResolutionError("the JOSE header has neither kid nor jwk: the key would come from the issuer's profile on the network", 'unresolvable');
    }
  } catch (error) {
    const code = error && typeof error.code === 'string' ? error.code : 'unresolvable';
    return { credential, outcome: jwtOutcome(code, String(error && error.message), { ...common, alg, check: 'issuer-key' }) };
  }
  const [wanted, hash] = JWT_ALGORITHMS[alg];
  if (method.key.algorithm !== wanted) {
    return { credential, outcome: jwtOutcome('key-type-mismatch', `${alg} needs an ${wanted} key, not ${method.key.algorithm}`, { ...common, alg, method, algorithm: method.key.algorithm }) };
  }
  const input = new TextEncoder().encode(`${parts[0]}.${parts[1]}`);
  if (!(await verifySignature(deps, method.key, input, signature, hash))) {
    return { credential, outcome: jwtOutcome('mismatch', 'the content has changed since it was signed, or it was signed with another key', { ...common, alg, method }) };
  }
  const mismatch = claimsMismatch(payload, credential);
  if (mismatch) return { credential, outcome: jwtOutcome('claims-mismatch', mismatch[1], { ...common, alg, method, claim: mismatch[0] }) };
  return { credential, outcome: jwtOutcome('ok', 'the VC-JWT verifies', { ...common, alg, method }) };
}

// --- status lists (plugins/credstack/model/status.py) ---------------------------------------------

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

// --- entry points ----------------------------------------------------------------------------------

/**
 * What the core verifier needs from this file, bound to the core bundle's primitives:
 *   deps.canonize(document, {messageDigestAlgorithm}) -> canonical N-Quads (safe mode); throws an
 *     error with code 'unknown-context' (params.url) for an unknown context, anything else for unsafe JSON-LD
 *   deps.verifyEd25519(publicKey, message, signature) -> boolean
 * Returns { table, decode, verifySignature, verifyJwt(token, resolveKey), jwtCredential(token) }.
 */
export function extension(deps) {
  return {
    table: DI_SUITES,
    decode: DECODE,
    verifySignature: (key, message, signature, hash) => verifySignature(deps, key, message, signature, hash),
    verifyJwt: (token, resolveKey) => verifyJwtWith(deps, token, resolveKey),
    jwtCredential,
  };
}

/**
 * Every suite, one outcome per proof: { verifyProofs(document, resolveKey, {expectedPurpose}) ->
 * outcomes[], verifyJwt(token, resolveKey) -> {credential, outcome} }.
 */
export function createSuites(deps) {
  const ext = extension(deps);
  const engine = { table: ext.table, complete: true, canonize: deps.canonize, verifySignature: ext.verifySignature };
  return {
    verifyProofs: (document, resolveKey, options) => verifyProofsWith(engine, document, resolveKey, options),
    verifyJwt: ext.verifyJwt,
  };
}

// Baked VC-JWTs and bounded extraction (OB 3.0 §5.3), for other issuers' badges.
export { extractPayload } from './baked.js';
