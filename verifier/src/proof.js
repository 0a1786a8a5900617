// Data Integrity EdDSA Cryptosuites v1.0 (W3C REC 2025-05-15), §3.2 eddsa-rdfc-2022, verify side.
import jsonld from 'jsonld';
import { VerificationError, asArray, multibaseDecode, parseDateTime, sha256, utf8 } from './codec.js';
import { verifyEd25519 } from './ed25519.js';

// 'eddsa-2022' is the suite's earlier name (same algorithm); OB 3.0 verifiers accept both.
export const CRYPTOSUITES = ['eddsa-rdfc-2022', 'eddsa-2022'];

/**
 * A JSON-LD document loader that serves only the given contexts and refuses every other URL
 * (Data Integrity 1.0 §2.4.1: "use only local copies of approved context files"). It never fetches.
 */
export function contextLoader(contexts) {
  const loader = async (url) => {
    if (contexts && Object.prototype.hasOwnProperty.call(contexts, url)) {
      const document = contexts[url];
      return { contextUrl: null, documentUrl: url, document: typeof document === 'string' ? JSON.parse(document) : document };
    }
    loader.refused.push(url);
    throw new VerificationError('unknown-context', `unknown JSON-LD context ${url}`);
  };
  loader.refused = [];
  return loader;
}

/**
 * RDF Dataset Canonicalization (RDFC-1.0) of a JSON-LD document, as canonical N-Quads.
 * jsonld.js safe mode fails closed: a term the contexts do not define, a relative IRI or any
 * value that expansion would drop throws instead of silently vanishing from what is signed.
 */
export async function canonize(document, documentLoader, { messageDigestAlgorithm } = {}) {
  const refusedBefore = documentLoader.refused.length;
  try {
    return await jsonld.canonize(document, {
      algorithm: 'RDFC-1.0',
      format: 'application/n-quads',
      documentLoader,
      safe: true,
      base: null,
      // RDFC-1.0's hash: SHA-256 unless a suite says otherwise (ecdsa-rdfc-2019 P-384: sha384).
      ...(messageDigestAlgorithm ? { canonizeOptions: { messageDigestAlgorithm } } : {}),
    });
  } catch (error) {
    if (documentLoader.refused.length > refusedBefore) {
      const url = documentLoader.refused[refusedBefore];
      const error = new VerificationError('unknown-context', `it uses a JSON-LD context this verifier does not know: ${url}`);
      error.params = { url };
      throw error;
    }
    const event = error && error.details && error.details.event;
    const what = event ? `${event.message.replace(/\.$/, '')}${event.details && event.details.property ? ` '${event.details.property}'` : ''}` : error.message;
    throw new VerificationError('unsafe-jsonld', `it contains data its JSON-LD contexts do not define (${what})`);
  }
}

const REQUIRED = ['type', 'cryptosuite', 'created', 'verificationMethod', 'proofPurpose', 'proofValue'];
// Absolute IRIs as credstack/crypto/canon.py reads them (scheme, no whitespace or <>"{}|^`\).
const ABSOLUTE_IRI = /^([A-Za-z][A-Za-z0-9+\-.]*|_):[^\s]*$/;
const IRI_FORBIDDEN = /[\x00-\x20<>"{}|^`\\\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;
const DATE_TIME_STAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The one DataIntegrityProof a credstack verifier checks, validated in the same order as the
 * Python verifier (credstack/crypto/proof.py, DataIntegrityProof.from_json). Throws
 * VerificationError with a `signature` reason code.
 */
export function selectProof(document) {
  const proofs = asArray(document && document.proof);
  if (!proofs.length) throw new VerificationError('malformed-proof', 'it has no proof');
  if (proofs.length > 1) throw new VerificationError('malformed-proof', `the credential has ${proofs.length} proofs; credstack verifies exactly one`);
  const proof = proofs[0];
  if (!proof || typeof proof !== 'object' || Array.isArray(proof)) throw new VerificationError('malformed-proof', 'the proof must be a JSON object');
  const missing = REQUIRED.filter((name) => !(name in proof));
  if (missing.length) throw new VerificationError('malformed-proof', `the proof has no ${missing.join(', ')}`);
  const notText = REQUIRED.find((name) => typeof proof[name] !== 'string');
  if (notText) throw new VerificationError('malformed-proof', `the proof's ${notText} must be a string`);
  if (proof.type !== 'DataIntegrityProof') throw new VerificationError('unsupported-suite', `the proof type is ${proof.type}; expected DataIntegrityProof`);
  if (!CRYPTOSUITES.includes(proof.cryptosuite)) throw new VerificationError('unsupported-suite', `the proof uses the cryptosuite ${proof.cryptosuite}`);
  if (proof.proofPurpose !== 'assertionMethod') {
    throw new VerificationError('bad-purpose', `the proof purpose is ${proof.proofPurpose}, expected assertionMethod`);
  }
  if (!ABSOLUTE_IRI.test(proof.verificationMethod) || IRI_FORBIDDEN.test(proof.verificationMethod)) {
    throw new VerificationError('malformed-proof', `the verificationMethod ${proof.verificationMethod} is not an absolute IRI`);
  }
  let signature;
  try {
    signature = multibaseDecode(proof.proofValue, 'z');
  } catch {
    signature = null;
  }
  if (!signature || signature.length !== 64) {
    throw new VerificationError('malformed-proof', 'proofValue is not a base58btc (z...) 64-byte Ed25519 signature');
  }
  // vc-di-eddsa §3.2.5 step 3: created must be a valid XMLSCHEMA11-2 dateTimeStamp.
  if (!DATE_TIME_STAMP.test(proof.created) || !parseDateTime(proof.created)) {
    throw new VerificationError('malformed-proof', `proof.created is not a date-time with timezone: ${proof.created}`);
  }
  if (proof.expires !== undefined && (typeof proof.expires !== 'string' || !DATE_TIME_STAMP.test(proof.expires) || !parseDateTime(proof.expires))) {
    throw new VerificationError('malformed-proof', 'proof.expires is not a date-time with timezone');
  }
  return { proof, signature };
}

/**
 * vc-di-eddsa §3.2.2 Verify Proof (eddsa-rdfc-2022), given the proof from selectProof and the
 * verification method's Ed25519 public key. Returns nothing; throws VerificationError.
 */
export async function verifyProof(securedDocument, { proof, signature }, publicKey, documentLoader) {
  // Step 1: unsecuredDocument = securedDocument without its proof (all proofs of a proof set,
  // Data Integrity 1.0 §4.4).
  const unsecuredDocument = { ...securedDocument };
  delete unsecuredDocument.proof;
  // Step 2: proofOptions = the proof without proofValue. (Step 3, proofBytes: selectProof.)
  const proofOptions = { ...proof };
  delete proofOptions.proofValue;
  // Not in the REC, as in later editor's drafts: a proof-level @context must be a prefix of the
  // document's @context, and then replaces it.
  if (proofOptions['@context'] !== undefined) {
    const docCtx = asArray(securedDocument['@context']);
    const proofCtx = asArray(proofOptions['@context']);
    if (!proofCtx.every((c, i) => JSON.stringify(c) === JSON.stringify(docCtx[i]))) {
      throw new VerificationError('malformed-proof', "the proof's @context is not the start of the credential's @context");
    }
    unsecuredDocument['@context'] = proofOptions['@context'];
  }
  // Step 4, §3.2.3 Transformation: RDFC-1.0 canonical N-Quads of the document.
  const canonicalDocument = await canonize(unsecuredDocument, documentLoader);
  // Step 5, §3.2.5 Proof Configuration: the proof options with the document's @context.
  const proofConfig = { ...proofOptions, '@context': unsecuredDocument['@context'] };
  const canonicalProofConfig = await canonize(proofConfig, documentLoader);
  // Step 6, §3.2.4 Hashing: hashData = SHA-256(proofConfig) || SHA-256(document), 64 bytes.
  const hashData = new Uint8Array(64);
  hashData.set(await sha256(utf8(canonicalProofConfig)), 0);
  hashData.set(await sha256(utf8(canonicalDocument)), 32);
  // Step 7, §3.2.7 Proof Verification: Ed25519 over hashData.
  if (!(await verifyEd25519(publicKey, hashData, signature))) {
    throw new VerificationError('mismatch', 'the content has changed since it was signed');
  }
}
