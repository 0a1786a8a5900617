// Byte encodings used by Data Integrity proofs, Multikey and Bitstring Status List.

export class VerificationError extends Error {
  /** @param {string} code one of: format, canonicalization, context, key, signature, fetch */
  constructor(code, message) {
    super(message);
    this.name = 'VerificationError';
    this.code = code;
  }
}

/**
 * Thrown when a credential needs what the core bundle does not carry (another proof suite, a
 * P-256/P-384/RSA key, a JWK, a VC-JWT): the verifier loads credstack-suites.js and runs again.
 */
export class NeedSuites extends Error {
  constructor(what) {
    super(`${what} needs the other proof suites (credstack-suites.js)`);
    this.name = 'NeedSuites';
    this.needsSuites = true;
  }
}

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Decode base58btc (the Bitcoin alphabet, as multibase 'z' uses it). */
export function base58Decode(text) {
  const out = []; // little-endian while building
  for (const ch of text) {
    let carry = B58.indexOf(ch);
    if (carry < 0) throw new VerificationError('format', `not base58btc: unexpected '${ch}'`);
    for (let i = 0; i < out.length; i++) {
      carry += out[i] * 58;
      out[i] = carry & 0xff;
      carry >>= 8;
    }
    while (carry) {
      out.push(carry & 0xff);
      carry >>= 8;
    }
  }
  for (const ch of text) {
    if (ch !== '1') break;
    out.push(0); // each leading '1' is a leading zero byte
  }
  return Uint8Array.from(out.reverse());
}

/** Decode base64url without padding (RFC 4648 §5). */
export function base64urlDecode(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new VerificationError('format', 'not base64url without padding');
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** Multibase (draft-multiformats-multibase): 'z' = base58btc, 'u' = base64url no padding. */
export function multibaseDecode(text, expected) {
  if (typeof text !== 'string' || text[0] !== expected) {
    throw new VerificationError('format', `expected a multibase value starting with '${expected}'`);
  }
  return expected === 'z' ? base58Decode(text.slice(1)) : base64urlDecode(text.slice(1));
}

/**
 * Ed25519 public key from a Multikey publicKeyMultibase (Controlled Identifiers 1.0, "Multikey"):
 * base58btc of the multicodec header 0xed 0x01 followed by the 32-byte key ("z6Mk...").
 */
export function ed25519FromMultikey(publicKeyMultibase) {
  const bytes = multibaseDecode(publicKeyMultibase, 'z');
  if (bytes.length !== 34 || bytes[0] !== 0xed || bytes[1] !== 0x01) {
    throw new VerificationError('key', `${publicKeyMultibase} is not an Ed25519 Multikey (z6Mk...)`);
  }
  return bytes.slice(2);
}

export const utf8 = (text) => new TextEncoder().encode(text);

export const hex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

/** XML Schema dateTimeStamp (a dateTime with a timezone), as VC 2.0 §4.9 requires; null if not one. */
export function parseDateTime(value) {
  if (typeof value !== 'string') return null;
  if (!/^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms);
}

/** The calendar date as the issuer wrote it ("2026-01-31"), for verdicts. */
export const day = (value) => String(value).slice(0, 10);

export const asArray = (value) => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]);

export const idOf = (value) => (typeof value === 'string' ? value : value && typeof value === 'object' ? value.id : undefined);
