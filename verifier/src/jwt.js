// VC-JWT decoding (OB 3.0 §8.2, VC Data Model 1.1 §6.3.1), shared by the core bundle (to read
// the credential a VC-JWT carries, unverified) and credstack-suites.js (which verifies it): the
// twin of jwt_credential / _jwt_credential in plugins/credstack/crypto/suites.py.
import { isoSeconds } from './engine.js';

/** Refuse tokens larger than this before decoding anything (a baked image holds at most 10 MB). */
export const MAX_JWT_CHARS = 10 * 1024 * 1024;
const JWT_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti'];
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

export function base64url(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  if (b64.length % 4 === 1) return null;
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export function jsonPart(part) {
  if (!part || part.includes('=')) return undefined;
  const bytes = base64url(part);
  if (!bytes) return undefined;
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
}

export const numericDate = (v) => (typeof v === 'number' && Number.isFinite(v) ? new Date(v * 1000) : null);

export function credentialOf(payload) {
  if ('vc' in payload) {
    if (!isObject(payload.vc)) return null;
    const credential = structuredClone(payload.vc);
    // VC Data Model 1.1 §6.3.1: members the JWT carries as claims only.
    for (const [claim, member] of [['iss', 'issuer'], ['jti', 'id'], ['nbf', 'issuanceDate'], ['exp', 'expirationDate']]) {
      const present = member in credential || (member === 'issuanceDate' && 'validFrom' in credential) || (member === 'expirationDate' && 'validUntil' in credential);
      if (claim in payload && !present) {
        let value = payload[claim];
        if (claim === 'nbf' || claim === 'exp') value = numericDate(value) ? isoSeconds(numericDate(value)) : value;
        credential[member] = value;
      }
    }
    const subject = credential.credentialSubject;
    if (isObject(subject) && !('id' in subject) && typeof payload.sub === 'string') subject.id = payload.sub;
    return credential;
  }
  if ('@context' in payload || 'credentialSubject' in payload) {
    const credential = {};
    for (const [k, v] of Object.entries(payload)) if (!JWT_CLAIMS.includes(k)) credential[k] = structuredClone(v);
    return credential;
  }
  return null;
}

/** The credential a VC-JWT carries, decoded but NOT verified (null when it has none). */
export function jwtCredential(token) {
  if (typeof token !== 'string' || token.length > MAX_JWT_CHARS) return null;
  const parts = token.trim().split('.');
  if (parts.length !== 3) return null;
  const payload = jsonPart(parts[1]);
  return isObject(payload) ? credentialOf(payload) : null;
}

