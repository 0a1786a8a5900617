// The transparency log in the browser (src/tlog.js): proofs against an independent writer
// (test-support/tlog-writer.js), a log written by the Python side (fixtures/tlog/), and the
// attacks of issue 14, each detected and never a pass.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  TileReader,
  consistencyRanges,
  encodeTileIndex,
  inclusionRanges,
  openCheckpoint,
  tilePath,
  verifyConsistency,
  verifyInclusion,
  verifyLog,
} from '../src/tlog.js';
import { keyFromSeed } from '../test-support/issuer.js';
import { credentialEntryBytes, leaf, listsEntryBytes, mth, writeLog } from '../test-support/tlog-writer.js';

const SITE = 'https://badges.example/lab/';
const ISSUER = 'did:web:badges.example:lab';
const PREFIX = `${SITE}log/`;
const NAME = 'badges.example/lab/log';
const LOG_KEY = keyFromSeed('11'.repeat(32)); // TEST-ONLY
const OTHER_KEY = keyFromSeed('22'.repeat(32)); // TEST-ONLY
const NOW = new Date('2026-03-01T12:00:00Z');
const T = Math.floor(NOW.getTime() / 1000) - 3600; // signed an hour ago
const sha256hex = (b) => createHash('sha256').update(b).digest('hex');

function didDocument(key = LOG_KEY, { service = true } = {}) {
  const doc = {
    id: ISSUER,
    verificationMethod: [{ id: `${ISSUER}#log-key`, type: 'Multikey', controller: ISSUER, publicKeyMultibase: key.multikey }],
    assertionMethod: [],
  };
  if (service) doc.service = [{ id: `${ISSUER}#transparency-log`, type: 'TransparencyLog', serviceEndpoint: PREFIX, verificationMethod: `${ISSUER}#log-key` }];
  return doc;
}

const LIST = `${SITE}status/revocation-1.json`;
const SUSPENSION = `${SITE}status/suspension-1.json`;
const listV1 = Buffer.from('{"id":"revocation-1","bits":"none"}\n');
const listV2 = Buffer.from('{"id":"revocation-1","bits":"#3 revoked"}\n');
const suspension = Buffer.from('{"id":"suspension-1"}\n');

function credential(i) {
  const doc = { id: `${SITE}credentials/c${i}/`, issuer: { id: ISSUER }, credentialStatus: { statusListCredential: LIST, statusPurpose: 'revocation' } };
  return { doc, bytes: Buffer.from(JSON.stringify(doc, null, 2) + '\n') };
}

/**
 * A site whose log holds `count` credentials, each awarded in its own transaction (its entry,
 * then the status-lists state, as credstack writes them), then a revocation if `revoked`.
 * Logs of the same options share their history: a larger one extends a smaller one.
 */
function makeSite(count, { revoked = false, key = LOG_KEY, timestamp = T, drop = -1 } = {}) {
  const files = new Map();
  const entries = [];
  const ids = {};
  const creds = [];
  const lists = { [LIST]: sha256hex(listV1), [SUSPENSION]: sha256hex(suspension) };
  for (let i = 0; i < count; i++) {
    const c = credential(i);
    creds.push(c);
    files.set(`${c.doc.id}credential.json`, c.bytes);
    if (i === drop) continue; // "deleted and the log rebuilt without it"
    ids[c.doc.id] = entries.length;
    entries.push(credentialEntryBytes(c.doc.id, c.bytes), listsEntryBytes(lists));
  }
  if (revoked) {
    lists[LIST] = sha256hex(listV2);
    entries.push(Buffer.from(JSON.stringify({ kind: 'status-changed', id: creds[3].doc.id })), listsEntryBytes(lists));
  }
  const log = writeLog(entries, { prefix: PREFIX, name: NAME, key, timestamp, credentialIds: ids });
  for (const [path, bytes] of log.files) files.set(path, bytes);
  files.set(LIST, revoked ? listV2 : listV1);
  files.set(SUSPENSION, suspension);
  return { files, creds, log, entries };
}

function fetcher(files, seen = []) {
  return async (url) => {
    seen.push(url);
    if (!files.has(url)) throw new Error(`404 ${url}`);
    return new Uint8Array(files.get(url));
  };
}

function memoryStorage() {
  const map = new Map();
  return { getItem: (k) => (map.has(k) ? map.get(k) : null), setItem: (k, v) => map.set(k, String(v)), map };
}

const check = (site, i, extra = {}) =>
  verifyLog(site.creds[i].doc, { fetchBytes: fetcher(site.files), didDocument: didDocument(), now: NOW, ...extra });

describe('tiles and proofs', () => {
  it('writes tile indexes as tlog-tiles says', () => {
    assert.equal(encodeTileIndex(1234067), 'x001/x234/067');
    assert.equal(encodeTileIndex(5), '005');
    assert.equal(tilePath(0, 1234067, 5), 'tile/0/x001/x234/067.p/5');
    assert.equal(tilePath(-1, 1), 'tile/entries/001');
  });

  it('proves inclusion and consistency from tiles for logs of 1 to 70,000 entries', async () => {
    for (const n of [1, 2, 3, 255, 256, 257, 511, 512, 513, 65535, 65536, 65537, 70000]) {
      const entries = Array.from({ length: n }, (_, i) => Buffer.from(`entry ${i}`));
      const log = writeLog(entries, { prefix: '', name: 'x/log', key: LOG_KEY, timestamp: T });
      const reader = new TileReader('', n, fetcher(log.files));
      for (const index of new Set([0, n - 1, Math.floor(n / 2), Math.min(255, n - 1), Math.min(256, n - 1)])) {
        const proof = await reader.inclusionProof(index);
        assert.deepEqual(proof.map((h) => Buffer.from(h).toString('hex')), log.path(index).map((h) => h.toString('hex')), `path ${index} of ${n}`);
        assert.ok(await verifyInclusion(leaf(entries[index]), index, n, proof, log.root), `inclusion ${index} of ${n}`);
        assert.ok(!(await verifyInclusion(leaf(Buffer.from('other')), index, n, proof, log.root)));
      }
      for (const m of new Set([1, Math.max(1, n - 1), Math.ceil(n / 3), Math.min(256, n)])) {
        if (m > n) continue;
        const proof = m === n ? [] : await reader.consistencyProof(m);
        const oldRoot = mth(entries.slice(0, m).map(leaf));
        assert.ok(await verifyConsistency(m, n, oldRoot, log.root, proof), `consistency ${m} -> ${n}`);
        if (m < n) assert.ok(!(await verifyConsistency(m, n, leaf(Buffer.from('x')), log.root, proof)));
      }
    }
  });

  it('computes the RFC 6962 paths', () => {
    // RFC 9162 §2.1.5 example tree of 7 leaves: PATH(3) = [c, g, l] and PROOF(4, 7) = [l].
    assert.deepEqual(inclusionRanges(3, 7), [[2, 3], [0, 2], [4, 7]]);
    assert.deepEqual(consistencyRanges(4, 7), [[4, 7]]);
    assert.deepEqual(consistencyRanges(3, 7), [[2, 3], [3, 4], [0, 2], [4, 7]]);
  });

  it('reads a gone partial tile from the full tile that replaced it', async () => {
    const entries = Array.from({ length: 600 }, (_, i) => Buffer.from(`entry ${i}`));
    const grown = writeLog(entries, { prefix: '', name: 'x/log', key: LOG_KEY, timestamp: T });
    assert.ok(!grown.files.has('tile/0/001.p/34') && grown.files.has('tile/0/001'));
    // A reader of an older checkpoint (290 entries) asks for tile/0/001.p/34: gone, so the full
    // tile is read instead (tlog-tiles allows it), and the proof checks against the old root.
    const reader = new TileReader('', 290, fetcher(grown.files));
    const proof = await reader.inclusionProof(280);
    assert.ok(await verifyInclusion(leaf(entries[280]), 280, 290, proof, mth(entries.slice(0, 290).map(leaf))));
  });
});

describe('verifyLog', () => {
  it('passes for a logged credential with the latest status list', async () => {
    const site = makeSite(20);
    const result = await check(site, 7);
    assert.equal(result.outcome, 'pass', result.message);
    assert.equal(result.code, 'logged');
    assert.equal(result.message, "Recorded in the issuer's public log, entry 15 of 40, signed on 2026-03-01");
    assert.deepEqual([result.params.index, result.params.size, result.params.origin], [14, 40, NAME]);
    assert.ok(result.fetched.bytes < 10_000, `fetched ${result.fetched.bytes} bytes`);
    assert.match(result.proof, /^c2sp\.org\/tlog-proof@v1\nindex 14\n/);
  });

  it('passes with the @noble/ed25519 path too', async () => {
    const result = await check(makeSite(5), 2, { useWebCrypto: false });
    assert.equal(result.outcome, 'pass', result.message);
  });

  it('fetches about one tile per level, not the whole log', async () => {
    const site = makeSite(3000);
    const seen = [];
    const result = await verifyLog(site.creds[1234].doc, { fetchBytes: fetcher(site.files, seen), didDocument: didDocument(), now: NOW });
    assert.equal(result.outcome, 'pass', result.message);
    const tiles = seen.filter((u) => u.includes('/tile/'));
    assert.ok(tiles.length <= 3, tiles.join(' '));
    assert.ok(!seen.some((u) => u.includes('/tile/entries/')));
    assert.ok(result.fetched.bytes < 12_000, `fetched ${result.fetched.bytes}`);
  });

  it('attack: an older signed status list served after a revocation', async () => {
    const site = makeSite(10, { revoked: true });
    site.files.set(LIST, listV1); // the list from before the revocation, still validly signed
    const result = await check(site, 3);
    assert.equal(result.outcome, 'fail');
    assert.equal(result.code, 'status-list-not-latest');
  });

  it('attack: an old checkpoint replayed after a newer one was seen', async () => {
    const storage = memoryStorage();
    const before = makeSite(10);
    const after = makeSite(10, { revoked: true });
    assert.equal((await check(after, 1, { storage })).outcome, 'pass');
    const replayed = await check(before, 1, { storage });
    assert.equal(replayed.outcome, 'error');
    assert.equal(replayed.code, 'log-rollback');
  });

  it('attack: a credential deleted and the log rebuilt without it', async () => {
    const storage = memoryStorage();
    assert.equal((await check(makeSite(10), 1, { storage })).outcome, 'pass');
    const rebuilt = makeSite(12, { drop: 4 }); // grew since, but without credential 4
    const other = await check(rebuilt, 1, { storage });
    assert.equal(other.outcome, 'fail');
    assert.equal(other.code, 'log-inconsistent');
    const deleted = await check(rebuilt, 4, { storage: memoryStorage() });
    assert.equal(deleted.code, 'not-in-log');
    assert.equal(deleted.outcome, 'fail');
  });

  it('attack: a credential file changed after it was logged', async () => {
    const site = makeSite(10);
    const c = site.creds[2];
    site.files.set(`${c.doc.id}credential.json`, Buffer.from(c.bytes.toString().replace('c2', 'c2 ')));
    const result = await check(site, 2);
    assert.deepEqual([result.outcome, result.code], ['fail', 'not-in-log']);
  });

  it('attack: an entry edited and the log re-signed', async () => {
    const storage = memoryStorage();
    const site = makeSite(10);
    assert.equal((await check(site, 1, { storage })).outcome, 'pass');
    // Same size, entry 10 (credential 5's) edited to match a swapped file, tiles rebuilt, re-signed.
    const c = site.creds[5];
    const swapped = Buffer.from(c.bytes.toString().replace('revocation', 'revocation '));
    const entries = [...site.entries];
    entries[10] = credentialEntryBytes(c.doc.id, swapped);
    const edited = { ...site, files: new Map(site.files) };
    edited.files.set(`${c.doc.id}credential.json`, swapped);
    const log = writeLog(entries, { prefix: PREFIX, name: NAME, key: LOG_KEY, timestamp: T });
    for (const [p, b] of log.files) edited.files.set(p, b);
    const result = await check(edited, 1, { storage });
    assert.deepEqual([result.outcome, result.code], ['fail', 'log-inconsistent']);
    // A first-time visitor cannot tell (split views need witnesses), but the file still is
    // what the rewritten log says: that is why the remembered checkpoint matters.
    assert.equal((await check(edited, 5)).outcome, 'pass');
  });

  it('attack: a checkpoint re-signed with another key', async () => {
    const site = makeSite(10, { key: OTHER_KEY });
    const result = await check(site, 1);
    assert.deepEqual([result.outcome, result.code], ['fail', 'checkpoint-signature']);
  });

  it('attack: the log truncated (a merged pull request) and served', async () => {
    const storage = memoryStorage();
    assert.equal((await check(makeSite(12), 1, { storage })).outcome, 'pass');
    const truncated = await check(makeSite(8), 1, { storage });
    assert.notEqual(truncated.outcome, 'pass');
    assert.equal(truncated.code, 'log-rollback');
  });

  it('a stale checkpoint is an error, never a pass', async () => {
    const site = makeSite(5, { timestamp: T - 5 * 24 * 3600 });
    const result = await check(site, 1);
    assert.deepEqual([result.outcome, result.code], ['error', 'log-stale']);
    assert.equal((await check(site, 1, { maxAgeMs: 10 * 24 * 3600 * 1000 })).outcome, 'pass');
  });

  it('an undated checkpoint is an error', async () => {
    const site = makeSite(5, { timestamp: null });
    assert.deepEqual([(await check(site, 1)).outcome, (await check(site, 1)).code], ['error', 'log-undated']);
  });

  it('a log announced before and now gone fails; an issuer without a log only warns', async () => {
    const storage = memoryStorage();
    const site = makeSite(5);
    assert.equal((await check(site, 1, { storage })).outcome, 'pass');
    const gone = await check(site, 1, { storage, didDocument: didDocument(LOG_KEY, { service: false }) });
    assert.deepEqual([gone.outcome, gone.code], ['fail', 'log-removed']);
    const never = await check(site, 1, { didDocument: didDocument(LOG_KEY, { service: false }) });
    assert.deepEqual([never.outcome, never.code], ['warn', 'no-log']);
  });

  it('a tampered tip (state) fails', async () => {
    const site = makeSite(5);
    const tip = JSON.parse(site.files.get(`${PREFIX}tip.json`));
    tip.entry = tip.entry.replace(/[0-9a-f]{64}/, '0'.repeat(64));
    site.files.set(`${PREFIX}tip.json`, Buffer.from(JSON.stringify(tip)));
    assert.deepEqual([(await check(site, 1)).outcome, (await check(site, 1)).code], ['fail', 'log-state-invalid']);
  });

  it('an unreachable log is an error', async () => {
    const site = makeSite(5);
    site.files.delete(`${PREFIX}checkpoint`);
    assert.deepEqual([(await check(site, 1)).outcome, (await check(site, 1)).code], ['error', 'log-unavailable']);
  });

  it('remembers the newer checkpoint and checks consistency with it', async () => {
    const storage = memoryStorage();
    assert.equal((await check(makeSite(10), 1, { storage })).outcome, 'pass');
    const grown = await check(makeSite(300), 1, { storage });
    assert.equal(grown.outcome, 'pass', grown.message);
    assert.equal(JSON.parse([...storage.map.values()][0]).size, 600);
  });
});

// A log written by the Python side (tests/unit/site/test_tlog_site.py keeps it up to date).
const fixture = fileURLToPath(new URL('./fixtures/tlog/', import.meta.url));
describe('a log written by credstack (Python)', { skip: !existsSync(fixture) }, () => {
  it('verifies its credentials', async () => {
    const meta = JSON.parse(readFileSync(join(fixture, 'meta.json'), 'utf8'));
    const files = new Map();
    const walk = (dir, rel = '') => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path, `${rel}${name}/`);
        else files.set(`${meta.site}${rel}${name}`, readFileSync(path));
      }
    };
    walk(join(fixture, 'site'));
    const now = new Date(meta.signedAt);
    for (const id of meta.credentials) {
      const doc = JSON.parse(files.get(`${id}credential.json`));
      const result = await verifyLog(doc, { fetchBytes: fetcher(files), didDocument: meta.didDocument, now });
      assert.equal(result.outcome, 'pass', `${id}: ${result.message}`);
    }
    const opened = await openCheckpoint(files.get(`${meta.site}log/checkpoint`).toString(), {
      name: meta.origin,
      publicKey: Buffer.from(meta.publicKeyHex, 'hex'),
    });
    assert.equal(opened.timestamp, Math.floor(now.getTime() / 1000));
  });
});

