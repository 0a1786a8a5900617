// The signature cache (verifyCredential's signatureCache, the page's localStorage): a proof whose
// exact document, proof and key were verified before is not canonicalized again; only passes are
// kept; who holds the key, whether it may sign and when, the status and the dates are decided
// every time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verifyCredential } from '../src/verify.js';
import * as T from '../test-support/issuer.js';
import { memoryCache, signatureChecks } from '../test-support/issuer.js';

const verifyWith = (credential, options, cache) => verifyCredential(credential, { ...options, signatureCache: cache });

test('a signature verified once is not verified again, and the report is the same', async () => {
  const cache = memoryCache();
  const { options } = await T.site();
  const credential = await T.signNew(T.credential());
  let first;
  let second;
  assert.equal(await signatureChecks(async () => { first = await verifyWith(credential, options, cache); }), 3); // credential, two lists
  assert.equal(first.status, 'verified', first.verdict);
  assert.equal(cache.kept.size, 3);
  assert.equal(await signatureChecks(async () => { second = await verifyWith(credential, options, cache); }), 0);
  assert.deepEqual(second, first);
});

test('a changed credential is another key: checked again, and fails', async () => {
  const cache = memoryCache();
  const { options } = await T.site();
  const credential = await T.signNew(T.credential());
  assert.equal((await verifyWith(credential, options, cache)).status, 'verified');
  const tampered = structuredClone(credential);
  tampered.credentialSubject.achievement.name = 'Something grander';
  const report = await verifyWith(tampered, options, cache);
  assert.equal(report.status, 'invalid', report.verdict);
  assert.equal(T.check(report, 'signature').code, 'mismatch');
  const swapped = structuredClone(credential);
  swapped.proof[0].proofValue = (await T.signNew(T.credential({ slug: 'bob' }))).proof[0].proofValue; // another document's signature
  assert.equal((await verifyWith(swapped, options, cache)).status, 'invalid');
});

test('a failure is never kept, so it fails every time', async () => {
  const cache = memoryCache();
  const { options } = await T.site();
  const forged = await T.signDocument(T.credential(), { key: T.strangerKey, verificationMethod: T.newKey.id, created: '2026-02-01T00:00:00Z' });
  for (let i = 0; i < 2; i++) {
    const report = await verifyWith(forged, options, cache);
    assert.equal(report.status, 'invalid', report.verdict);
  }
  assert.equal(cache.kept.size, 0); // (the lists are not read once the signature fails)
});

test('a kept signature does not keep its key: a key retired before the proof is refused', async () => {
  const cache = memoryCache();
  const credential = await T.signNew(T.credential());
  const { options } = await T.site();
  assert.equal((await verifyWith(credential, options, cache)).status, 'verified');
  const retired = { ...T.newKey, revoked: '2026-01-15T00:00:00Z' };
  const { options: later } = await T.site({ did: T.didDocument({ keys: [T.oldKey, retired] }) });
  const report = await verifyWith(credential, later, cache);
  assert.notEqual(report.status, 'verified', report.verdict);
  assert.equal(T.check(report, 'key-valid').code, 'retired');
});

test('a cache that throws or answers nonsense is ignored: the signature is verified', async () => {
  const { options } = await T.site();
  const forged = await T.signDocument(T.credential(), { key: T.strangerKey, verificationMethod: T.newKey.id, created: '2026-02-01T00:00:00Z' });
  const broken = { key: async () => { throw new Error('storage blocked'); }, get: async () => true, set: async () => {} };
  assert.equal((await verifyWith(forged, options, broken)).status, 'invalid');
  const liar = { key: async () => 'k', get: async () => ({ code: 'ok' }), set: async () => {} }; // only `true` is a kept pass
  assert.equal((await verifyWith(forged, options, liar)).status, 'invalid');
});

test('numbers JSON cannot tell apart never share a kept signature', async () => {
  // JSON.stringify writes Infinity as null (which canonicalization drops) and -0 as 0: a cache
  // keyed by it would take 1e400 for null. Documents holding such numbers are never kept.
  const cache = memoryCache();
  const { options } = await T.site();
  const signed = T.credential();
  signed.credentialSubject.achievement.description = null;
  const credential = await T.signNew(signed);
  assert.equal((await verifyWith(credential, options, cache)).status, 'verified');
  for (const value of [Infinity, -Infinity, -0]) {
    const tampered = structuredClone(credential);
    tampered.credentialSubject.achievement.description = value;
    const report = await verifyWith(tampered, options, cache);
    assert.notEqual(report.status, 'verified', `${value}: ${report.verdict}`);
  }
});
