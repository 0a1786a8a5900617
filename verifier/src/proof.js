// JSON-LD for Data Integrity proofs: the offline context loader and RDFC-1.0 canonicalization in
// jsonld.js safe mode (the per-proof algorithm is engine.js).
import { jsonldCanonize } from './jsonld-canonize.js';
import { VerificationError } from './codec.js';

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
  loader.contexts = contexts; // what it serves: processed contexts are kept per this (jsonld-canonize.js)
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
    return await jsonldCanonize(document, {
      documentLoader,
      safe: true,
      base: null,
      // RDFC-1.0's hash: SHA-256 unless a suite says otherwise (ecdsa-rdfc-2019 P-384: sha384).
      canonizeOptions: messageDigestAlgorithm ? { messageDigestAlgorithm } : {},
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
