// credstack verifier: the public API, exposed in browsers as window.CredstackVerifier.
export { verifyCredential, verifyDataIntegrityProof } from './verify.js';
export { hashEmail, matchRecipient } from './recipient.js';
export { extractFromPng, extractFromSvg } from './baked.js';
export { cachedVerifiedList } from './status.js';
