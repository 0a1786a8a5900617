// Official vectors: W3C vc-di-eddsa B.1/B.2 (did:key) and the 1EdTech OB 3.0 vector (<url>#z6Mk),
// plus tampering of the OB vector in every way an attacker might try.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hex } from '../src/codec.js';
import { verifyEd25519 } from '../src/ed25519.js';
import { canonize, contextLoader } from '../src/proof.js';
import { verifyCredential, verifyDataIntegrityProof } from '../src/index.js';
import { check, contexts, keyFromSeed, outcomes, readFixture, signDocument } from '../test-support/issuer.js';

const w3c = readFixture('eddsa-rdfc-2022.json');
const ob = readFixture('ob-v3p0-eddsa-rdfc-2022.json');
const options = { contexts, fetchJson: async (url) => assert.fail(`fetched ${url}`), now: new Date('2026-03-01T00:00:00Z') };
const signedOb = () => structuredClone(ob.expected.signedDocument);

describe('W3C vc-di-eddsa eddsa-rdfc-2022 vectors', () => {
  for (const vector of w3c.cases) {
    test(`${vector.name}: canonical form matches RDFC-1.0 output`, async () => {
      const document = structuredClone(vector.unsignedDocument);
      assert.equal(await canonize(document, contextLoader(contexts)), vector.expected.canonicalDocument);
    });
    test(`${vector.name}: proof verifies`, async () => {
      const result = await verifyDataIntegrityProof(vector.expected.signedDocument, { contexts });
      assert.deepEqual(result.verified, true, result.message);
    });
    test(`${vector.name}: rejects a one-character change`, async () => {
      const document = structuredClone(vector.expected.signedDocument);
      document.validFrom = document.validFrom.replace('T00', 'T01');
      const result = await verifyDataIntegrityProof(document, { contexts });
      assert.equal(result.verified, false);
      assert.match(result.message, /changed since it was signed/);
    });
  }
  test('B.1 is a VC but not an OpenBadgeCredential', async () => {
    const report = await verifyCredential(w3c.cases[0].expected.signedDocument, options);
    assert.equal(report.status, 'invalid');
    assert.equal(check(report, 'format').code, 'type');
    assert.match(report.verdict, /^Not verified: type must include VerifiableCredential and OpenBadgeCredential/);
  });
});

describe('1EdTech OB 3.0 vector', () => {
  test('canonical forms match the published ones', async () => {
    const loader = contextLoader(contexts);
    assert.equal(await canonize(structuredClone(ob.unsignedDocument), loader), ob.expected.canonicalDocument);
    const config = { ...ob.proofOptions, '@context': ob.unsignedDocument['@context'] };
    assert.equal(await canonize(config, loader), ob.expected.canonicalProofConfig);
  });

  test('the test signer reproduces the published proofValue', async () => {
    const key = keyFromSeed(ob.keyPair.seedHex);
    const signed = await signDocument(ob.unsignedDocument, { key, verificationMethod: ob.proofOptions.verificationMethod, created: ob.proofOptions.created });
    assert.equal(signed.proof[0].proofValue, ob.expected.proofValue);
  });

  test('verifies; the key named in the URL fragment is reported as unconfirmed', async () => {
    const report = await verifyCredential(signedOb(), options);
    assert.equal(report.status, 'verified', report.verdict);
    assert.equal(report.verdict, 'Verified, but the signing key is not confirmed by the issuer');
    assert.deepEqual(outcomes(report), { format: 'pass', signature: 'pass', 'issuer-key': 'warn', 'key-valid': 'pass', status: 'skip', validity: 'pass', components: 'skip', log: 'skip' });
    assert.equal(check(report, 'status').message, 'the credential carries no status information');
  });

  test('also accepts the proof as an array and the legacy eddsa-2022 name only when signed so', async () => {
    const document = signedOb();
    document.proof = [document.proof];
    assert.equal((await verifyCredential(document, options)).status, 'verified');
    document.proof[0].cryptosuite = 'eddsa-2022'; // the name is signed too
    assert.equal((await verifyCredential(document, options)).status, 'invalid');
  });

  test('Ed25519 verifies with both WebCrypto and @noble/ed25519', async () => {
    const publicKey = Uint8Array.from(Buffer.from(ob.keyPair.publicKeyHex, 'hex'));
    const message = Uint8Array.from(Buffer.from(ob.expected.hashDataHex, 'hex'));
    const signature = Uint8Array.from(Buffer.from(ob.expected.signatureHex, 'hex'));
    for (const useWebCrypto of [true, false]) {
      assert.equal(await verifyEd25519(publicKey, message, signature, { useWebCrypto }), true);
      const other = message.slice();
      other[0] ^= 1;
      assert.equal(await verifyEd25519(publicKey, other, signature, { useWebCrypto }), false);
      assert.equal(await verifyEd25519(publicKey.slice(1), message, signature, { useWebCrypto }), false);
    }
    assert.equal(hex(signature), ob.expected.signatureHex);
  });
});

describe('tampering with the OB vector gives invalid', () => {
  const attacks = {
    'one byte of the name changed': (d) => { d.name = 'Teamwork Badgf'; },
    'one byte of the achievement description changed': (d) => { d.credentialSubject.achievement.description = d.credentialSubject.achievement.description.replace('group', 'groUp'); },
    'subject swapped to another DID': (d) => { d.credentialSubject.id = 'did:example:ebfeb1f712ebc6f1c276e12ec22'; },
    'validFrom moved by one second': (d) => { d.validFrom = '2010-01-01T00:00:01Z'; },
    'proof created changed': (d) => { d.proof.created = '2010-01-01T19:23:25Z'; },
    'one character of proofValue changed': (d) => { d.proof.proofValue = d.proof.proofValue.replace(/.$/, (c) => (c === 'r' ? 's' : 'r')); },
    'unsigned defined term added at top level': (d) => { d.description = 'Also a great leader'; },
    'unsigned undefined term added at top level': (d) => { d.grade = 'A+'; },
    'unsigned property added to the subject': (d) => { d.credentialSubject.name = 'Someone Else'; },
    'unsigned undefined property added to the subject': (d) => { d.credentialSubject.score = 100; },
    'unsigned property added to the achievement': (d) => { d.credentialSubject.achievement.humanCode = 'X1'; },
    'unsigned undefined property added to the achievement': (d) => { d.credentialSubject.achievement.level = 'expert'; },
    'unsigned property added to the proof': (d) => { d.proof.expires = '2030-01-01T00:00:00Z'; },
    'unsigned undefined property added to the proof': (d) => { d.proof.note = 'trust me'; },
    'relative IRI as achievement id': (d) => { d.credentialSubject.achievement.id = 'achievements/teamwork'; },
    'relative IRI as credential id': (d) => { d.id = 'credentials/3527'; },
    'unknown context URL appended': (d) => { d['@context'].push('https://attacker.example/context.json'); },
    'inline context redefining a term': (d) => { d['@context'].push({ name: 'https://attacker.example/name' }); },
    'undefined type added': (d) => { d.type.push('ExtraCredential'); },
    'verificationMethod pointed at another key': (d) => { d.proof.verificationMethod = 'https://example.edu/issuers/565049#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2'; },
    'proofPurpose changed': (d) => { d.proof.proofPurpose = 'authentication'; },
    'proof removed': (d) => { delete d.proof; },
  };
  for (const [name, attack] of Object.entries(attacks)) {
    test(`rejects ${name}`, async () => {
      const document = signedOb();
      attack(document);
      const report = await verifyCredential(document, options);
      if (name === 'unknown context URL appended') {
        // Not provably tampered, but never verified: a context we do not ship cannot be checked.
        assert.deepEqual([report.status, check(report, 'signature').code], ['error', 'unknown-context']);
        return;
      }
      assert.equal(report.status, 'invalid', report.verdict);
      assert.match(report.verdict, /^Not verified: /);
      if (name === 'relative IRI as credential id') {
        // The format check already refuses an id that is not an IRI.
        assert.equal(check(report, 'format').code, 'subject');
        return;
      }
      if (name !== 'proof removed' && name !== 'proofPurpose changed') {
        assert.equal(check(report, 'signature').outcome, 'fail');
        for (const id of ['issuer-key', 'key-valid', 'status', 'validity', 'components', 'log']) {
          assert.deepEqual([check(report, id).code, check(report, id).params.because], ['not-checked', 'signature']);
        }
      }
    });
  }

  test('the verdict says the content changed for a modified value', async () => {
    const document = signedOb();
    document.name = 'Leadership Badge';
    assert.equal((await verifyCredential(document, options)).verdict, 'Not verified: the content has changed since it was signed');
  });

  test('the verdict names an undefined term and an unknown context', async () => {
    const document = signedOb();
    document.grade = 'A+';
    assert.match((await verifyCredential(document, options)).verdict, /contexts do not define .*grade/);
    const other = signedOb();
    other['@context'].push('https://attacker.example/context.json');
    assert.match((await verifyCredential(other, options)).verdict, /context this verifier does not know: https:\/\/attacker\.example\/context\.json/);
  });

  test('a context missing from the given map is refused, never fetched', async () => {
    const partial = { ...contexts };
    delete partial['https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'];
    const report = await verifyCredential(signedOb(), { ...options, contexts: partial });
    assert.deepEqual([report.status, check(report, 'signature').code], ['error', 'unknown-context']);
    assert.match(check(report, 'signature').message, /does not know: https:\/\/purl\.imsglobal\.org/);
  });
});
