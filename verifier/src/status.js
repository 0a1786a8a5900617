// Bitstring Status List v1.0 (W3C REC 2025-05-15): revocation and suspension.
import { VerificationError, asArray, idOf, multibaseDecode, parseDateTime } from './codec.js';

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
    throw new VerificationError('untrusted', `statusListIndex ${index} is outside the status list`);
  }
  return (bitstring[index >> 3] >> (7 - (index & 7))) & 1;
}

const STALE_SKEW_MS = 5 * 60 * 1000;

/**
 * Verify a status list credential fetched for `url` (§3.2 Validate Algorithm, steps on the list),
 * in the same order as credstack/registry/verifier.py verify_status_list. `verifySecured(list)` must
 * verify the list's proof and that it is signed with a key of `issuer` valid then (throwing
 * otherwise). Returns { purpose, validFrom, validUntil, bitstring }; throws VerificationError
 * 'untrusted'.
 */
export async function verifyStatusList(list, url, issuer, verifySecured) {
  const untrusted = (message) => new VerificationError('untrusted', message);
  if (!list || typeof list !== 'object' || Array.isArray(list)) throw untrusted('not a JSON object');
  if (!asArray(list.type).includes('BitstringStatusListCredential')) throw untrusted('not a BitstringStatusListCredential');
  if (list.id !== url) throw untrusted(`it is the list ${list.id}, not ${url}`);
  const listIssuer = idOf(list.issuer);
  if (listIssuer !== issuer) throw untrusted(`it is issued by ${listIssuer}, not by ${issuer}`);
  try {
    await verifySecured(list);
  } catch (error) {
    throw untrusted(error.message);
  }
  const subject = list.credentialSubject;
  if (!subject || typeof subject !== 'object' || !asArray(subject.type).includes('BitstringStatusList')) throw untrusted('its subject is not a BitstringStatusList');
  if (typeof subject.statusPurpose !== 'string') throw untrusted('it has no statusPurpose');
  let bitstring;
  try {
    bitstring = await decodeStatusList(subject.encodedList);
  } catch (error) {
    throw untrusted(error.message);
  }
  for (const name of ['validFrom', 'validUntil']) {
    if (name in list && !parseDateTime(list[name])) throw untrusted(`its ${name} is not a date-time`);
  }
  return { purpose: subject.statusPurpose, validFrom: list.validFrom, validUntil: list.validUntil, bitstring };
}

/** Is a verified list current at `now`? (Security Considerations, "Validity Periods".) */
export function isStale(verified, now) {
  const until = verified.validUntil === undefined ? null : parseDateTime(verified.validUntil);
  const from = verified.validFrom === undefined ? null : parseDateTime(verified.validFrom);
  return Boolean((until && until <= now) || (from && from - now > STALE_SKEW_MS));
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
        .filter((e) => e.statusPurpose === 'revocation' && /\/status\/revocation-\d+\.json$/.test(String(e.statusListCredential)))
        .map((e) => ({
          ...e,
          id: undefined,
          statusPurpose: 'suspension',
          statusListCredential: e.statusListCredential.replace(/\/status\/revocation-(\d+\.json)$/, '/status/suspension-$1'),
          implied: true,
        }));
  return {
    entries: [...known, ...implied],
    unsupported: entries.filter((e) => !e || e.type !== 'BitstringStatusListEntry').map((e) => (e && e.type) || String(idOf(e))),
  };
}

/**
 * A `verifiedList` hook for verifyCredential (options.verifiedList) that checks each status
 * list's signature, issuer and key once per content: `cache` ({ key(list, issuer), has(key),
 * add(key) }, e.g. the page's localStorage) holds passes only, under a hash of everything those
 * checks read, so a changed byte is a new key and a failure is checked again every time. The
 * rest of verifyStatusList (type, id, issuer, subject, the bitstring, the dates) runs on every
 * call, and the caller still reads the bit and the list's age (isStale). A cache that fails to
 * answer is ignored (the list is verified). Lists are fetched with `fetchJson`, once per URL.
 */
export function cachedVerifiedList({ fetchJson, cache }) {
  const memo = new Map();
  return (url, issuer, verifySecured) => {
    const id = `${url}\u0000${issuer}`;
    if (!memo.has(id)) {
      memo.set(id, (async () => {
        let list;
        try {
          list = await fetchJson(url, { purpose: 'status' });
        } catch (error) {
          throw new VerificationError('unavailable', `the status list ${url} could not be loaded (${error && error.message})`);
        }
        let key = null;
        try {
          key = await cache.key(list, issuer);
          if (key && (await cache.has(key))) return await verifyStatusList(list, url, issuer, async () => {});
        } catch (error) {
          if (error instanceof VerificationError) throw error;
          key = null;
        }
        const verified = await verifyStatusList(list, url, issuer, verifySecured);
        if (key) {
          try {
            await cache.add(key);
          } catch {
            // nothing kept: verified again next time
          }
        }
        return verified;
      })());
    }
    return memo.get(id);
  };
}
