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
    throw new VerificationError('context', `unknown JSON-LD context ${url}`);
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
      const refused = new VerificationError('context', `it uses a JSON-LD context this verifier does not know: ${url}`);
      refused.url = url;
      throw refused;
    }
    const event = error && error.details && error.details.event;
    const what = event ? `${event.message.replace(/\.$/, '')}${event.details && event.details.property ? ` '${event.details.property}'` : ''}` : error.message;
    throw new VerificationError('canonicalization', `it contains data its JSON-LD contexts do not define (${what})`);
  }
}

/** The proof a verifier checks: the first DataIntegrityProof with an EdDSA cryptosuite. */
export function selectProof(document) {
  const proofs = asArray(document && document.proof);
  if (!proofs.length) throw new VerificationError('format', 'it has no proof');
  const proof = proofs.find((p) => p && p.type === 'DataIntegrityProof' && CRYPTOSUITES.includes(p.cryptosuite));
  if (!proof) {
    const p = proofs[0] || {};
    throw new VerificationError('format', `unsupported proof (type ${p.type}, cryptosuite ${p.cryptosuite}); expected DataIntegrityProof eddsa-rdfc-2022`);
  }
  if (proof.proofPurpose !== 'assertionMethod') {
    throw new VerificationError('format', `proofPurpose is ${proof.proofPurpose}, expected assertionMethod`);
  }
  if (typeof proof.verificationMethod !== 'string') {
    throw new VerificationError('format', 'the proof has no verificationMethod');
  }
  if (proof.created !== undefined && !parseDateTime(proof.created)) {
    // vc-di-eddsa §3.2.5 step 3: created must be a valid XMLSCHEMA11-2 datetime.
    throw new VerificationError('format', `proof.created is not a date-time with timezone: ${proof.created}`);
  }
  let signature;
  try {
    signature = multibaseDecode(proof.proofValue, 'z');
  } catch {
    signature = null;
  }
  if (!signature || signature.length !== 64) {
    throw new VerificationError('format', 'proofValue is not a base58btc (z...) 64-byte Ed25519 signature');
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
      throw new VerificationError('signature', "the proof's @context does not match the document's");
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
    throw new VerificationError('signature', 'the content has changed since it was signed');
  }
}
