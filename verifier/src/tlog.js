// The issuer's public transparency log, checked in the browser.
//
// Specifications: C2SP tlog-tiles (hash tiles of height 8, entry bundles, partial tiles .p/W,
// N in x001/x234/067 groups), tlog-checkpoint, signed-note (Ed25519, key ID = SHA-256(name ||
// 0x0A || 0x01 || key)[:4]), tlog-cosignature (timestamped Ed25519, type 0x04: the signing
// time), tlog-proof (the offline proof file); RFC 6962 §2.1 hashing and proofs, verified with
// the algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2.
//
// What is checked for one credential (verifyLog):
// 1. the issuer's DID document announces the log (service type TransparencyLog) and its key;
// 2. the checkpoint is signed by that key, and dated (timestamped cosignature) within maxAge;
// 3. it is consistent with the largest checkpoint this browser saw for the issuer before
//    (remembered in `storage`), which is then replaced by the newer one;
// 4. the log's last entry (tip.json, proven to be the last leaf) names the SHA-256 of every
//    status list: the lists served for this credential must be those;
// 5. the credential's entry, rebuilt from its id and the SHA-256 of its file, is in the tree
//    (only the tiles its inclusion proof needs are fetched).
// Everything from the site other than the checkpoint's signed root (tip.json, locate files,
// tiles) is a hint that is checked against that root.
import { asArray, ed25519FromMultikey, hex, idOf, sha256, utf8 } from './codec.js';
import { verifyEd25519 } from './ed25519.js';
import { didWebUrl } from './keys.js';
import { companionListUrl } from './lists.js';

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
const HASH_SIZE = 32;
const SIG_ED25519 = 0x01;
const SIG_COSIGNATURE = 0x04;
const SERVICE_TYPE = 'TransparencyLog';
const STORAGE_PREFIX = 'credstack:tlog:';
const FUTURE_SKEW_MS = 5 * 60 * 1000;
/** Default freshness: a checkpoint signed longer ago than this is stale (the issuer's workflow
 * publishes one daily; three days leave room for a failed run or two). */
export const DEFAULT_MAX_AGE_MS = 72 * 3600 * 1000;

export class TlogError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'TlogError';
    this.code = code;
  }
}

// -- bytes ------------------------------------------------------------------------------------

const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

export function base64Decode(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4) {
    throw new TlogError('malformed', 'not base64');
  }
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

export function base64Encode(bytes) {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

// -- RFC 6962 hashing -------------------------------------------------------------------------

export const leafHash = (entry) => sha256(concat(Uint8Array.of(0), entry));
export const nodeHash = (left, right) => sha256(concat(Uint8Array.of(1), left, right));

/** The largest power of two smaller than n (n >= 2): where RFC 6962 splits a tree. */
function splitPoint(n) {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
const isPow2 = (n) => n > 0 && (n & (n - 1)) === 0;

/** Entries are canonical JSON (RFC 8785 for strings and objects): sorted keys, no spaces. */
export function canonicalJson(value) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
}

/** The credential-issued entry for a credential id and its file's bytes. */
export async function credentialEntry(credentialId, fileBytes) {
  const digest = hex(await sha256(fileBytes));
  return utf8(canonicalJson({ kind: 'credential-issued', id: credentialId, sha256: digest }));
}

// -- proofs: which subtrees (RFC 6962 §2.1.1, §2.1.2) ---------------------------------------------

/** PATH(index, D[0:size]) as [start, end) ranges, the leaf's sibling first. */
export function inclusionRanges(index, size) {
  const out = [];
  let start = 0;
  let end = size;
  let m = index;
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (m < k) {
      out.push([start + k, end]);
      end = start + k;
    } else {
      out.push([start, start + k]);
      start += k;
      m -= k;
    }
  }
  return out.reverse();
}

/** PROOF(oldSize, D[0:size]) as [start, end) ranges (0 < oldSize < size). */
export function consistencyRanges(oldSize, size) {
  const out = [];
  let start = 0;
  let end = size;
  let m = oldSize;
  let complete = true;
  while (m !== end - start) {
    const k = splitPoint(end - start);
    if (m <= k) {
      out.push([start + k, end]);
      end = start + k;
    } else {
      out.push([start, start + k]);
      start += k;
      m -= k;
      complete = false;
    }
  }
  if (!complete) out.push([start, end]);
  return out.reverse();
}

/** The complete subtrees (level, index) whose hashes make MTH(D[start:end]). */
function storedFor(start, end, out = []) {
  const width = end - start;
  if (isPow2(width) && start % width === 0) {
    out.push([Math.log2(width), start / width]);
    return out;
  }
  const k = splitPoint(width);
  storedFor(start, start + k, out);
  storedFor(start + k, end, out);
  return out;
}

// -- tiles (C2SP tlog-tiles) ------------------------------------------------------------------

/** N as 3-digit groups, all but the last prefixed with x: 1234067 -> x001/x234/067. */
export function encodeTileIndex(n) {
  const groups = [];
  do {
    groups.unshift(String(n % 1000).padStart(3, '0'));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

/** tile/<L>/<N>[.p/<W>] (level -1: tile/entries/...). */
export function tilePath(level, index, width = TILE_WIDTH) {
  const head = level < 0 ? 'tile/entries' : `tile/${level}`;
  return `${head}/${encodeTileIndex(index)}${width < TILE_WIDTH ? `.p/${width}` : ''}`;
}

/** The width of tile (level, index) in a tree of `size` leaves (0: it does not exist). */
export function tileWidth(level, index, size) {
  const count = Math.floor(size / TILE_WIDTH ** level); // hashes at tree height 8·level
  const full = Math.floor(count / TILE_WIDTH);
  if (index < full) return TILE_WIDTH;
  return index === full ? count % TILE_WIDTH : 0;
}

/**
 * Reads stored hashes (complete subtrees) of the tree of `size` leaves from tiles, fetching
 * each tile once. A partial tile that is gone (a newer full tile replaced it) is read from the
 * full tile instead, as tlog-tiles allows.
 */
export class TileReader {
  constructor(prefix, size, fetchBytes) {
    this.prefix = prefix;
    this.size = size;
    this.fetchBytes = fetchBytes;
    this.tiles = new Map();
    this.known = new Map(); // "k/j" -> stored hash already proven (see seed)
  }

  /**
   * Remember the complete subtrees that a verified inclusion proof of leaf `index` reveals:
   * its sibling subtrees and the subtrees on its path. With the proof of the last leaf, these
   * are the tree's right edge, so proofs of other leaves need no partial tile of level 0.
   * Call only with a proof that verified against this tree's root.
   */
  async seed(index, leaf, proof) {
    const ranges = inclusionRanges(index, this.size);
    if (ranges.length !== proof.length) return;
    const remember = (a, b, h) => {
      const width = b - a;
      if (isPow2(width) && a % width === 0) this.known.set(`${Math.log2(width)}/${a / width}`, h);
    };
    let [start, end] = [index, index + 1];
    let hash = leaf;
    remember(start, end, hash);
    for (let i = 0; i < ranges.length; i++) {
      const [a, b] = ranges[i];
      remember(a, b, proof[i]);
      if (b === start) {
        hash = await nodeHash(proof[i], hash);
        start = a;
      } else {
        hash = await nodeHash(hash, proof[i]);
        end = b;
      }
      remember(start, end, hash);
    }
  }

  /** Where stored hash (level k, index j) comes from: [tile level, tile index, first, count]. */
  locate(k, j) {
    const L = Math.floor(k / TILE_HEIGHT);
    const span = 2 ** (k - L * TILE_HEIGHT); // hashes at height 8L under this subtree
    const first = j * span;
    return [L, Math.floor(first / TILE_WIDTH), first % TILE_WIDTH, span];
  }

  tile(L, N) {
    const key = `${L}/${N}`;
    if (!this.tiles.has(key)) {
      const width = tileWidth(L, N, this.size);
      const load = async () => {
        if (width === 0) throw new TlogError('malformed', `no tile ${L}/${N} in a tree of ${this.size}`);
        let bytes;
        try {
          bytes = await this.fetchBytes(this.prefix + tilePath(L, N, width));
        } catch (error) {
          if (width === TILE_WIDTH) throw error;
          bytes = await this.fetchBytes(this.prefix + tilePath(L, N)); // the full tile, if any
        }
        if (bytes.length < width * HASH_SIZE) throw new TlogError('malformed', `tile ${L}/${N} is too short`);
        return bytes.subarray(0, width * HASH_SIZE);
      };
      this.tiles.set(key, load());
    }
    return this.tiles.get(key);
  }

  /** Fetch every tile these ranges need, in parallel. */
  async prefetch(ranges) {
    const wanted = new Set();
    for (const [start, end] of ranges) {
      for (const [k, j] of storedFor(start, end)) {
        if (this.known.has(`${k}/${j}`)) continue;
        const [L, N] = this.locate(k, j);
        wanted.add(`${L}/${N}`);
      }
    }
    // Failures surface when the hash is read (where a fallback may apply).
    await Promise.all([...wanted].map((key) => this.tile(...key.split('/').map(Number)).catch(() => null)));
  }

  async stored(k, j) {
    if (this.known.has(`${k}/${j}`)) return this.known.get(`${k}/${j}`);
    const [L, N, first, count] = this.locate(k, j);
    let tile;
    try {
      tile = await this.tile(L, N);
    } catch (error) {
      // A partial tile of a higher level that is gone (the log grew since the checkpoint):
      // its hashes are the subtrees of the level below.
      if (L === 0) throw error;
      const [left, right] = await Promise.all([this.stored(k - 1, 2 * j), this.stored(k - 1, 2 * j + 1)]);
      return nodeHash(left, right);
    }
    let level = [];
    for (let i = 0; i < count; i++) level.push(tile.subarray((first + i) * HASH_SIZE, (first + i + 1) * HASH_SIZE));
    if (level.some((h) => h.length !== HASH_SIZE)) throw new TlogError('malformed', `tile ${L}/${N} ends early`);
    while (level.length > 1) {
      const next = [];
      for (let i = 0; i < level.length; i += 2) next.push(nodeHash(level[i], level[i + 1]));
      level = await Promise.all(next);
    }
    return level[0];
  }

  /** MTH(D[start:end]) from tiles. */
  async range(start, end) {
    const width = end - start;
    if (isPow2(width) && start % width === 0) return this.stored(Math.log2(width), start / width);
    const k = splitPoint(width);
    const [left, right] = await Promise.all([this.range(start, start + k), this.range(start + k, end)]);
    return nodeHash(left, right);
  }

  async inclusionProof(index) {
    const ranges = inclusionRanges(index, this.size);
    await this.prefetch(ranges);
    return Promise.all(ranges.map(([a, b]) => this.range(a, b)));
  }

  async consistencyProof(oldSize) {
    const ranges = consistencyRanges(oldSize, this.size);
    await this.prefetch(ranges);
    return Promise.all(ranges.map(([a, b]) => this.range(a, b)));
  }
}

// -- verification (RFC 9162 §2.1.3.2 and §2.1.4.2) ------------------------------------------------

export async function verifyInclusion(leaf, index, size, proof, root) {
  if (!(index >= 0 && index < size) || proof.some((p) => p.length !== HASH_SIZE)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn !== 0 && fn % 2 === 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(r, root);
}

export async function verifyConsistency(oldSize, size, oldRoot, root, proof) {
  if (!(oldSize >= 0 && oldSize <= size) || proof.some((p) => p.length !== HASH_SIZE)) return false;
  if (oldSize === size) return proof.length === 0 && equal(oldRoot, root);
  if (oldSize === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = isPow2(oldSize) ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1;
  let sn = size - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn !== 0 && fn % 2 === 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return equal(fr, oldRoot) && equal(sr, root) && sn === 0;
}

// -- signed notes and checkpoints -------------------------------------------------------------------

export async function noteKeyId(name, type, publicKey) {
  return (await sha256(concat(utf8(name), Uint8Array.of(0x0a, type), publicKey))).subarray(0, 4);
}

/**
 * Verify a signed checkpoint with the log key (C2SP signed-note, tlog-checkpoint). Lines by
 * other keys are ignored; a failing line by this key rejects the note. Returns {origin, size,
 * root, extensions, timestamp (seconds or null), text}; throws TlogError ('malformed',
 * 'checkpoint-signature').
 */
export async function openCheckpoint(note, { name, publicKey }, { useWebCrypto = true } = {}) {
  // eslint-disable-next-line no-control-regex
  if (typeof note !== 'string' || /[\x00-\x09\x0b-\x1f]/.test(note) || !note.endsWith('\n')) {
    throw new TlogError('malformed', 'the checkpoint is not a signed note');
  }
  const cut = note.lastIndexOf('\n\n');
  if (cut < 0) throw new TlogError('malformed', 'the checkpoint carries no signature');
  const text = note.slice(0, cut + 1);
  const lines = note.slice(cut + 2, -1).split('\n');
  if (lines.length > 100) throw new TlogError('malformed', 'too many signatures');
  const id = await noteKeyId(name, SIG_ED25519, publicKey);
  const cosignId = await noteKeyId(name, SIG_COSIGNATURE, publicKey);
  let verified = false;
  let timestamp = null;
  for (const line of lines) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m || m[1].includes('+')) throw new TlogError('malformed', 'a signature line is malformed');
    const raw = base64Decode(m[2]);
    if (m[1] !== name || raw.length < 5) continue; // another key: ignored (signed-note)
    const keyId = raw.subarray(0, 4);
    if (equal(keyId, id)) {
      if (!(await verifyEd25519(publicKey, utf8(text), raw.subarray(4), { useWebCrypto }))) {
        throw new TlogError('checkpoint-signature', "the checkpoint's signature does not verify");
      }
      verified = true;
    } else if (equal(keyId, cosignId)) {
      if (raw.length !== 76) throw new TlogError('malformed', 'a timestamped signature is 76 bytes');
      const view = new DataView(raw.buffer, raw.byteOffset + 4, 8);
      const stamp = Number(view.getBigUint64(0));
      const message = utf8(`cosignature/v1\ntime ${stamp}\n${text}`);
      if (!(await verifyEd25519(publicKey, message, raw.subarray(12), { useWebCrypto }))) {
        throw new TlogError('checkpoint-signature', "the checkpoint's dated signature does not verify");
      }
      timestamp = Math.max(timestamp ?? 0, stamp);
    }
  }
  if (!verified) throw new TlogError('checkpoint-signature', `the checkpoint is not signed by ${name}`);
  const body = text.slice(0, -1).split('\n');
  if (body.length < 3 || !body[0] || !/^(0|[1-9][0-9]{0,15})$/.test(body[1])) {
    throw new TlogError('malformed', 'not a checkpoint');
  }
  const root = base64Decode(body[2]);
  if (root.length !== HASH_SIZE) throw new TlogError('malformed', "the checkpoint's root is not 32 bytes");
  if (body[0] !== name) throw new TlogError('checkpoint-signature', `the checkpoint is for ${body[0]}, not ${name}`);
  return { origin: body[0], size: Number(body[1]), root, extensions: body.slice(3), timestamp, text: note };
}

/** A C2SP tlog-proof for the credential at `index`, from a verified result (for download). */
export function tlogProofText({ index, proof, checkpoint }) {
  return ['c2sp.org/tlog-proof@v1', `index ${index}`, ...proof.map(base64Encode)].join('\n') + `\n\n${checkpoint}`;
}

// -- the issuer's log ---------------------------------------------------------------------------------

/** The log announced by a DID document: {endpoint, name?, publicKey, methodId} or null. */
export function logService(didDocument) {
  const did = didDocument && didDocument.id;
  const absolute = (ref) => (typeof ref === 'string' && ref.startsWith('#') ? did + ref : ref);
  const service = asArray(didDocument && didDocument.service).find((s) => s && asArray(s.type).includes(SERVICE_TYPE));
  if (!service || typeof service.serviceEndpoint !== 'string' || !/^https?:\/\//.test(service.serviceEndpoint)) return null;
  const methodId = absolute(idOf(service.verificationMethod));
  const vm = asArray(didDocument.verificationMethod).find((m) => m && absolute(m.id) === methodId);
  if (!vm || vm.type !== 'Multikey' || vm.controller !== did) return null;
  const endpoint = service.serviceEndpoint.endsWith('/') ? service.serviceEndpoint : `${service.serviceEndpoint}/`;
  return { endpoint, publicKey: ed25519FromMultikey(vm.publicKeyMultibase), methodId };
}

const RANK = { fail: 3, error: 2, warn: 1, pass: 0 };
const day = (seconds) => new Date(seconds * 1000).toISOString().slice(0, 10);

function readRecord(storage, key) {
  try {
    const raw = storage && storage.getItem(key);
    const record = raw ? JSON.parse(raw) : null;
    if (record && Number.isSafeInteger(record.size) && typeof record.root === 'string') return record;
  } catch {
    // an unreadable record is as good as none
  }
  return null;
}

function writeRecord(storage, key, record) {
  try {
    if (storage) storage.setItem(key, JSON.stringify(record));
  } catch {
    // private browsing, full storage: the next visit simply starts afresh
  }
}

/**
 * Check that `credential` is recorded in its issuer's public log and that the served status
 * lists are the latest the log recorded. Never throws.
 *
 * options:
 * - fetchBytes(url) -> Promise<Uint8Array> (required; rejects for HTTP errors). The page maps
 *   the issuer's URLs to this copy of the site.
 * - didDocument: the issuer's DID document (else fetched from the did:web URL);
 * - credentialBytes: the credential file's bytes (else fetched from <id>credential.json);
 * - statusLists: {url: Uint8Array} the status list files the verifier used (else fetched);
 * - storage: {getItem, setItem} (localStorage in the page): the largest checkpoint seen;
 * - now (Date), maxAgeMs (default 72 h), entryIndex (a hint, e.g. from the page), useWebCrypto.
 *
 * Returns {outcome: 'pass'|'warn'|'fail'|'error', code, params, message, proof?, fetched}:
 * proof is the C2SP tlog-proof text on a pass; fetched = {requests, bytes} of log data.
 */
export async function verifyLog(credential, options = {}) {
  const fetched = { requests: 0, bytes: 0 };
  const fetchLog = async (url) => {
    const bytes = await options.fetchBytes(url);
    fetched.requests += 1;
    fetched.bytes += bytes.length;
    return bytes;
  };
  const problems = [];
  const problem = (outcome, code, message, params = {}) => problems.push({ outcome, code, params, message });
  const finish = (passParams, proof) => {
    problems.sort((a, b) => RANK[b.outcome] - RANK[a.outcome]);
    if (problems.length) return { ...problems[0], params: { ...passParams, ...problems[0].params }, fetched };
    const signed = passParams.signedAt ? `, signed on ${passParams.signedAt.slice(0, 10)}` : '';
    return {
      outcome: 'pass',
      code: 'logged',
      params: passParams,
      message: `Recorded in the issuer's public log, entry ${passParams.entry} of ${passParams.size}${signed}`,
      proof,
      fetched,
    };
  };
  try {
    const issuer = idOf(credential && credential.issuer);
    const storeKey = STORAGE_PREFIX + issuer;
    const remembered = readRecord(options.storage, storeKey);
    if (typeof issuer !== 'string' || !issuer.startsWith('did:web:')) {
      problem('warn', 'no-log', 'the issuer publishes no transparency log');
      return finish({});
    }
    let didDocument = options.didDocument;
    if (!didDocument) {
      try {
        didDocument = JSON.parse(new TextDecoder().decode(await options.fetchBytes(didWebUrl(issuer))));
      } catch (error) {
        problem('error', 'log-unavailable', `the issuer's DID document could not be loaded (${error && error.message})`);
        return finish({});
      }
    }
    const service = logService(didDocument);
    if (!service) {
      if (remembered) {
        problem('fail', 'log-removed', `the issuer's log, seen here before with ${remembered.size} entries, is no longer announced`);
      } else {
        problem('warn', 'no-log', 'the issuer publishes no transparency log');
      }
      return finish({});
    }

    // Everything below is fetched at once (the checks still read it in their order): the
    // checkpoint, the tip, the credential file and the status lists it names.
    const settle = (promise) => promise.then((value) => ({ value }), (error) => ({ error }));
    const take = async (settled) => {
      const { value, error } = await settled;
      if (error) throw error;
      return value;
    };
    const pending = {
      checkpoint: settle(fetchLog(`${service.endpoint}checkpoint`)),
      tip: settle(fetchLog(`${service.endpoint}tip.json`)),
      credential: options.credentialBytes || typeof credential.id !== 'string' ? null : settle(options.fetchBytes(credential.id.endsWith('/') ? `${credential.id}credential.json` : credential.id)),
      lists: new Map(),
    };
    const listBytes = (url) => {
      if (options.statusLists && options.statusLists[url]) return Promise.resolve(options.statusLists[url]);
      if (!pending.lists.has(url)) pending.lists.set(url, settle(options.fetchBytes(url)));
      return take(pending.lists.get(url));
    };
    // The locate file that names the credential's entry (unless the page knows it), as soon as
    // the tip says how its files are named.
    const locate = Number.isSafeInteger(options.entryIndex) || typeof credential.id !== 'string' ? null : settle((async () => {
      const tipDoc = JSON.parse(new TextDecoder().decode(await take(pending.tip)));
      const key = hex(await sha256(utf8(credential.id))).slice(0, 16);
      const digits = Number.isSafeInteger(tipDoc.locate) && tipDoc.locate > 0 && tipDoc.locate < 8 ? tipDoc.locate : 1;
      const table = JSON.parse(new TextDecoder().decode(await fetchLog(`${service.endpoint}locate/${key.slice(0, digits)}.json`)));
      return Number.isSafeInteger(table[key]) ? table[key] : null;
    })());
    for (const entry of asArray(credential.credentialStatus)) {
      const url = entry && entry.statusListCredential;
      if (typeof url !== 'string') continue;
      listBytes(url).catch(() => {});
      const companion = companionListUrl(url);
      if (companion) listBytes(companion).catch(() => {});
    }

    // 1. The checkpoint: signed by the log key, dated.
    let note;
    try {
      note = new TextDecoder('utf-8', { fatal: true }).decode(await take(pending.checkpoint));
    } catch (error) {
      problem('error', 'log-unavailable', `the issuer's log could not be loaded (${error && error.message})`);
      return finish({});
    }
    const name = (note.split('\n', 1)[0] || '').trim();
    let checkpoint;
    try {
      checkpoint = await openCheckpoint(note, { name, publicKey: service.publicKey }, options);
    } catch (error) {
      const code = error.code === 'checkpoint-signature' ? 'checkpoint-signature' : 'checkpoint-malformed';
      problem('fail', code, `the issuer's log checkpoint is not signed by the log key in its DID document (${error.message})`);
      return finish({});
    }
    const { size, root, timestamp } = checkpoint;
    const params = { origin: checkpoint.origin, size, signedAt: timestamp === null ? null : new Date(timestamp * 1000).toISOString() };
    const now = (options.now || new Date()).getTime();
    const maxAge = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    if (timestamp === null) {
      problem('error', 'log-undated', "the issuer's log checkpoint carries no signing time, so its freshness is unknown");
    } else if (timestamp * 1000 - now > FUTURE_SKEW_MS) {
      problem('error', 'log-future', `the issuer's log checkpoint claims a future signing time (${day(timestamp)})`);
    } else if (now - timestamp * 1000 > maxAge) {
      problem('error', 'log-stale', `the newest checkpoint of the issuer's log was signed on ${day(timestamp)}, more than ${Math.round(maxAge / 3600000)} hours ago: later revocations may not show`, { signedOn: day(timestamp) });
    }
    const tiles = new TileReader(service.endpoint, size, fetchLog);

    // 2. The log's last entry: the current status lists (and the tree's right edge).
    let tip;
    try {
      tip = JSON.parse(new TextDecoder().decode(await take(pending.tip)));
    } catch (error) {
      problem('error', 'log-unavailable', `the issuer's log could not be loaded (${error && error.message})`);
      return finish(params);
    }
    let state = null;
    try {
      const entry = utf8(String(tip.entry));
      const proof = asArray(tip.proof).map(base64Decode);
      const tipLeaf = await leafHash(entry);
      const ok = tip.index === size - 1 && (await verifyInclusion(tipLeaf, size - 1, size, proof, root));
      const parsed = JSON.parse(tip.entry);
      if (ok && parsed.kind === 'status-lists' && parsed.lists && typeof parsed.lists === 'object') {
        state = parsed.lists;
        await tiles.seed(size - 1, tipLeaf, proof); // the right edge: no partial level-0 tile
      }
    } catch {
      state = null;
    }
    // 3. Consistency with the largest checkpoint seen here before.
    let consistent = true;
    if (remembered) {
      const oldRoot = base64Decode(remembered.root);
      if (remembered.size > size) {
        consistent = false;
        problem('error', 'log-rollback', `this site serves an older state of the issuer's log (${size} entries) than one seen here before (${remembered.size} entries): it may be showing outdated information`, { seen: remembered.size });
      } else if (remembered.size === size) {
        if (!equal(oldRoot, root)) {
          consistent = false;
          problem('fail', 'log-inconsistent', `the issuer's log was rewritten: ${size} entries seen here before had a different content`, { seen: remembered.size });
        }
      } else if (remembered.size > 0) {
        let proof = null;
        try {
          proof = await tiles.consistencyProof(remembered.size);
        } catch (error) {
          consistent = false;
          problem('error', 'log-unavailable', `the issuer's log could not be loaded (${error && error.message})`);
        }
        if (proof && !(await verifyConsistency(remembered.size, size, oldRoot, root, proof))) {
          consistent = false;
          problem('fail', 'log-inconsistent', `the issuer's log was rewritten: it no longer extends the ${remembered.size} entries seen here before`, { seen: remembered.size });
        }
      }
    }
    if (consistent && (!remembered || size > remembered.size || (timestamp ?? 0) > (remembered.timestamp ?? 0))) {
      writeRecord(options.storage, storeKey, { origin: checkpoint.origin, size, root: base64Encode(root), timestamp, checkpoint: note });
    }

    if (!state) {
      problem('fail', 'log-state-invalid', "the issuer's log does not end with the state of its status lists, as it must");
    } else {
      const named = asArray(credential.credentialStatus).map((e) => e && e.statusListCredential).filter((u) => typeof u === 'string');
      const implied = named.map(companionListUrl).filter((u) => u && !named.includes(u) && u in state);
      for (const url of [...new Set(named), ...implied]) {
        if (!(url in state)) {
          problem('fail', 'status-list-not-logged', `the status list ${url} is not in the issuer's log`, { list: url });
          continue;
        }
        let bytes;
        try {
          bytes = await listBytes(url);
        } catch (error) {
          problem('error', 'log-unavailable', `the status list ${url} could not be loaded (${error && error.message})`);
          continue;
        }
        if (hex(await sha256(bytes)) !== state[url]) {
          problem('fail', 'status-list-not-latest', `the status list served (${url.split('/').pop()}) is not the latest one the issuer's log recorded: a revocation or suspension may be hidden`, { list: url });
        }
      }
    }

    // 4. The credential's own entry: found by a hint, checked by inclusion.
    let credentialBytes = options.credentialBytes;
    const credentialId = credential.id;
    try {
      if (!credentialBytes) credentialBytes = await take(pending.credential || Promise.reject(new TypeError('the credential has no id')));
    } catch (error) {
      problem('error', 'log-unavailable', `the credential file could not be loaded (${error && error.message})`);
      return finish(params);
    }
    let index = Number.isSafeInteger(options.entryIndex) ? options.entryIndex : null;
    if (index === null && locate) {
      try {
        index = await take(locate);
      } catch {
        index = null; // no locate file for this key: not logged
      }
    }
    if (index === null || index < 0 || index >= size) {
      problem('fail', 'not-in-log', "the credential is not recorded in the issuer's public log");
      return finish(params);
    }
    const leaf = await leafHash(await credentialEntry(credentialId, credentialBytes));
    let proof;
    try {
      proof = await tiles.inclusionProof(index);
    } catch (error) {
      problem('error', 'log-unavailable', `the issuer's log could not be loaded (${error && error.message})`);
      return finish(params);
    }
    if (!(await verifyInclusion(leaf, index, size, proof, root))) {
      problem('fail', 'not-in-log', "the credential is not recorded in the issuer's public log as it is now: it was changed, or never recorded");
      return finish(params);
    }
    return finish({ ...params, index, entry: index + 1 }, tlogProofText({ index, proof, checkpoint: note }));
  } catch (error) {
    problem('error', 'log-error', `the issuer's log could not be checked (${error && error.message})`);
    return finish({});
  }
}
