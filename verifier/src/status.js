// Bitstring Status List v1.0 (W3C REC 2025-05-15): revocation and suspension.
import { VerificationError, asArray, day, idOf, multibaseDecode, parseDateTime } from './codec.js';

export const MIN_BITS = 131072; // §3.2 Validate Algorithm: minimumNumberOfEntries
const MAX_BYTES = 16 * 1024 * 1024; // refuse gzip bombs; 16 MiB is 128 Mbit of status

/** Gunzip with the Compression Streams API (browsers; also global in node >= 18). */
async function gunzip(bytes) {
  const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_BYTES) {
      await reader.cancel();
      throw new VerificationError('format', 'the status list is too large');
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/**
 * §3.4 Bitstring Expansion Algorithm: encodedList is multibase base64url ('u', no padding) of the
 * GZIP-compressed bitstring. Returns the bitstring bytes; throws if shorter than 131,072 bits.
 */
export async function decodeStatusList(encodedList) {
  let bytes;
  try {
    bytes = await gunzip(multibaseDecode(encodedList, 'u'));
  } catch (error) {
    throw new VerificationError('format', `encodedList is not multibase base64url GZIP data (${error.message})`);
  }
  if (bytes.length * 8 < MIN_BITS) {
    throw new VerificationError('format', `the status list has ${bytes.length * 8} bits, fewer than ${MIN_BITS}`);
  }
  return bytes;
}

/** §2.2 (encodedList): index 0 is the left-most, most significant bit of the first byte. */
export function statusBit(bitstring, index) {
  if (!Number.isSafeInteger(index) || index < 0 || index >= bitstring.length * 8) {
    throw new VerificationError('format', `statusListIndex ${index} is outside the status list`);
  }
  return (bitstring[index >> 3] >> (7 - (index & 7))) & 1;
}

/**
 * `verifySecured(list)`, skipped when `cache` says it passed before for this very list: the cache
 * (a page's, e.g. localStorage) is keyed by `cache.key(list, issuerId)`, a hash of everything the
 * checks read, and holds passes only: a failure throws before anything is stored, so a cached
 * entry can never turn a failure into a pass, and a changed byte is a new key. A cache that
 * fails to answer is ignored (the list is verified).
 */
async function verifySecuredOnce(list, verifySecured, cache, issuerId) {
  let key = null;
  if (cache && typeof cache.key === 'function') {
    try {
      key = await cache.key(list, issuerId);
      if (key && (await cache.has(key))) return;
    } catch {
      key = null;
    }
  }
  await verifySecured(list);
  if (key) {
    try {
      await cache.add(key);
    } catch {
      // nothing kept: verified again next time
    }
  }
}

/**
 * §3.2 Validate Algorithm for one BitstringStatusListEntry. Returns { set: 0|1, list } or throws
 * VerificationError; `verifySecured(list)` must verify the list's proof and that its issuer is the
 * credential's issuer `issuerId` (throwing otherwise). `statusListCache` (optional): see
 * verifySecuredOnce.
 */
export async function readStatus(entry, { fetchJson, now, verifySecured, statusListCache, issuerId }) {
  const purpose = entry.statusPurpose;
  const url = entry.statusListCredential;
  const index = /^\d+$/.test(String(entry.statusListIndex)) ? Number(entry.statusListIndex) : NaN;
  if (typeof url !== 'string') throw new VerificationError('format', 'the status entry names no statusListCredential');
  if (Number.isNaN(index)) throw new VerificationError('format', `statusListIndex is not a number: ${entry.statusListIndex}`);
  if ((entry.statusSize ?? 1) !== 1 && String(entry.statusSize) !== '1') {
    throw new VerificationError('format', `statusSize ${entry.statusSize} is not supported`);
  }
  if (typeof fetchJson !== 'function') throw new VerificationError('fetch', 'no fetchJson was given to load the status list');
  let list;
  try {
    list = await fetchJson(url, { purpose: 'status' });
  } catch (error) {
    throw new VerificationError('fetch', `the status list ${url} could not be loaded (${error && error.message})`);
  }
  if (!list || typeof list !== 'object') throw new VerificationError('format', `${url} is not a status list credential`);
  if (list.id !== undefined && list.id !== url) throw new VerificationError('format', `${url} holds the status list ${list.id}`);
  if (!asArray(list.type).includes('BitstringStatusListCredential')) {
    throw new VerificationError('format', `${url} is not a BitstringStatusListCredential`);
  }
  await verifySecuredOnce(list, verifySecured, statusListCache, issuerId);
  // Security Considerations, "Validity Periods": an out-of-date list says nothing about today.
  const from = parseDateTime(list.validFrom);
  const until = list.validUntil === undefined ? null : parseDateTime(list.validUntil);
  if (list.validFrom !== undefined && (!from || now < from)) throw new VerificationError('format', 'the status list is not valid yet');
  if (list.validUntil !== undefined && (!until || now >= until)) {
    throw new VerificationError('format', `the status list expired on ${day(list.validUntil)}`);
  }
  const subject = list.credentialSubject || {};
  if (!asArray(subject.type).includes('BitstringStatusList')) throw new VerificationError('format', 'the status list subject is not a BitstringStatusList');
  if (!asArray(subject.statusPurpose).includes(purpose)) {
    throw new VerificationError('format', `the status list is for ${subject.statusPurpose}, not ${purpose}`);
  }
  const bitstring = await decodeStatusList(subject.encodedList);
  return { set: statusBit(bitstring, index), list };
}

/**
 * The credential's BitstringStatusListEntry objects, and the names of entry types we cannot read.
 * OB 3.0 allows one credentialStatus object, so credstack credentials name their revocation list
 * `.../revocation-N.json` only; its companion `.../suspension-N.json` holds the suspension bit at
 * the same index. The companion is added here as an `implied` entry (ignored when not published).
 */
export function statusEntries(credential) {
  const entries = asArray(credential.credentialStatus);
  const known = entries.filter((e) => e && e.type === 'BitstringStatusListEntry');
  const purposes = new Set(known.map((e) => e.statusPurpose));
  const implied = purposes.has('suspension')
    ? []
    : known
        .filter((e) => e.statusPurpose === 'revocation' && /\/revocation-\d+\.json$/.test(String(e.statusListCredential)))
        .map((e) => ({
          ...e,
          id: undefined,
          statusPurpose: 'suspension',
          statusListCredential: e.statusListCredential.replace(/\/revocation-(\d+\.json)$/, '/suspension-$1'),
          implied: true,
        }));
  return {
    entries: [...known, ...implied],
    unsupported: entries.filter((e) => !e || e.type !== 'BitstringStatusListEntry').map((e) => (e && e.type) || String(idOf(e))),
  };
}
