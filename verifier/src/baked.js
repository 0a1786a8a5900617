// OB 3.0 "Open Badges Document Formats" > "Baked Badge": extracting a credential from PNG or SVG.
// The text is the credential JSON, or a VC-JWT compact JWS whose payload is returned unverified
// (this verifier checks Data Integrity proofs only, so such a credential reports "no proof").
import { base64urlDecode } from './codec.js';

function parseCredential(text) {
  const value = String(text).trim();
  try {
    if (value.startsWith('{')) return asObject(JSON.parse(value));
    const parts = value.split('.');
    if (parts.length === 3) {
      const payload = JSON.parse(new TextDecoder().decode(base64urlDecode(parts[1])));
      return asObject(payload && typeof payload.vc === 'object' ? payload.vc : payload);
    }
  } catch {
    // not JSON, not a JWS
  }
  return null;
}

const asObject = (value) => (value && typeof value === 'object' && !Array.isArray(value) ? value : null);

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const KEYWORD = 'openbadgecredential';

/**
 * PNG: the first iTXt chunk with keyword `openbadgecredential` (uncompressed, UTF-8); a tEXt
 * chunk with that keyword is tolerated. Returns the credential object or null.
 */
export function extractFromPng(data) {
  const bytes = data instanceof Uint8Array ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
  if (bytes.length < 8 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const latin1 = new TextDecoder('latin1');
  let at = 8;
  while (at + 12 <= bytes.length) {
    const length = view.getUint32(at);
    const type = latin1.decode(bytes.subarray(at + 4, at + 8));
    const start = at + 8;
    const end = start + length;
    if (end + 4 > bytes.length) return null; // truncated
    const chunk = bytes.subarray(start, end);
    if (type === 'IEND') return null;
    const nul = chunk.indexOf(0);
    if ((type === 'iTXt' || type === 'tEXt') && nul > 0 && latin1.decode(chunk.subarray(0, nul)) === KEYWORD) {
      if (type === 'tEXt') return parseCredential(latin1.decode(chunk.subarray(nul + 1)));
      // iTXt: keyword NUL, compression flag, method, language tag NUL, translated keyword NUL, text
      if (chunk[nul + 1] !== 0) return null; // compressed: OB 3.0 says compression MUST NOT be used
      const lang = chunk.indexOf(0, nul + 3);
      const translated = lang < 0 ? -1 : chunk.indexOf(0, lang + 1);
      if (translated < 0) return null;
      return parseCredential(new TextDecoder().decode(chunk.subarray(translated + 1)));
    }
    at = end + 4; // skip CRC
  }
  return null;
}

const decodeXml = (text) =>
  text.replace(/&(#x[0-9a-f]+|#\d+|lt|gt|amp|quot|apos);/gi, (_, e) => {
    const named = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[e.toLowerCase()];
    if (named) return named;
    return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });

/**
 * SVG: the `<openbadges:credential>` element, with the credential JSON as its (CDATA) content or
 * a `verify` attribute. Returns the credential object or null.
 */
export function extractFromSvg(text) {
  const match = /<openbadges:credential\b((?:[^>"']|"[^"]*"|'[^']*')*?)(\/>|>([\s\S]*?)<\/openbadges:credential\s*>)/.exec(String(text));
  if (!match) return null;
  const verify = /\sverify\s*=\s*("([^"]*)"|'([^']*)')/.exec(match[1]);
  if (verify) return parseCredential(decodeXml(verify[2] ?? verify[3]));
  const body = match[3] || '';
  const cdata = /<!\[CDATA\[([\s\S]*?)\]\]>/.exec(body);
  return parseCredential(cdata ? cdata[1] : decodeXml(body));
}

/** Files larger than this are refused before parsing (as model/baking.py MAX_INPUT_BYTES). */
export const MAX_INPUT_BYTES = 10 * 1024 * 1024;
const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

function pngPayload(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const latin1 = new TextDecoder('latin1');
  const found = [];
  let at = 8;
  while (at + 12 <= bytes.length) {
    const length = view.getUint32(at);
    const type = latin1.decode(bytes.subarray(at + 4, at + 8));
    const start = at + 8;
    const end = start + length;
    if (end + 4 > bytes.length) throw new Error('the PNG image is truncated');
    const chunk = bytes.subarray(start, end);
    const nul = chunk.indexOf(0);
    if ((type === 'iTXt' || type === 'tEXt') && nul > 0 && latin1.decode(chunk.subarray(0, nul)) === KEYWORD) {
      if (type === 'tEXt') found.push(chunk.subarray(nul + 1));
      else {
        if (chunk.length < nul + 3) throw new Error('the PNG iTXt chunk openbadgecredential is truncated');
        // OB 3.0 §5.3.1: not compressed (which also refuses decompression bombs).
        if (chunk[nul + 1] !== 0) throw new Error("the PNG's openbadgecredential iTXt chunk is compressed, which Open Badges 3.0 §5.3.1 does not allow");
        const lang = chunk.indexOf(0, nul + 3);
        const translated = lang < 0 ? -1 : chunk.indexOf(0, lang + 1);
        found.push(translated < 0 ? new Uint8Array() : chunk.subarray(translated + 1));
      }
    }
    at = end + 4;
    if (type === 'IEND') break;
  }
  if (!found.length) throw new Error('the PNG image carries no baked credential');
  if (found.length > 1) throw new Error('the PNG image carries more than one baked credential');
  return { where: 'PNG', text: new TextDecoder().decode(found[0]) };
}

function svgPayload(text) {
  if (text.split('<openbadges:credential').length > 2) throw new Error('the SVG image carries more than one baked credential');
  const match = /<openbadges:credential\b((?:[^>"']|"[^"]*"|'[^']*')*?)(\/>|>([\s\S]*?)<\/openbadges:credential\s*>)/.exec(text);
  if (!match) throw new Error('the SVG image carries no baked credential');
  const verify = /\sverify\s*=\s*("([^"]*)"|'([^']*)')/.exec(match[1]);
  if (verify) return { where: 'SVG', text: decodeXml(verify[2] ?? verify[3]) };
  const cdata = /<!\[CDATA\[([\s\S]*?)\]\]>/.exec(match[3] || '');
  return { where: 'SVG', text: cdata ? cdata[1] : decodeXml(match[3] || '') };
}

/**
 * What a file carries (OB 3.0 §5.3): { kind: 'json', credential } or { kind: 'jwt', token },
 * with `where` 'file' | 'PNG' | 'SVG'. Bounded like model/baking.py extract_payload. Throws an
 * Error saying what was found instead.
 */
export function extractPayload(data) {
  const bytes = data instanceof Uint8Array ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
  if (bytes.length > MAX_INPUT_BYTES) throw new Error(`the file is ${bytes.length} bytes; at most ${MAX_INPUT_BYTES} are read`);
  let payload;
  if (bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) payload = pngPayload(bytes);
  else {
    const text = new TextDecoder().decode(bytes);
    const head = text.trimStart().slice(0, 512);
    payload = head.startsWith('<') && (text.slice(0, 4096).includes('<svg') || head.includes('<?xml')) ? svgPayload(text) : { where: 'file', text };
  }
  const value = payload.text.trim();
  if (JWS.test(value)) return { kind: 'jwt', where: payload.where, token: value };
  let credential;
  try {
    credential = JSON.parse(value);
  } catch {
    throw new Error(`the credential in the ${payload.where} is not valid JSON`);
  }
  if (!asObject(credential)) throw new Error(`the credential in the ${payload.where} is not a JSON object`);
  return { kind: 'json', where: payload.where, credential };
}
