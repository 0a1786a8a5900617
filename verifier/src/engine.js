// Data Integrity proofs, one outcome per proof: the in-browser twin of
// plugins/credstack/crypto/suites.py verify_proofs (same order of checks, same codes, the report's
// vocabulary). Shared by the core bundle (eddsa-rdfc-2022 / eddsa-2022 only: any other suite
// throws NeedSuites) and credstack-suites.js (every suite).
//
// deps: { table, complete, canonize(document, {messageDigestAlgorithm}), verifySignature(key,
// message, signature, hash), signatureCache? }. table: 'type cryptosuite' -> [suite name, [key
// algorithms]]. signatureCache: see `remembered`.
import { NeedSuites, base58Decode, hex } from './codec.js';

/** The suites the core bundle verifies (vc-di-eddsa §3.2; 'eddsa-2022' is its earlier name). */
export const EDDSA_SUITES = {
  'DataIntegrityProof eddsa-rdfc-2022': ['eddsa-rdfc-2022', ['Ed25519']],
  'DataIntegrityProof eddsa-2022': ['eddsa-2022', ['Ed25519']],
};
const SIGNATURE_BYTES = { Ed25519: 64, 'P-256': 64, 'P-384': 96 };
export const MAX_PROOFS = 16; // proofs beyond this many are refused unread (suites.py MAX_PROOFS)
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
// Absolute IRIs as plugins/credstack/crypto/canon.py reads them.
const ABSOLUTE_IRI = /^([A-Za-z][A-Za-z0-9+\-.]*|_):[^\s]*$/;
const IRI_FORBIDDEN = /[\x00-\x20<>"{}|^`\\\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const asList = (v) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

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

/** A date as credstack writes it: UTC, to the second (format_datetime in Python). */
export const isoSeconds = (date) => new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');

export function outcome(suite, proof, index, code, detail, { check = 'signature', method = null, ...params } = {}) {
  const created = parseCreated(proof.created);
  return {
    index,
    suite,
    verificationMethod: typeof proof.verificationMethod === 'string' ? proof.verificationMethod : null,
    created: created ? isoSeconds(created) : null,
    ok: code === 'ok',
    check,
    code,
    params: { detail, ...params },
    method,
  };
}

async function digest(name, text) {
  return new Uint8Array(await globalThis.crypto.subtle.digest(name, new TextEncoder().encode(text)));
}

function base58Value(text) {
  if (text[0] !== 'z') return null;
  try {
    return base58Decode(text.slice(1));
  } catch {
    return null;
  }
}

/** Does JSON text tell apart every value in `value` that canonicalization tells apart? Not
 *  with Infinity or NaN (written as null) or -0 (written as 0): such a document is never kept. */
export function keyable(value) {
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (value === null || typeof value !== 'object') return true;
  return Object.values(value).every(keyable);
}

/**
 * A signature verified before. deps.signatureCache ({ key(parts), get(key), set(key, true) }: the
 * page keeps it in localStorage) remembers passes only, under a key over everything the signature
 * check reads: the signed document (with any chained proofs), the proof itself, the suite and the
 * public key (the page adds its verifier's and its contexts' digests). A changed byte is another
 * key; a failure is checked again every time; a cache that fails to answer is ignored. Who
 * controls the key, whether it may sign and when are decided every time, outside this.
 */
async function remembered(cache, { suite, document, proof, key }) {
  const material = key.raw instanceof Uint8Array ? hex(key.raw) : key.jwk ? key.jwk : null;
  let id = null;
  if (cache && material !== null && keyable(document) && keyable(proof)) {
    try {
      id = await cache.key({ suite, document, proof, key: { algorithm: key.algorithm, material } });
      if (id && (await cache.get(id)) === true) return { hit: true, keep: async () => {} };
    } catch {
      id = null;
    }
  }
  const keep = async () => {
    if (!id) return;
    try {
      await cache.set(id, true);
    } catch {
      // nothing kept: verified again next time
    }
  };
  return { hit: false, keep };
}

async function verifyOne(deps, unsecured, proofs, index, resolveKey, expectedPurpose) {
  const proof = proofs[index];
  if (index >= MAX_PROOFS) return outcome('unknown', {}, index, 'malformed-proof', `credstack verifies at most ${MAX_PROOFS} proofs`);
  if (!isObject(proof)) return outcome('unknown', {}, index, 'malformed-proof', 'the proof is not a JSON object');
  const cryptosuite = proof.type === 'DataIntegrityProof' && typeof proof.cryptosuite === 'string' ? proof.cryptosuite : null;
  const known = deps.table[`${proof.type} ${cryptosuite}`];
  if (!known) {
    const name = String(cryptosuite || proof.type);
    if (!deps.complete) throw new NeedSuites(`the suite ${name}`);
    return outcome(name, proof, index, 'unsupported-suite', `the proof suite ${name} is not one credstack verifies`, { name });
  }
  const [suite, algorithms] = known;
  // Data Integrity 1.0 §4.4 steps 3-4: required members and the expected purpose.
  for (const member of ['verificationMethod', 'proofPurpose', 'proofValue']) {
    if (typeof proof[member] !== 'string') return outcome(suite, proof, index, 'malformed-proof', `the proof has no string ${member}`);
  }
  if ('created' in proof && !parseCreated(proof.created)) {
    return outcome(suite, proof, index, 'malformed-proof', "the proof's created is not an XML Schema dateTime with a time zone");
  }
  if (proof.proofPurpose !== expectedPurpose) {
    return outcome(suite, proof, index, 'bad-purpose', `the proof purpose is ${proof.proofPurpose}, expected ${expectedPurpose}`, { expected: expectedPurpose });
  }
  if (!ABSOLUTE_IRI.test(proof.verificationMethod) || IRI_FORBIDDEN.test(proof.verificationMethod)) {
    return outcome(suite, proof, index, 'malformed-proof', 'the verificationMethod is not an absolute IRI');
  }
  const signature = base58Value(proof.proofValue);
  if (!signature) return outcome(suite, proof, index, 'malformed-proof', "the proofValue is not multibase base58btc ('z...')");
  // Controlled Identifiers 1.0 "Retrieve Verification Method".
  let method;
  try {
    method = await resolveKey(proof.verificationMethod);
  } catch (error) {
    if (error && error.needsSuites) throw error;
    const code = error && typeof error.code === 'string' ? error.code : 'unresolvable';
    return outcome(suite, proof, index, code, String(error && error.message), { check: 'issuer-key' });
  }
  const { key } = method;
  if (!algorithms.includes(key.algorithm)) {
    return outcome(suite, proof, index, 'key-type-mismatch', `${suite} needs an ${algorithms.join(' or ')} key, the method holds a ${key.algorithm} key`, { algorithm: key.algorithm, method });
  }
  if (signature.length !== SIGNATURE_BYTES[key.algorithm]) {
    return outcome(suite, proof, index, 'malformed-proof', `the proofValue holds ${signature.length} bytes; a ${key.algorithm} signature is ${SIGNATURE_BYTES[key.algorithm]}`, { method });
  }
  const options = { ...proof };
  delete options.proofValue;
  const document = structuredClone(unsecured);
  if ('@context' in options) {
    // A proof-level @context must be the start of the document's.
    const own = asList(options['@context']);
    const docCtx = Array.isArray(unsecured['@context']) ? unsecured['@context'] : [unsecured['@context']];
    if (!own.every((c, i) => JSON.stringify(c) === JSON.stringify(docCtx[i]))) {
      return outcome(suite, proof, index, 'malformed-proof', "the proof's @context is not the start of the document's", { method });
    }
  }
  if (proof.previousProof !== undefined && proof.previousProof !== null) {
    // Data Integrity 1.0 §4.4 (proof chains): the proofs named by previousProof are signed too.
    const wanted = asList(proof.previousProof);
    const chained = proofs.filter((p) => isObject(p) && wanted.includes(p.id));
    if (chained.length !== wanted.length || !wanted.every((w) => typeof w === 'string')) {
      return outcome(suite, proof, index, 'malformed-proof', 'previousProof names a proof the document does not have', { method });
    }
    document.proof = structuredClone(chained.length === 1 ? chained[0] : chained);
  }
  const memory = await remembered(deps.signatureCache, { suite, document, proof, key });
  if (memory.hit) return outcome(suite, proof, index, 'ok', 'the proof verifies', { method });
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
    if (error && error.code === 'unknown-context') return outcome(suite, proof, index, 'unknown-context', error.message, { url: (error.params && error.params.url) || '', method });
    return outcome(suite, proof, index, 'unsafe-jsonld', String(error && error.message), { method });
  }
  const configHash = await digest(hash, canonicalConfig);
  const documentHash = await digest(hash, canonicalDocument);
  const hashData = new Uint8Array(configHash.length + documentHash.length);
  hashData.set(configHash, 0);
  hashData.set(documentHash, configHash.length);
  if (!(await deps.verifySignature(key, hashData, signature, hash))) {
    return outcome(suite, proof, index, 'mismatch', 'the content has changed since it was signed, or it was signed with another key', { method });
  }
  await memory.keep();
  return outcome(suite, proof, index, 'ok', 'the proof verifies', { method });
}

/** One outcome per embedded proof of `document`, in document order ([] when it has none). */
export async function verifyProofsWith(deps, document, resolveKey, { expectedPurpose = 'assertionMethod' } = {}) {
  if (!isObject(document) || !('proof' in document)) return [];
  const proofs = asList(document.proof === null ? [null] : document.proof);
  const unsecured = { ...document };
  delete unsecured.proof;
  const out = [];
  for (let index = 0; index < proofs.length; index++) {
    out.push(await verifyOne(deps, unsecured, proofs, index, resolveKey, expectedPurpose));
  }
  return out;
}
