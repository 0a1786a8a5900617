// Status entries and status lists of every kind credstack reads: the in-browser twin of the
// "Reading other issuers' lists" part of plugins/credstack/model/status.py.
//   BitstringStatusListEntry  W3C Bitstring Status List v1.0: encodedList is multibase base64url
//                             ('u') of the GZIP of the bitstring
//   StatusList2021Entry       its predecessor: base64url of the GZIP, no multibase prefix
//   1EdTechRevocationList     an unsigned JSON document listing revoked credential ids
// Index 0 is the most significant bit of the first byte.

export const MIN_BITS = 131072; // Bitstring Status List §3.2: minimumNumberOfEntries
export const MAX_LIST_BYTES = 16 * 1024 * 1024; // refuse GZIP bombs
export const REVOCATION_LIST_TYPE = '1EdTechRevocationList';
export const MAX_STATUS_ENTRIES = 16; // each may cost a fetch
/** Entry type -> [list credential type, list subject type]. */
export const STATUS_TYPES = {
  BitstringStatusListEntry: ['BitstringStatusListCredential', 'BitstringStatusList'],
  StatusList2021Entry: ['StatusList2021Credential', 'StatusList2021'],
};
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const asList = (v) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

export class StatusError extends Error {
  constructor(message) {
    super(message);
    this.name = 'StatusError';
  }
}

function listEntry(item) {
  const url = item.statusListCredential;
  const purpose = item.statusPurpose;
  if (typeof url !== 'string' || !url) throw new StatusError(`the ${item.type} has no statusListCredential URL`);
  if (typeof purpose !== 'string' || !purpose) throw new StatusError(`the ${item.type} has no statusPurpose`);
  // Both specs say a string of digits; the 1EdTech sample writes a number. Read both.
  const text = typeof item.statusListIndex === 'string' || Number.isInteger(item.statusListIndex) ? String(item.statusListIndex) : '';
  if (!/^\d{1,15}$/.test(text)) throw new StatusError(`statusListIndex ${item.statusListIndex} is not a non-negative integer`);
  if (String(item.statusSize ?? 1) !== '1') throw new StatusError(`statusSize ${item.statusSize} is not supported (only 1-bit statuses)`);
  return { type: item.type, purpose, listUrl: url, index: Number(text), implied: false };
}

/** The readable credentialStatus entries and the types of the others: { entries, unsupported }. */
export function statusEntries(credential) {
  const entries = [];
  const unsupported = [];
  const items = asList(isObject(credential) ? credential.credentialStatus : undefined);
  if (items.length > MAX_STATUS_ENTRIES) throw new StatusError(`${items.length} credentialStatus entries; credstack reads at most ${MAX_STATUS_ENTRIES}`);
  for (const item of items) {
    const kind = isObject(item) ? item.type : undefined;
    if (Object.prototype.hasOwnProperty.call(STATUS_TYPES, kind)) {
      entries.push(listEntry(item));
    } else if (kind === REVOCATION_LIST_TYPE) {
      if (typeof item.id !== 'string' || !/^https?:\/\//.test(item.id)) throw new StatusError('a 1EdTechRevocationList entry needs the list URL as its id');
      entries.push({ type: kind, purpose: 'revocation', listUrl: item.id, index: null, implied: false });
    } else {
      unsupported.push(kind === undefined ? 'None' : String(kind));
    }
  }
  return { entries, unsupported };
}

/** credstack's companion suspension list of `.../status/revocation-N.json` (model/status.py). */
export function companionListUrl(url) {
  const m = /^(.*)\/status\/revocation-(\d+\.json)$/.exec(url);
  return m ? `${m[1]}/status/suspension-${m[2]}` : null;
}

async function gunzip(bytes) {
  const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_LIST_BYTES) {
      await reader.cancel();
      throw new StatusError(`the status list inflates to more than ${MAX_LIST_BYTES} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function base64url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/**
 * The bitstring bytes of an encodedList (kind: 'BitstringStatusList' | 'StatusList2021').
 * Lists shorter than minBits are refused (Bitstring Status List §3.2 step 11,
 * STATUS_LIST_LENGTH_ERROR); a caller that accepts shorter lists passes a lower minBits.
 */
export async function decodeEncodedList(encoded, kind, minBits = MIN_BITS) {
  if (typeof encoded !== 'string' || !encoded) throw new StatusError('the status list has no encodedList');
  if (kind === 'BitstringStatusList' && encoded[0] !== 'u') throw new StatusError("a BitstringStatusList encodedList starts with 'u' (multibase)");
  let body = kind === 'BitstringStatusList' ? encoded.slice(1) : encoded;
  if (!/^[A-Za-z0-9_\-+/]*={0,2}$/.test(body)) throw new StatusError('encodedList is not base64');
  body = body.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  const compressed = base64url(body);
  if (!compressed) throw new StatusError('encodedList cannot be decoded');
  let data;
  try {
    data = await gunzip(compressed);
  } catch (error) {
    if (error instanceof StatusError) throw error;
    throw new StatusError(`encodedList cannot be decoded: ${error && error.message}`);
  }
  if (data.length * 8 < minBits) throw new StatusError(`the status list has ${data.length * 8} bits; the minimum is ${minBits}`);
  return data;
}

/** The bit at `index` (most significant bit first); throws StatusError outside the list. */
export function bitAt(bits, index) {
  if (!Number.isSafeInteger(index) || index < 0 || index >= bits.length * 8) {
    throw new StatusError(`status index ${index} is outside the list (0..${bits.length * 8 - 1})`);
  }
  return Boolean(bits[index >> 3] & (0x80 >> (index & 7)));
}

/** Whether a 1EdTech Revocation List revokes credentialId; throws StatusError if malformed. */
export function revokedIn1EdTechList(list, credentialId) {
  if (!isObject(list)) throw new StatusError('the 1EdTech revocation list is not a JSON object');
  const items = list.revokedCredential === undefined ? [] : list.revokedCredential;
  if (!Array.isArray(items)) throw new StatusError('revokedCredential must be an array');
  const item = items.find((i) => isObject(i) && i.id === credentialId);
  return item ? item.revoked !== false : false;
}
