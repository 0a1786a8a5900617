// The report vocabulary is the published one (plugins/credstack/model/schemas/verification-report.schema.json),
// the same as the Python verifier's; reports carry every check with a code from it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { CHECK_IDS, CODES, decide, result } from '../src/report.js';
import { message } from '../src/wording.js';
import { verifyCredential } from '../src/index.js';
import * as T from '../test-support/issuer.js';

const schema = JSON.parse(readFileSync(new URL('../../plugins/credstack/model/schemas/verification-report.schema.json', import.meta.url), 'utf8'));

describe('report vocabulary', () => {
  test('codes and outcomes equal the published schema', () => {
    assert.deepEqual(CODES, schema['x-outcomes']);
    assert.deepEqual(CHECK_IDS, schema.properties.checks.prefixItems.map((p) => p.properties.id.const));
  });

  test('rejects an unknown code', () => {
    assert.throws(() => result('signature', 'looks-fine'), /unknown reason code/);
  });

  test('every code has words', () => {
    for (const [id, codes] of Object.entries(CODES)) {
      for (const code of Object.keys(codes)) assert.ok(message(result(id, code, { detail: 'd', url: 'u' })), `${id}/${code}`);
    }
  });

  test('the status is decided by codes in the documented order', () => {
    const base = { format: 'ok', signature: 'ok', 'issuer-key': 'ok', 'key-valid': 'ok', status: 'ok', validity: 'ok', components: 'not-applicable', log: 'none' };
    const status = (codes) => decide(CHECK_IDS.map((id) => result(id, { ...base, ...codes }[id]))).status;
    assert.equal(status({}), 'verified');
    assert.equal(status({ status: 'suspended', validity: 'expired' }), 'suspended');
    assert.equal(status({ status: 'untrusted', validity: 'expired' }), 'error');
    assert.equal(status({ validity: 'not-yet-valid', status: 'revoked' }), 'invalid');
    assert.equal(status({ signature: 'unknown-context' }), 'error');
    assert.equal(status({ 'issuer-key': 'impersonation', signature: 'not-checked' }), 'invalid');
  });

  test('a report has every documented field, every check in order, codes from the schema', async () => {
    const { options } = await T.site({ revoked: [7] });
    const report = await verifyCredential(await T.signNew(T.credential()), options);
    for (const field of schema.required) assert.ok(field in report, field);
    assert.deepEqual(report.checks.map((c) => c.id), CHECK_IDS);
    for (const check of report.checks) {
      assert.ok(check.code in CODES[check.id], `${check.id}/${check.code}`);
      assert.equal(check.outcome, CODES[check.id][check.code]);
      for (const field of schema.properties.checks.items.required) assert.ok(field in check, field);
    }
    assert.deepEqual(report.reason, { check: 'status', code: 'revoked' });
  });
});
