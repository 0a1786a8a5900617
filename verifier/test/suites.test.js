// The suites file (src/suites.js, built as credstack-suites.js and loaded on demand): the W3C
// vectors of every suite, one-character changes, keys, VC-JWT signed here with WebCrypto, status
// lists. The corpus parity with Python is tests/unit/crypto/test_corpus.py.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { OUT_DIR, SUITES } from '../build.mjs';
import { loadSuites } from '../src/index.js';
import { canonize, contextLoader } from '../src/proof.js';
import { decodeEncodedList, keyFromMultikey, makeResolver, readStatusList, statusEntries } from '../src/suites.js';
import { base58Encode, contexts } from '../test-support/issuer.js';

const W3C = new URL('../../tests/vectors/w3c/', import.meta.url);
const CORPUS = new URL('../../tests/corpus/', import.meta.url);
const read = (path) => readFileSync(new URL(path, W3C), 'utf8');
const suites = await loadSuites({ contexts, url: pathToFileURL(join(OUT_DIR, SUITES)).href });
const resolve = makeResolver();
const codes = async (document) => (await suites.verifyProofs(document, resolve)).map((o) => o.code);

const VECTORS = [
  ['ed25519-signature-2020', 'EdSig'],
  ['ecdsa-rdfc-2019-p256', 'ECDSAP256'],
  ['ecdsa-rdfc-2019-p256/employ', 'ECDSAP256'],
  ['ecdsa-rdfc-2019-p384', 'ECDSAP384'],
  ['ecdsa-rdfc-2019-p384/employ', 'ECDSAP384'],
];

describe('W3C vectors through verifyProofs', () => {
  for (const [dir, suffix] of VECTORS) {
    const signed = () => JSON.parse(read(`${dir}/signed${suffix}.json`));
    test(`${dir}: verifies`, async () => assert.deepEqual(await codes(signed()), ['ok']));
    test(`${dir}: a one-character change of the signature or the content fails`, async () => {
      const a = signed();
      a.proof.proofValue = a.proof.proofValue.slice(0, 20) + (a.proof.proofValue[20] === '2' ? '3' : '2') + a.proof.proofValue.slice(21);
      assert.deepEqual(await codes(a), ['mismatch']);
      const b = signed();
      b.proof.created = b.proof.created.replace('23', '22');
      assert.deepEqual(await codes(b), ['mismatch']);
    });
  }
  test('P-384 canonicalizes with SHA-384 as the RDFC-1.0 hash (the employment vector shows it)', async () => {
    const doc = JSON.parse(read('ecdsa-rdfc-2019-p384/employ/signedECDSAP384.json'));
    delete doc.proof;
    const loader = contextLoader(contexts);
    assert.equal(await canonize(doc, loader, { messageDigestAlgorithm: 'sha384' }), read('ecdsa-rdfc-2019-p384/employ/canonDocECDSAP384.txt'));
    assert.notEqual(await canonize(doc, loader), read('ecdsa-rdfc-2019-p384/employ/canonDocECDSAP384.txt'));
  });
  test('codes for what is not a passing proof', async () => {
    const base = JSON.parse(read('ecdsa-rdfc-2019-p256/signedECDSAP256.json'));
    const with_ = (changes) => ({ ...base, proof: { ...base.proof, ...changes } });
    assert.deepEqual(await codes(with_({ cryptosuite: 'ecdsa-sd-2023' })), ['unsupported-suite']);
    assert.deepEqual(await codes(with_({ proofPurpose: 'authentication' })), ['bad-purpose']);
    assert.deepEqual(await codes(with_({ proofValue: 'uAAAA' })), ['malformed-proof']);
    assert.deepEqual(await codes(with_({ verificationMethod: 'did:web:nowhere.example#key-1' })), ['unresolvable']);
    assert.deepEqual(await codes(with_({ verificationMethod: `${base.proof.verificationMethod}x` })), ['malformed-key']);
    assert.deepEqual(await codes({ ...base, '@context': [...base['@context'], 'https://example.org/ctx'] }), ['unknown-context']);
    assert.deepEqual(await codes({ no: 'proof' }), []);
  });
});

describe('keys', () => {
  test('did:key P-256 and P-384 decompress to points on the curve; a changed point is refused', () => {
    for (const name of ['p256', 'p384']) {
      const { publicKeyMultibase } = JSON.parse(read(`ecdsa-rdfc-2019-${name}/keyPair.json`));
      const key = keyFromMultikey(publicKeyMultibase);
      assert.equal(key.raw[0], 4);
      const bytes = [...Buffer.from(publicKeyMultibase.slice(1))];
      assert.ok(bytes.length);
    }
    assert.throws(() => keyFromMultikey('z' + base58Encode(Buffer.concat([Buffer.from([0x80, 0x24, 0x02]), Buffer.alloc(32, 0xff)]))), { code: 'malformed-key' });
  });
});

const b64 = (bytes) => Buffer.from(bytes).toString('base64url');
const CREDENTIAL = {
  '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
  id: 'urn:uuid:0b1b5f6c-0000-4000-8000-000000000001',
  type: ['VerifiableCredential', 'OpenBadgeCredential'],
  issuer: { id: 'https://issuer.example/', type: ['Profile'], name: 'Example' },
  validFrom: '2026-01-01T00:00:00Z',
  credentialSubject: { id: 'did:example:learner', type: ['AchievementSubject'] },
};
const ALGS = {
  RS256: [{ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, { name: 'RSASSA-PKCS1-v1_5' }],
  ES256: [{ name: 'ECDSA', namedCurve: 'P-256' }, { name: 'ECDSA', hash: 'SHA-256' }],
  ES384: [{ name: 'ECDSA', namedCurve: 'P-384' }, { name: 'ECDSA', hash: 'SHA-384' }],
  EdDSA: [{ name: 'Ed25519' }, { name: 'Ed25519' }],
};

async function signJwt(alg, header, payload) {
  const [generate, signing] = ALGS[alg];
  const pair = await crypto.subtle.generateKey(generate, true, ['sign', 'verify']);
  const { kty, crv, x, y, n, e } = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const jwk = Object.fromEntries(Object.entries({ kty, crv, x, y, n, e }).filter(([, v]) => v !== undefined));
  const input = `${b64(JSON.stringify({ alg, jwk, ...header }))}.${b64(JSON.stringify(payload))}`;
  const signature = await crypto.subtle.sign(signing, pair.privateKey, new TextEncoder().encode(input));
  return `${input}.${b64(new Uint8Array(signature))}`;
}

describe('VC-JWT', () => {
  const claims = { iss: 'https://issuer.example/', sub: 'did:example:learner', nbf: 1767225600, jti: CREDENTIAL.id };
  for (const alg of Object.keys(ALGS)) {
    for (const form of ['vc', 'payload']) {
      test(`${alg}, ${form} form: verifies; a changed claim or another sub fails`, async () => {
        const payload = form === 'vc' ? { ...claims, vc: CREDENTIAL } : { ...claims, ...CREDENTIAL };
        const token = await signJwt(alg, { typ: 'JWT' }, payload);
        const { credential, outcome } = await suites.verifyJwt(token, resolve);
        assert.equal(outcome.code, 'ok', outcome.params.detail);
        assert.deepEqual(credential, CREDENTIAL);
        const [h, p, s] = token.split('.');
        const changed = { ...JSON.parse(Buffer.from(p, 'base64url')), nbf: claims.nbf + 1 };
        assert.equal((await suites.verifyJwt(`${h}.${b64(JSON.stringify(changed))}.${s}`, resolve)).outcome.code, 'mismatch');
        const other = await signJwt(alg, {}, { ...payload, sub: 'did:example:someone-else' });
        const mismatch = (await suites.verifyJwt(other, resolve)).outcome;
        assert.deepEqual([mismatch.code, mismatch.params.claim], ['claims-mismatch', 'sub']);
      });
    }
  }
  test('alg none, HS256, malformed tokens', async () => {
    const payload = b64(JSON.stringify({ ...claims, vc: CREDENTIAL }));
    assert.equal((await suites.verifyJwt(`${b64('{"alg":"none"}')}.${payload}.`, resolve)).outcome.code, 'unsupported-suite');
    assert.equal((await suites.verifyJwt(`${b64('{"alg":"HS256"}')}.${payload}.AAAA`, resolve)).outcome.code, 'unsupported-suite');
    for (const bad of ['', 'a.b', 'a.b.c', '!!.??.**']) assert.equal((await suites.verifyJwt(bad, resolve)).outcome.code, 'malformed-proof');
  });
});

describe('status lists', () => {
  const manifest = JSON.parse(readFileSync(new URL('manifest.json', CORPUS), 'utf8'));
  const doc = (suffix) => {
    const url = Object.keys(manifest.documents).find((u) => u.endsWith(suffix));
    return [url, JSON.parse(readFileSync(new URL(manifest.documents[url].file, CORPUS), 'utf8'))];
  };
  test('DCC BitstringStatusList (served elsewhere, 100,000 bits) and the production StatusList2021', async () => {
    const [url, list] = doc('status/e5WK8CbZ1GjycuPombrj');
    const entry = { type: 'BitstringStatusListEntry', purpose: 'revocation', listUrl: url, index: 6 };
    await assert.rejects(readStatusList(list, entry), /the minimum is 131072/);
    const read = await readStatusList(list, entry, 100000);
    assert.deepEqual([read.get(6), read.get(7), read.get(8)], [true, false, true]);
    const [url2, list2] = doc('5R6EGMYJCL');
    const read2 = await readStatusList(list2, { type: 'StatusList2021Entry', purpose: 'revocation', listUrl: url2, index: 15 }, 100000);
    assert.deepEqual([read2.get(15), read2.get(14)], [true, false]);
  });
  test('entries of every kind; a GZIP bomb is refused', async () => {
    const { entries, unsupported } = statusEntries({ credentialStatus: [
      { type: 'StatusList2021Entry', statusPurpose: 'revocation', statusListIndex: '3', statusListCredential: 'https://a.example/1' },
      { type: '1EdTechRevocationList', id: 'https://a.example/r' }, { type: 'Other' }] });
    assert.deepEqual(entries.map((e) => e.type), ['StatusList2021Entry', '1EdTechRevocationList']);
    assert.deepEqual(unsupported, ['Other']);
    const bomb = 'u' + gzipSync(Buffer.alloc(16 * 1024 * 1024 + 1024)).toString('base64url');
    await assert.rejects(decodeEncodedList(bomb, 'BitstringStatusList'), /inflates to more than/);
  });
});
