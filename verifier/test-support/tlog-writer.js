// TEST-ONLY transparency log writer (node:crypto), written apart from the Python writer and from
// src/tlog.js: the tree from the RFC 6962 definitions (MTH by recursion), tiles by slicing the
// stored hashes, a signed note with a timestamped cosignature. Not bundled.
import { createHash, sign } from 'node:crypto';

const sha = (...parts) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
export const leaf = (entry) => sha(Buffer.from([0]), entry);
const node = (l, r) => sha(Buffer.from([1]), l, r);

/** MTH(D[a:b]) straight from RFC 6962 §2.1 (memoized on complete subtrees). */
export function mth(leaves, a = 0, b = leaves.length, memo = new Map()) {
  if (b - a === 1) return leaves[a];
  const key = `${a}:${b}`;
  if (memo.has(key)) return memo.get(key);
  let k = 1;
  while (k * 2 < b - a) k *= 2;
  const h = node(mth(leaves, a, a + k, memo), mth(leaves, a + k, b, memo));
  memo.set(key, h);
  return h;
}

const canonical = (v) =>
  v === null || typeof v !== 'object' ? JSON.stringify(v) : `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;

const tileIndex = (n) => {
  const g = [];
  do {
    g.unshift(String(n % 1000).padStart(3, '0'));
    n = Math.floor(n / 1000);
  } while (n);
  return g.map((x, i) => (i < g.length - 1 ? 'x' + x : x)).join('/');
};

const keyId = (name, type, pub) => sha(Buffer.from(name + '\n'), Buffer.from([type]), pub).subarray(0, 4);

/** Sign a checkpoint body as a signed note; `timestamp` adds the dated (type 0x04) line. */
export function signCheckpoint(body, { name, key, timestamp }) {
  const lines = [`\u2014 ${name} ${Buffer.concat([keyId(name, 1, key.publicKey), sign(null, Buffer.from(body), key.privateKey)]).toString('base64')}`];
  if (timestamp !== undefined && timestamp !== null) {
    const stamp = Buffer.alloc(8);
    stamp.writeBigUInt64BE(BigInt(timestamp));
    const sig = sign(null, Buffer.from(`cosignature/v1\ntime ${timestamp}\n${body}`), key.privateKey);
    lines.push(`\u2014 ${name} ${Buffer.concat([keyId(name, 4, key.publicKey), stamp, sig]).toString('base64')}`);
  }
  return `${body}\n${lines.join('\n')}\n`;
}

export const credentialEntryBytes = (id, fileBytes) =>
  Buffer.from(canonical({ kind: 'credential-issued', id, sha256: createHash('sha256').update(fileBytes).digest('hex') }));
export const listsEntryBytes = (lists) => Buffer.from(canonical({ kind: 'status-lists', lists }));

/**
 * Every file of a log of `entries` (Buffers) under `prefix`: tiles, entry bundles, tip.json,
 * locate files, and a checkpoint signed at `timestamp` (seconds). Returns Map(url -> Buffer).
 */
export function writeLog(entries, { prefix, name, key, timestamp, credentialIds = {} }) {
  const leaves = entries.map(leaf);
  const n = leaves.length;
  const memo = new Map();
  const files = new Map();
  // Tiles: level L holds MTH of blocks of 256**L leaves; 256 of them per tile.
  for (let L = 0; n >= 256 ** L; L++) {
    const block = 256 ** L;
    const count = Math.floor(n / block);
    for (let N = 0; N * 256 < count; N++) {
      const width = Math.min(256, count - N * 256);
      const hashes = [];
      for (let i = 0; i < width; i++) {
        const start = (N * 256 + i) * block;
        hashes.push(mth(leaves, start, start + block, memo));
      }
      const suffix = width < 256 ? `.p/${width}` : '';
      files.set(`${prefix}tile/${L}/${tileIndex(N)}${suffix}`, Buffer.concat(hashes));
      if (L === 0) {
        const bundle = entries.slice(N * 256, N * 256 + width).map((e) => Buffer.concat([Buffer.from([e.length >> 8, e.length & 255]), e]));
        files.set(`${prefix}tile/entries/${tileIndex(N)}${suffix}`, Buffer.concat(bundle));
      }
    }
  }
  const root = mth(leaves, 0, n, memo);
  const body = `${name}\n${n}\n${root.toString('base64')}\n`;
  files.set(`${prefix}checkpoint`, Buffer.from(signCheckpoint(body, { name, key, timestamp })));
  // tip.json: the last entry and its inclusion proof (PATH from RFC 6962 §2.1.1).
  const path = (m, a, b) => {
    if (b - a === 1) return [];
    let k = 1;
    while (k * 2 < b - a) k *= 2;
    return m < k ? [...path(m, a, a + k), mth(leaves, a + k, b, memo)] : [...path(m - k, a + k, b), mth(leaves, a, a + k, memo)];
  };
  // Locate shards: as many hex digits as keep a shard near 64 credentials (as the Python side).
  const count = Object.keys(credentialIds).length;
  let digits = 1;
  while (count > 64 * 16 ** digits) digits += 1;
  const tip = { size: n, index: n - 1, entry: entries[n - 1].toString('utf8'), proof: path(n - 1, 0, n).map((h) => h.toString('base64')), locate: digits };
  files.set(`${prefix}tip.json`, Buffer.from(JSON.stringify(tip)));
  const shards = {};
  for (const [id, index] of Object.entries(credentialIds)) {
    const k = createHash('sha256').update(id).digest('hex').slice(0, 16);
    (shards[k.slice(0, digits)] ||= {})[k] = index;
  }
  for (const [shard, table] of Object.entries(shards)) files.set(`${prefix}locate/${shard}.json`, Buffer.from(JSON.stringify(table)));
  return { files, root, size: n, path: (m) => path(m, 0, n) };
}
