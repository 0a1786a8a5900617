// credstack verifier: the public API, exposed in browsers as window.CredstackVerifier.
export { verifyCredential, verifyDataIntegrityProof } from './verify.js';
export { hashEmail, matchRecipient } from './recipient.js';
export { extractFromPng, extractFromSvg } from './baked.js';
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
