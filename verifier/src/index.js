// credstack verifier: the public API, exposed in browsers as window.CredstackVerifier.
import { verifyEd25519 } from './ed25519.js';
import { canonize, contextLoader } from './proof.js';

export { verifyCredential, verifyDataIntegrityProof } from './verify.js';
export { hashEmail, matchRecipient } from './recipient.js';
export { extractFromPng, extractFromSvg } from './baked.js';

/** The lazily loaded suites file, next to this script (see build.mjs). */
export const SUITES_FILE = 'credstack-suites.js';
// document.currentScript is only set while a classic script first runs: remember it now.
const scriptUrl = typeof document !== 'undefined' && document.currentScript ? document.currentScript.src : null;

/**
 * Load the other suites (Ed25519Signature2020, ecdsa-rdfc-2019, VC-JWT, other keys and status
 * lists) on demand: import()s credstack-suites.js (from `url`, default beside this script) and
 * binds it to this bundle's safe-mode canonicalizer over `contexts` and its Ed25519 verifier.
 * Returns createSuites()'s { verifyProofs, verifyJwt } plus the module (resolvers, status lists).
 */
export async function loadSuites({ contexts, url } = {}) {
  const module = await import(/* the chunk is a separate file, loaded at run time */ url || new URL(SUITES_FILE, scriptUrl || undefined).href);
  const loader = contextLoader(contexts);
  return { ...module.createSuites({ canonize: (doc, options) => canonize(doc, loader, options), verifyEd25519 }), module };
}
export {
  verifyLog,
  openCheckpoint,
  tlogProofText,
  logService,
  TileReader,
  verifyInclusion,
  verifyConsistency,
  leafHash,
  credentialEntry,
  DEFAULT_MAX_AGE_MS,
} from './tlog.js';
export { cachedVerifiedList } from './status.js';
