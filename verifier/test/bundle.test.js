// The committed bundle is what the site serves: it must be a fresh, reproducible build of src/,
// and it must verify credentials when loaded as a classic <script> in a browser-like global.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import vm from 'node:vm';
import { gzipSync } from 'node:zlib';
import { BADGE_BUNDLE, BADGE_DIR, BUNDLE, OUT_DIR, SUITES, build, buildBadge } from '../build.mjs';
import * as T from '../test-support/issuer.js';

const committed = (name) => readFileSync(join(OUT_DIR, name));

test('the committed bundle and licences are byte-identical to a fresh build (run npm run build)', async () => {
  const first = await build();
  const second = await build();
  for (const [name, bytes] of Object.entries(first)) {
    assert.deepEqual(Buffer.from(second[name]), Buffer.from(bytes), `${name}: two builds differ`);
    assert.ok(Buffer.from(bytes).equals(committed(name)), `${name} is stale: run npm run build`);
  }
});

test('the committed badge maker is byte-identical to a fresh build (run npm run build)', async () => {
  const first = await buildBadge();
  const second = await buildBadge();
  for (const [name, bytes] of Object.entries(first)) {
    assert.deepEqual(Buffer.from(second[name]), Buffer.from(bytes), `${name}: two builds differ`);
    assert.ok(Buffer.from(bytes).equals(readFileSync(join(BADGE_DIR, name))), `${name} is stale: run npm run build`);
  }
  const size = gzipSync(readFileSync(join(BADGE_DIR, BADGE_BUNDLE)), { level: 9 }).length;
  assert.ok(size < 12 * 1024, `badge maker: ${size} bytes gzipped`);
});

test('the bundle is pure ASCII (a server may send it without a charset)', () => {
  assert.ok(committed(BUNDLE).every((byte) => byte < 0x80));
  assert.ok(committed(SUITES).every((byte) => byte < 0x80));
});

test('the other suites are not in the core bundle (pages verifying our own credentials never load them)', () => {
  // The core reads every status list format (small); suites, key types and VC-JWT are loaded on demand.
  const core = committed(BUNDLE).toString('utf8');
  for (const marker of ['ecdsa-rdfc-2019', 'RSASSA-PKCS1-v1_5', 'Ed25519Signature2020', 'JWT_ALGORITHMS', 'RS256']) {
    assert.ok(!core.includes(marker), `${marker} is in ${BUNDLE}`);
    assert.ok(committed(SUITES).toString('utf8').includes(marker), `${marker} is not in ${SUITES}`);
  }
  assert.match(core, /credstack-suites\.js/);
});

test('core and suites together stay under 90 KB gzipped', () => {
  const size = gzipSync(committed(BUNDLE), { level: 9 }).length + gzipSync(committed(SUITES), { level: 9 }).length;
  assert.ok(size < 90 * 1024, `${size} bytes gzipped`);
});

test('the core stays under 50 KB gzipped: a page verifying its own credentials downloads no more than before the other suites existed', () => {
  // 51.1 KB before issue 13 (with the transparency log); the other suites are in their own file and
  // the core carries only the parts of jsonld.js canonicalization uses (src/jsonld-canonize.js).
  const size = gzipSync(committed(BUNDLE), { level: 9 }).length;
  assert.ok(size < 50 * 1024, `${size} bytes gzipped`);
});

/** A fresh realm with only what a browser page offers (no require, no process, no Buffer). */
function browserLike({ crypto = globalThis.crypto } = {}) {
  const globals = {
    crypto, TextEncoder, TextDecoder, atob, btoa, Blob, DecompressionStream,
    setTimeout, clearTimeout, queueMicrotask, console, URL, structuredClone,
  };
  const context = vm.createContext({ ...globals });
  context.window = context;
  context.self = context;
  vm.runInContext(committed(BUNDLE).toString('utf8'), context, { filename: BUNDLE });
  return context;
}

test('loaded as a script, it exposes window.CredstackVerifier with the documented API', () => {
  const { window } = browserLike();
  for (const name of ['verifyCredential', 'verifyDataIntegrityProof', 'hashEmail', 'matchRecipient', 'extractFromPng', 'extractFromSvg', 'loadSuites']) {
    assert.equal(typeof window.CredstackVerifier[name], 'function', name);
  }
  assert.equal(vm.runInContext('typeof process + typeof require', browserLike()), 'undefinedundefined');
});

test('the bundle verifies the 1EdTech vector and rejects a tampered copy', async () => {
  const { CredstackVerifier } = browserLike();
  const vector = T.readFixture('ob-v3p0-eddsa-rdfc-2022.json').expected.signedDocument;
  const options = { contexts: T.contexts, fetchJson: async () => { throw new Error('offline'); } };
  const report = await CredstackVerifier.verifyCredential(structuredClone(vector), options);
  assert.equal(report.status, 'verified', report.verdict);
  const tampered = { ...structuredClone(vector), name: 'Teamwork Badgf' };
  assert.equal((await CredstackVerifier.verifyCredential(tampered, options)).status, 'invalid');
});

test('without WebCrypto Ed25519 (older browsers) the bundle falls back to @noble/ed25519', async () => {
  const attempts = [];
  const subtle = {
    digest: (...args) => globalThis.crypto.subtle.digest(...args),
    importKey: async (format, key, algorithm) => {
      attempts.push(algorithm.name);
      throw new DOMException(`Algorithm: Unrecognized name ${algorithm.name}`, 'NotSupportedError');
    },
  };
  const { CredstackVerifier } = browserLike({ crypto: { subtle, getRandomValues: (a) => globalThis.crypto.getRandomValues(a) } });
  const vector = T.readFixture('ob-v3p0-eddsa-rdfc-2022.json').expected.signedDocument;
  const options = { contexts: T.contexts, fetchJson: async () => { throw new Error('offline'); } };
  assert.equal((await CredstackVerifier.verifyCredential(structuredClone(vector), options)).status, 'verified');
  assert.equal((await CredstackVerifier.verifyCredential({ ...structuredClone(vector), name: 'x' }, options)).status, 'invalid');
  assert.deepEqual(attempts, ['Ed25519']); // asked once, then remembered
});

test('the bundle verifies the W3C did:key vectors', async () => {
  const { CredstackVerifier } = browserLike();
  for (const vector of T.readFixture('eddsa-rdfc-2022.json').cases) {
    const result = await CredstackVerifier.verifyDataIntegrityProof(vector.expected.signedDocument, { contexts: T.contexts });
    assert.equal(result.verified, true, `${vector.name}: ${result.message}`);
  }
});

test('the bundle reads a revoked status from a GZIP status list (DecompressionStream)', async () => {
  const { CredstackVerifier } = browserLike();
  const { options } = await T.site({ revoked: [7] });
  const report = await CredstackVerifier.verifyCredential(await T.signNew(T.credential()), options);
  assert.equal(report.status, 'revoked', report.verdict);
  const clean = await T.site();
  assert.equal((await CredstackVerifier.verifyCredential(await T.signNew(T.credential()), clean.options)).verdict, 'Verified');
});

test('the bundle hashes emails and extracts baked credentials', async () => {
  const { CredstackVerifier } = browserLike();
  assert.equal(await CredstackVerifier.hashEmail('a@example.com', 'Kosher'), 'sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399');
  assert.equal(await CredstackVerifier.matchRecipient(T.credential(), T.RECIPIENT), true);
  const svg = '<svg><openbadges:credential><![CDATA[{"a":1}]]></openbadges:credential></svg>';
  assert.equal(JSON.stringify(CredstackVerifier.extractFromSvg(svg)), '{"a":1}'); // objects of another realm
});
