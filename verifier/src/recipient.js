// OB 3.0 §"Verify the Recipient Using an Identifier" and the IdentityHash datatype.
import { asArray, hex, sha256, utf8 } from './codec.js';

/**
 * IdentityHash of an email: 'sha256$' + hex(SHA-256(UTF-8(email + salt))). The email is trimmed
 * and otherwise hashed as given: OB 3.0 defines no case folding (its own example hashes
 * 'a@example.com' + 'Kosher' to sha256$b5809d8a...).
 */
export async function hashEmail(email, salt = '') {
  return 'sha256$' + hex(await sha256(utf8(String(email).trim() + (salt ?? ''))));
}

/**
 * Does `email` match the credential subject's emailAddress identifier? Returns true or false, or
 * null when the subject has no emailAddress identifier. The address is tried as typed and then in
 * lower case (also NFC): the spec does not fold case, but many issuers, credstack included,
 * normalize before hashing. Hex digits
 * compare case-insensitively (the IdentityHash datatype allows either case).
 */
export async function matchRecipient(credential, email) {
  const subject = (credential && credential.credentialSubject) || {};
  const identifiers = asArray(subject.identifier).filter((i) => i && i.identityType === 'emailAddress' && typeof i.identityHash === 'string');
  if (!identifiers.length) return null;
  const typed = String(email).trim();
  // credstack's Python issuer hashes NFC-normalized, lower-cased addresses.
  const candidates = [...new Set([typed, typed.toLowerCase(), typed.normalize('NFC').toLowerCase()])];
  for (const identifier of identifiers) {
    const hashed = identifier.hashed === true || identifier.hashed === 'true';
    for (const candidate of candidates) {
      if (hashed) {
        if (!/^sha256\$/i.test(identifier.identityHash)) continue; // md5 is not in WebCrypto
        if ((await hashEmail(candidate, identifier.salt)).toLowerCase() === identifier.identityHash.toLowerCase()) return true;
      } else if (identifier.identityHash.toLowerCase() === candidate.toLowerCase()) {
        return true;
      }
    }
  }
  return false;
}
