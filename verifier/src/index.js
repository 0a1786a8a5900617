// credstack verifier: the public API, exposed in browsers as window.CredstackVerifier.
import { verifyEd25519 } from './ed25519.js';
import { canonize, contextLoader } from './proof.js';

import { verifyCredential as verifyWith } from './verify.js';

export { decodedCredential, needsSuites, unreadableReport, verifyDataIntegrityProof } from './verify.js';
export { hashEmail, matchRecipient } from './recipient.js';
export { extractFromPng, extractFromSvg, extractPayload } from './baked.js';

/** The lazily loaded suites file, next to this script (see build.mjs). */
export const SUITES_FILE = 'credstack-suites.js';
// document.currentScript is only set while a classic script first runs: remember it now.
const scriptUrl = typeof document !== 'undefined' && document.currentScript ? document.currentScript.src : null;

const loaded = new Map(); // suites file URL -> its module (loaded once per page)

/**
 * Load the other suites (Ed25519Signature2020, ecdsa-rdfc-2019, VC-JWT, P-256/P-384/RSA keys,
 * JWKs) on demand: import()s credstack-suites.js (from `url`, default beside this script) and
 * binds it to this bundle's safe-mode canonicalizer over `contexts` and its Ed25519 verifier.
 * Returns createSuites()'s { verifyProofs, verifyJwt }, the `extension` verifyCredential uses,
 * and the module (resolvers, status lists).
 */
export async function loadSuites({ contexts, url, module: imported } = {}) {
  let module = imported; // already imported (a realm that cannot import(), e.g. tests)
  if (!module) {
    const href = url || new URL(SUITES_FILE, scriptUrl || undefined).href;
    if (!loaded.has(href)) loaded.set(href, import(/* the chunk is a separate file, loaded at run time */ href));
    module = await loaded.get(href);
  }
  const loader = contextLoader(contexts);
  const deps = { canonize: (doc, options) => canonize(doc, loader, options), verifyEd25519 };
  return { ...module.createSuites(deps), extension: module.extension(deps), module };
}

/**
 * Verify a credential (JSON) or a VC-JWT (string): see verify.js. Unless `options.suites` or
 * `options.loadSuites` is given, credstack-suites.js is loaded from beside this script when the
 * credential needs it (`options.suitesUrl` to load it from elsewhere).
 */
export function verifyCredential(input, options = {}) {
  const loadSuitesOption = options.loadSuites || (async () => (await loadSuites({ contexts: options.contexts, url: options.suitesUrl })).extension);
  return verifyWith(input, { ...options, loadSuites: loadSuitesOption });
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
