// The status-list verdict cache (verifyCredential's listCache, the page's localStorage): each
// list's proofs, issuer and keys are checked once per content; only passes are kept; the bit and
// the list's dates are read every time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verifyCredential } from '../src/verify.js';
import * as T from '../test-support/issuer.js';
import { memoryCache, signatureChecks } from '../test-support/issuer.js';

/** verifyCredential with the page's cache. */
const verifyWith = (credential, options, cache) => verifyCredential(credential, { ...options, listCache: cache });

test('a list verified once is not verified again; its bit still is read', async () => {
  const cache = memoryCache();
  const { options } = await T.site({ revoked: [7] });
  const credential = await T.signNew(T.credential());
  let report;
  const first = await signatureChecks(async () => {
    report = await verifyWith(credential, options, cache);
  });
  assert.equal(report.status, 'revoked', report.verdict);
  assert.equal(first, 3); // the credential and both lists
  assert.equal(cache.kept.size, 2);
  const second = await signatureChecks(async () => {
    report = await verifyWith(credential, options, cache);
  });
  assert.equal(second, 1); // the credential only
  assert.equal(report.status, 'revoked', report.verdict); // the bit is read from the list itself
});

test('a list that fails is never kept, so it fails every time', async () => {
  const cache = memoryCache();
  const forged = await T.signDocument(T.statusList('revocation'), { key: T.strangerKey, verificationMethod: `${T.ISSUER}#key-2025`, created: '2026-02-01T00:00:00Z' });
  const { options } = await T.site({ extra: { [`${T.SITE}status/revocation.json`]: forged } });
  const credential = await T.signNew(T.credential());
  for (let i = 0; i < 2; i++) {
    const report = await verifyWith(credential, options, cache);
    assert.notEqual(report.status, 'verified', report.verdict);
    assert.equal(T.check(report, 'status').outcome, 'error'); // untrusted: never a pass
  }
  assert.equal(cache.kept.size, 1); // the suspension list, which is genuine
});

test('a kept verdict never covers another list: a changed byte is a new key', async () => {
  const cache = memoryCache();
  const { options, files } = await T.site();
  const credential = await T.signNew(T.credential());
  assert.equal((await verifyWith(credential, options, cache)).status, 'verified');
  // The list is swapped for one with the bit set but the old signature: a new key, so it is
  // verified again, and fails.
  const url = `${T.SITE}status/revocation.json`;
  const tampered = structuredClone(files[url]);
  tampered.credentialSubject.encodedList = T.encodeStatusList([7]);
  files[url] = tampered;
  const report = await verifyWith(credential, options, cache);
  assert.notEqual(report.status, 'verified');
  assert.equal(T.check(report, 'status').outcome, 'error'); // untrusted: never a pass
});

test('an expired list is refused even when its signature was kept', async () => {
  const cache = memoryCache();
  const { options } = await T.site();
  const credential = await T.signNew(T.credential());
  assert.equal((await verifyWith(credential, options, cache)).status, 'verified');
  const later = { ...options, now: new Date('2026-05-01T00:00:00Z') };
  const report = await verifyWith(credential, later, cache);
  assert.notEqual(report.status, 'verified');
  assert.match(T.check(report, 'status').message, /out of date/);
});

test('a cache that throws is ignored: the list is verified', async () => {
  const broken = { key: async () => { throw new Error('storage blocked'); }, get: async () => ({ code: 'ok' }), set: async () => {} };
  const { options } = await T.site({ suspended: [7] });
  const report = await verifyWith(await T.signNew(T.credential()), options, broken);
  assert.equal(report.status, 'suspended', report.verdict);
});
