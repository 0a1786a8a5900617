// Credentials shaped like credstack's: did:web issuer with a retired key, status lists,
// validity windows and certifications with component credentials.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { didWebUrl } from '../src/keys.js';
import { verifyCredential } from '../src/index.js';
import * as T from '../test-support/issuer.js';

const { check, outcomes } = T;

describe('did:web issuer key', () => {
  test('verifies a credential signed with the current key', async () => {
    const { options, fetched } = await T.site();
    const report = await verifyCredential(await T.signNew(T.credential()), options);
    assert.equal(report.status, 'verified', report.verdict);
    assert.equal(report.verdict, 'Verified');
    assert.deepEqual(outcomes(report), { format: 'pass', signature: 'pass', 'issuer-key': 'pass', 'key-valid': 'pass', status: 'pass', validity: 'pass', components: 'skip', log: 'skip' });
    assert.ok(fetched.includes(T.DID_URL));
  });

  test('the check ids come in the order the Python CLI uses', async () => {
    const { options } = await T.site();
    const report = await verifyCredential(await T.signNew(T.credential()), options);
    assert.deepEqual(report.checks.map((c) => c.id), ['format', 'signature', 'issuer-key', 'key-valid', 'status', 'validity', 'components', 'log']);
    for (const c of report.checks) assert.ok(c.label && c.message, c.id);
  });

  test('did:web URLs follow the did:web method', () => {
    assert.equal(didWebUrl('did:web:badges.example'), 'https://badges.example/.well-known/did.json');
    assert.equal(didWebUrl('did:web:badges.example:lab'), 'https://badges.example/lab/did.json');
    assert.equal(didWebUrl('did:web:badges.example:org:lab'), 'https://badges.example/org/lab/did.json');
    assert.equal(didWebUrl('did:web:localhost%3A8443:lab'), 'https://localhost:8443/lab/did.json');
    assert.throws(() => didWebUrl('did:web:evil.example%2Fx'), /not a did:web host/);
    assert.throws(() => didWebUrl('did:web:badges.example:..:x'), /path segment/);
  });

  test('rejects a key the DID document does not contain', async () => {
    const { options } = await T.site();
    const signed = await T.signDocument(T.credential(), { key: T.strangerKey, verificationMethod: T.strangerKey.id, created: '2026-02-01T00:00:00Z' });
    const report = await verifyCredential(signed, options);
    assert.equal(report.status, 'invalid');
    assert.match(report.verdict, /is not in the issuer's DID document/);
  });

  test('rejects a key whose controller is not the issuer', async () => {
    const { options } = await T.site({ did: T.didDocument({ controller: 'did:web:attacker.example' }) });
    const report = await verifyCredential(await T.signNew(T.credential()), options);
    assert.equal(report.status, 'invalid');
    assert.equal(check(report, 'issuer-key').code, 'wrong-controller');
  });

  test('rejects a key not listed under assertionMethod', async () => {
    const { options } = await T.site({ did: T.didDocument({ assertion: [T.oldKey] }) });
    const report = await verifyCredential(await T.signNew(T.credential()), options);
    assert.equal(report.status, 'invalid');
    assert.equal(check(report, 'issuer-key').code, 'not-assertion');
  });

  test('rejects a credential claiming another issuer than the DID that signed', async () => {
    const { options } = await T.site();
    const doc = T.credential();
    doc.issuer.id = 'did:web:university.example';
    // Verified elsewhere (no own issuer), the key is simply not the issuer's ...
    const report = await verifyCredential(await T.signNew(doc), { ...options, ownIssuer: undefined });
    assert.equal(report.status, 'invalid');
    assert.equal(check(report, 'issuer-key').code, 'not-issuer');
    assert.match(check(report, 'issuer-key').message, /not to the issuer did:web:university\.example/);
    // ... on the issuer's own site, a credential on its URLs naming another issuer impersonates it.
    const own = await verifyCredential(await T.signNew(doc), options);
    assert.equal(check(own, 'issuer-key').code, 'impersonation');
  });

  test('rejects a DID document served for another DID', async () => {
    const did = T.didDocument();
    did.id = 'did:web:badges.example:other';
    const { options } = await T.site({ did });
    const report = await verifyCredential(await T.signNew(T.credential()), options);
    assert.deepEqual([report.status, check(report, 'issuer-key').code], ['error', 'unresolvable']);
  });

  test('an unreachable DID document is an error, not a verdict on the credential', async () => {
    const { options } = await T.site();
    const report = await verifyCredential(await T.signNew(T.credential()), { ...options, fetchJson: async () => { throw new Error('offline'); } });
    assert.equal(report.status, 'error');
    assert.match(report.verdict, /^Could not be verified: issuer keys could not be fetched: the DID document https:\/\/badges\.example\/lab\/did\.json could not be loaded \(offline\)/);
    assert.deepEqual([check(report, 'issuer-key').outcome, check(report, 'issuer-key').code], ['error', 'unresolvable']);
    assert.equal(check(report, 'signature').code, 'not-checked');
  });
});

describe('key validity', () => {
  const signOld = (doc, created) => T.signDocument(doc, { key: T.oldKey, verificationMethod: T.oldKey.id, created });

  test('a retired key still verifies what it signed before retirement', async () => {
    const { options } = await T.site();
    const report = await verifyCredential(await signOld(T.credential(), '2025-05-31T23:59:59Z'), options);
    assert.equal(report.status, 'verified', report.verdict);
  });

  test('rejects a proof made with a retired key after its retirement', async () => {
    const { options } = await T.site();
    const report = await verifyCredential(await signOld(T.credential(), '2025-06-01T00:00:00Z'), options);
    assert.equal(report.status, 'invalid');
    assert.equal(check(report, 'key-valid').code, 'retired');
    assert.match(report.verdict, /after the key was retired on 2025-06-01/);
  });

  test('rejects a proof backdated to before the key existed', async () => {
    const { options } = await T.site();
    const report = await verifyCredential(await T.signNew(T.credential(), '2025-05-01T00:00:00Z'), options);
    assert.equal(report.status, 'invalid');
    assert.equal(check(report, 'key-valid').code, 'before-key');
  });

  test('rejects a proof dated in the future', async () => {
    const { options } = await T.site();
    const report = await verifyCredential(await T.signNew(T.credential(), '2026-03-01T13:00:00Z'), options);
    assert.equal(report.status, 'invalid');
    assert.equal(check(report, 'key-valid').code, 'future');
    const skewed = await verifyCredential(await T.signNew(T.credential(), '2026-03-01T12:04:00Z'), options);
    assert.equal(skewed.status, 'verified', 'a few minutes of clock skew are allowed');
  });

  test('rejects a proof without created when the key is valid only for a period', async () => {
    const { options } = await T.site();
    const report = await verifyCredential(await signOld(T.credential(), undefined), options);
    assert.equal(report.status, 'invalid');
    assert.equal(check(report, 'key-valid').code, 'undated');
  });
});

describe('status (Bitstring Status List)', () => {
  test('reports revocation with the date and reason the page supplies', async () => {
    const { options } = await T.site({ revoked: [7] });
    const statusDetails = async ({ purpose, credential }) => (purpose === 'revocation' && credential.credentialStatus[0].statusListIndex === '7' ? { date: '2026-05-02T10:00:00Z', reason: 'awarded in error' } : null);
    const report = await verifyCredential(await T.signNew(T.credential()), { ...options, statusDetails });
    assert.equal(report.status, 'revoked');
    assert.equal(report.verdict, 'Revoked by the issuer on 2026-05-02: awarded in error');
    assert.equal(check(report, 'status').outcome, 'fail');
  });

  test('reports revocation without details', async () => {
    const { options } = await T.site({ revoked: [7] });
    const report = await verifyCredential(await T.signNew(T.credential()), options);
    assert.deepEqual([report.status, report.verdict], ['revoked', 'Revoked by the issuer']);
  });

  test('reports suspension', async () => {
    const { options } = await T.site({ suspended: [7] });
    const report = await verifyCredential(await T.signNew(T.credential()), options);
    assert.deepEqual([report.status, report.verdict], ['suspended', 'Suspended by the issuer']);
  });

  test('neighbouring bits do not affect the credential', async () => {
    const { options } = await T.site({ revoked: [6, 8], suspended: [0, 131071] });
    assert.equal((await verifyCredential(await T.signNew(T.credential()), options)).status, 'verified');
  });

  test('revoked outranks suspended and expired', async () => {
    const { options } = await T.site({ revoked: [7], suspended: [7] });
    const report = await verifyCredential(await T.signNew(T.credential({ validUntil: '2026-01-31T00:00:00Z' })), options);
    assert.equal(report.status, 'revoked');
  });

  const cannotCheck = async (name, change, code = 'untrusted') => {
    test(`${name}: status could not be checked, never passed`, async () => {
      const s = await T.site();
      await change(s.files);
      const report = await verifyCredential(await T.signNew(T.credential()), s.options);
      // Missing, untrustworthy or out of date: an error, never 'verified'.
      assert.equal(check(report, 'status').outcome, 'error');
      assert.equal(check(report, 'status').code, code);
      assert.match(check(report, 'status').message, /^revocation status could not be checked/);
      assert.equal(report.status, 'error');
      assert.match(report.verdict, /^Signature verified, but revocation status could not be checked/);
    });
  };
  const revocationUrl = `${T.SITE}status/revocation.json`;
  cannotCheck('status list missing', (files) => { delete files[revocationUrl]; }, 'unavailable');
  cannotCheck('status list bit cleared after signing', (files) => {
    files[revocationUrl].credentialSubject.encodedList = T.encodeStatusList([1]);
  });
  cannotCheck('status list signed by another issuer', async (files) => {
    files[revocationUrl] = await T.signNew(T.statusList('revocation', [], { issuer: 'did:web:attacker.example' }));
  });
  cannotCheck('status list signed with a key outside the DID document', async (files) => {
    files[revocationUrl] = await T.signDocument(T.statusList('revocation'), { key: T.strangerKey, verificationMethod: T.strangerKey.id, created: '2026-02-01T00:00:00Z' });
  });
  cannotCheck('status list signed with the retired key after retirement', async (files) => {
    files[revocationUrl] = await T.signDocument(T.statusList('revocation'), { key: T.oldKey, verificationMethod: T.oldKey.id, created: '2026-02-01T00:00:00Z' });
  });
  cannotCheck('status list expired', async (files) => {
    files[revocationUrl] = await T.signNew(T.statusList('revocation', [], { validUntil: '2026-02-28T00:00:00Z' }));
  }, 'stale');
  cannotCheck('status list shorter than 131,072 bits', async (files) => {
    files[revocationUrl] = await T.signNew(T.statusList('revocation', [], { encodedList: T.encodeStatusList([], 65536) }));
  });
  cannotCheck('status list served for another purpose', async (files) => {
    files[revocationUrl] = await T.signNew(T.statusList('suspension'));
  });
  cannotCheck('status list of another purpose served under its URL', async (files) => {
    files[revocationUrl] = files[`${T.SITE}status/suspension.json`];
  });
  cannotCheck('another signed list replayed under its URL', async (files) => {
    files[revocationUrl] = await T.signNew({ ...T.statusList('revocation'), id: `${T.SITE}status/revocation-2025.json` });
  });

  // credstack's own shape: one credentialStatus object (OB 3.0 schema) naming revocation-N.json;
  // the suspension bit lives at the same index of the companion suspension-N.json.
  const companionSite = async ({ revoked = [], suspended = [], withCompanion = true } = {}) => {
    const s = await T.site();
    const listAt = (purpose, bits) => ({ ...T.statusList(purpose, bits), id: `${T.SITE}status/${purpose}-1.json`,
      credentialSubject: { ...T.statusList(purpose, bits).credentialSubject, id: `${T.SITE}status/${purpose}-1.json#list` } });
    s.files[`${T.SITE}status/revocation-1.json`] = await T.signNew(listAt('revocation', revoked));
    if (withCompanion) s.files[`${T.SITE}status/suspension-1.json`] = await T.signNew(listAt('suspension', suspended));
    const doc = T.credential({ statusIndex: null });
    doc.credentialStatus = { id: `${T.SITE}status/revocation-1.json#7`, type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '7', statusListCredential: `${T.SITE}status/revocation-1.json` };
    return { options: s.options, signed: await T.signNew(doc), fetched: s.fetched };
  };

  test('companion suspension list: suspended at the same index', async () => {
    const { options, signed, fetched } = await companionSite({ suspended: [7] });
    const report = await verifyCredential(signed, options);
    assert.deepEqual([report.status, report.verdict], ['suspended', 'Suspended by the issuer']);
    assert.ok(fetched.includes(`${T.SITE}status/suspension-1.json`));
  });

  test('companion suspension list: revoked outranks suspended; clear bits verify', async () => {
    const both = await companionSite({ revoked: [7], suspended: [7] });
    assert.equal((await verifyCredential(both.signed, both.options)).status, 'revoked');
    const clear = await companionSite({ revoked: [6, 8], suspended: [6, 8] });
    assert.equal((await verifyCredential(clear.signed, clear.options)).status, 'verified');
  });

  test('rejects a missing companion suspension list as unchecked, never "not suspended"', async () => {
    const { options, signed } = await companionSite({ withCompanion: false });
    const report = await verifyCredential(signed, options);
    assert.equal(report.status, 'error', report.verdict);
    assert.equal(check(report, 'status').code, 'unavailable');
  });

  test('an unsupported status type cannot be checked', async () => {
    const { options } = await T.site();
    const doc = T.credential({ statusIndex: null });
    doc['@context'].push('https://purl.imsglobal.org/spec/ob/v3p0/extensions.json');
    doc.credentialStatus = { id: `${T.SITE}revocations.json`, type: 'https://status.example/UnknownStatus2030' };
    const report = await verifyCredential(await T.signNew(doc), options);
    assert.deepEqual([check(report, 'status').outcome, check(report, 'status').code], ['error', 'unsupported']);
    assert.match(check(report, 'status').message, /UnknownStatus2030 is not supported/);
  });

  test('a status entry for another purpose is not a revocation check', async () => {
    const { options } = await T.site();
    const doc = T.credential({ statusIndex: null });
    doc.credentialStatus = { ...T.credential().credentialStatus[0], statusPurpose: 'message' };
    const report = await verifyCredential(await T.signNew(doc), options);
    assert.deepEqual([check(report, 'status').outcome, check(report, 'status').code], ['skip', 'none']);
  });

  test('no credentialStatus: skipped as carrying no status information', async () => {
    const { options } = await T.site();
    const report = await verifyCredential(await T.signNew(T.credential({ statusIndex: null })), options);
    assert.deepEqual([check(report, 'status').outcome, check(report, 'status').message], ['skip', 'the credential carries no status information']);
    assert.equal(report.verdict, 'Verified');
  });
});

describe('validity window', () => {
  test('expired: genuine but expired', async () => {
    const { options } = await T.site();
    const report = await verifyCredential(await T.signNew(T.credential({ validUntil: '2026-01-31T23:59:59Z' })), options);
    assert.equal(report.status, 'expired');
    assert.equal(report.verdict, 'Verified, but expired on 2026-01-31');
  });

  test('still valid before validUntil', async () => {
    const { options } = await T.site();
    const report = await verifyCredential(await T.signNew(T.credential({ validUntil: '2027-01-31T00:00:00Z' })), options);
    assert.equal(report.status, 'verified');
    assert.equal(check(report, 'validity').message, 'valid from 2025-09-01 until 2027-01-31');
  });

  test('not yet valid is invalid', async () => {
    const { options } = await T.site();
    const report = await verifyCredential(await T.signNew(T.credential({ validFrom: '2026-06-01T00:00:00Z' })), options);
    assert.equal(report.status, 'invalid');
    assert.equal(check(report, 'validity').code, 'not-yet-valid');
    assert.equal(report.verdict, 'Not verified: not yet valid: valid from 2026-06-01');
  });

  test('now is an option', async () => {
    const { options } = await T.site();
    // (the fake site's status lists are valid from 2026-02-01 to 2026-04-01)
    const signed = await T.signNew(T.credential({ validUntil: '2026-02-15T23:59:59Z' }), '2025-12-01T00:00:00Z');
    assert.equal((await verifyCredential(signed, options)).status, 'expired');
    assert.equal((await verifyCredential(signed, { ...options, now: new Date('2026-02-10T00:00:00Z') })).status, 'verified');
  });
});

describe('certification components', () => {
  const component = (slug, url) => ({ id: url ?? `${T.SITE}c/${slug}/`, type: ['Evidence'], name: `Facilitation ${slug}` });

  async function certificationSite({ revoked = [], componentStatus = {} } = {}) {
    const extra = {};
    for (const [slug, index] of Object.entries({ opening: 1, closing: 2, ...componentStatus })) {
      extra[`${T.SITE}c/${slug}/credential.json`] = await T.signNew(T.credential({ slug, statusIndex: index }));
    }
    return T.site({ revoked, extra });
  }
  const certification = (evidence) => T.signNew(T.credential({ slug: 'certified', achievementType: 'Certification', statusIndex: 9, evidence }));

  test('all components verified: pass', async () => {
    const { options, fetched } = await certificationSite();
    const report = await verifyCredential(await certification([component('opening'), component('closing')]), options);
    assert.equal(report.status, 'verified', report.verdict);
    assert.deepEqual([check(report, 'components').code, check(report, 'components').message], ['ok', '2 component credentials verified']);
    assert.ok(fetched.includes(`${T.SITE}c/opening/credential.json`));
  });

  test('a revoked component is named in a warning', async () => {
    const { options } = await certificationSite({ revoked: [2] });
    const report = await verifyCredential(await certification([component('opening'), component('closing')]), options);
    assert.equal(report.status, 'verified');
    assert.equal(check(report, 'components').code, 'not-in-force');
    assert.deepEqual(check(report, 'components').params.items, [{ name: 'Facilitation closing', status: 'revoked', reason: { check: 'status', code: 'revoked' } }]);
    assert.equal(check(report, 'components').message, 'component not in force: Facilitation closing (revoked)');
  });

  test('a tampered component is named in a warning; an unpublished one is not counted', async () => {
    const s = await certificationSite();
    s.files[`${T.SITE}c/closing/credential.json`].name = 'Facilitation mastery';
    const report = await verifyCredential(await certification([component('opening'), component('closing'), component('missing')]), s.options);
    const components = check(report, 'components');
    assert.equal(components.code, 'not-in-force');
    assert.deepEqual(components.params, { count: 2, kind: 'evidence', items: [{ name: 'Facilitation closing', status: 'invalid', reason: { check: 'signature', code: 'mismatch' } }] });
  });

  test('componentUrl maps evidence to the component credential', async () => {
    const { options, fetched } = await certificationSite();
    const componentUrl = (e) => (e.id.includes('/c/') ? `${e.id}credential.json` : null);
    const report = await verifyCredential(await certification([component('opening'), { id: 'https://portfolio.example/ada', name: 'Portfolio' }]), { ...options, componentUrl });
    assert.equal(check(report, 'components').message, '1 component credentials verified');
    assert.ok(!fetched.some((u) => u.startsWith('https://portfolio.example')));
  });

  test('an exact .json evidence URL is fetched as is', async () => {
    const { options } = await certificationSite();
    const report = await verifyCredential(await certification([component('opening', `${T.SITE}c/opening/credential.json`)]), options);
    assert.equal(check(report, 'components').code, 'ok');
  });

  test('each URL is loaded once per verification', async () => {
    const { options, fetched } = await certificationSite();
    await verifyCredential(await certification([component('opening'), component('closing')]), options);
    assert.equal(fetched.length, new Set(fetched).size, fetched.join('\n'));
    assert.equal(fetched.filter((u) => u === T.DID_URL).length, 1);
  });

  test('components of non-certifications are not checked', async () => {
    const { options } = await certificationSite();
    const signed = await T.signNew({ ...T.credential(), evidence: [component('opening')] });
    assert.equal(check(await verifyCredential(signed, options), 'components').message, 'not a certification');
  });
});

describe('errors', () => {
  test('missing contexts option is an error', async () => {
    const report = await verifyCredential(await T.signNew(T.credential()), { fetchJson: async () => ({}) });
    assert.equal(report.status, 'error');
    assert.match(check(report, 'format').params.detail, /options\.contexts/);
    assert.ok(report.checks.every((c) => c.outcome === 'skip'));
  });

  test('a throwing status hook does not break verification', async () => {
    const { options } = await T.site({ revoked: [7] });
    const report = await verifyCredential(await T.signNew(T.credential()), { ...options, statusDetails: () => { throw new Error('boom'); } });
    assert.equal(report.verdict, 'Revoked by the issuer');
  });

  test('an unreadable now is an error', async () => {
    const { options } = await T.site();
    const report = await verifyCredential(await T.signNew(T.credential()), { ...options, now: 'soon' });
    assert.equal(report.status, 'error');
  });

  test('a subject with neither id nor identifier verifies with a warning (OB 3.0 B.1.2; DCC issues such)', async () => {
    const { options } = await T.site();
    const doc = T.credential();
    delete doc.credentialSubject.identifier;
    const report = await verifyCredential(await T.signNew(doc), options);
    assert.equal(report.status, 'verified');
    assert.deepEqual([check(report, 'format').outcome, check(report, 'format').code], ['warn', 'no-recipient']);
    assert.equal(report.verdict, 'Verified, but it does not name its recipient');
  });

  test('non-objects are invalid, not errors', async () => {
    const { options } = await T.site();
    for (const value of [null, 'text', [1, 2]]) {
      const report = await verifyCredential(value, options);
      assert.equal(report.status, 'invalid');
      assert.equal(check(report, 'format').outcome, 'fail');
    }
  });
});
