// Lazy loading: credstack-suites.js is loaded only when a credential needs it, and verification
// then runs again with every suite (a DID document's key type can show the need late).
import assert from 'node:assert/strict';
import { sign, webcrypto } from 'node:crypto';
import { describe, test } from 'node:test';
import { needsSuites, verifyCredential } from '../src/index.js';
import { canonize, contextLoader } from '../src/proof.js';
import { base58Encode } from '../test-support/issuer.js';
import * as T from '../test-support/issuer.js';

const check = (report, id) => report.checks.find((c) => c.id === id);

function counting() {
  const calls = { n: 0 };
  return { calls, loadSuites: async () => { calls.n += 1; return T.suitesFromSource(); } };
}

/** An ecdsa-rdfc-2019 (P-256) proof by `method`, made with WebCrypto. */
async function signEcdsa(document, privateKey, method) {
  const options = { type: 'DataIntegrityProof', cryptosuite: 'ecdsa-rdfc-2019', created: '2026-02-01T00:00:00Z', verificationMethod: method, proofPurpose: 'assertionMethod' };
  const loader = contextLoader(T.contexts);
  const digest = async (text) => new Uint8Array(await webcrypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  const hashData = new Uint8Array([...(await digest(await canonize({ ...options, '@context': document['@context'] }, loader))), ...(await digest(await canonize(document, loader)))]);
  const signature = new Uint8Array(await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, hashData));
  return { ...document, proof: [{ ...options, proofValue: 'z' + base58Encode(signature) }] };
}

describe('lazy loading of credstack-suites.js', () => {
  test('an eddsa-rdfc-2022 credential of the site never loads it', async () => {
    const { options } = await T.site();
    const { calls, loadSuites } = counting();
    const report = await verifyCredential(await T.signNew(T.credential()), { ...options, loadSuites });
    assert.equal(report.status, 'verified');
    assert.equal(calls.n, 0);
  });

  test('what the credential shows: another suite, a P-256 did:key, a VC-JWT, a CLR', () => {
    assert.equal(needsSuites({ proof: [{ type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', verificationMethod: 'did:key:z6Mk#z6Mk' }] }), false);
    assert.equal(needsSuites({ proof: [{ type: 'Ed25519Signature2020' }] }), true);
    assert.equal(needsSuites({ proof: [{ type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', verificationMethod: 'did:key:zDnae#zDnae' }] }), true);
    assert.equal(needsSuites('eyJ.eyJ.sig'), true);
    assert.equal(needsSuites({ type: ['VerifiableCredential', 'ClrCredential'] }), true);
  });

  test('a DID document whose key is a P-256 JWK shows the need late: loaded once, run again', async () => {
    const pair = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const jwk = await webcrypto.subtle.exportKey('jwk', pair.publicKey);
    const method = `${T.ISSUER}#ec-1`;
    const did = T.didDocument();
    did.verificationMethod.push({ id: method, type: 'JsonWebKey2020', controller: T.ISSUER, publicKeyJwk: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y } });
    did.assertionMethod.push(method);
    const { options } = await T.site({ did });
    const doc = T.credential({ statusIndex: null });
    doc.proof = [{ type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', verificationMethod: method }];
    assert.equal(needsSuites(doc), false, 'nothing in the credential shows it');
    delete doc.proof;
    const signed = await signEcdsa(doc, pair.privateKey, method);
    const { calls, loadSuites } = counting();
    const report = await verifyCredential(signed, { ...options, loadSuites });
    assert.equal(report.status, 'verified', report.verdict);
    assert.equal(calls.n, 1);
    assert.equal(check(report, 'signature').params.suite, 'ecdsa-rdfc-2019');
  });

  test('without a way to load the suites, such a credential is an error, never a pass', async () => {
    const { options } = await T.site();
    const report = await verifyCredential('eyJhbGciOiJFUzI1NiJ9.eyJ2YyI6e319.c2ln', { ...options, loadSuites: undefined, suitesUrl: 'file:///nowhere/credstack-suites.js' });
    assert.equal(report.status, 'error');
    assert.match(check(report, 'format').params.detail, /credstack-suites|Cannot find|nowhere/);
  });
});

describe('other issuers’ status lists', () => {
  // A did:key issuer (test key) publishing a Bitstring Status List as a VC-JWT (EdDSA).
  const key = T.keyFromSeed('44'.repeat(32));
  const did = `did:key:${key.multikey}`;
  const url = 'https://lists.example/1';
  const b64 = (text) => Buffer.from(text).toString('base64url');
  const jwtList = (revoked) => {
    const list = { ...T.statusList('revocation', revoked, { issuer: did }), id: url };
    const header = b64(JSON.stringify({ alg: 'EdDSA', kid: `${did}#${key.multikey}` }));
    const payload = b64(JSON.stringify({ ...list, iss: did, jti: url, nbf: Date.parse(list.validFrom) / 1000 }));
    const signature = sign(null, Buffer.from(`${header}.${payload}`), key.privateKey).toString('base64url');
    return `${header}.${payload}.${signature}`;
  };
  const credential = () => {
    const doc = T.credential({ statusIndex: null });
    doc.issuer = { id: did, type: ['Profile'], name: 'Lists Example' };
    doc.id = 'https://lists.example/c/1';
    doc.credentialSubject.achievement.id = 'https://lists.example/a/1';
    doc.credentialStatus = { id: `${url}#7`, type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '7', statusListCredential: url };
    return T.signDocument(doc, { key, verificationMethod: `${did}#${key.multikey}`, created: '2026-02-01T00:00:00Z' });
  };
  const options = (list) => ({ contexts: T.contexts, now: T.NOW, loadSuites: T.suitesFromSource, fetchJson: async (u) => { if (u === url) return list; throw new Error('404'); } });

  test('a list served as a VC-JWT is verified and read (loading the suites)', async () => {
    assert.equal((await verifyCredential(await credential(), options(jwtList([])))).status, 'verified');
    assert.equal((await verifyCredential(await credential(), options(jwtList([7])))).status, 'revoked');
    const [h, p] = jwtList([]).split('.');
    const forged = `${h}.${p}.${'A'.repeat(86)}`;
    const report = await verifyCredential(await credential(), options(forged));
    assert.deepEqual([report.status, check(report, 'status').code], ['error', 'untrusted']);
  });
});
