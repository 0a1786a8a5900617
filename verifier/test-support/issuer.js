// TEST-ONLY issuer: fixed seeds, a did:web DID document, an eddsa-rdfc-2022 signer (the same
// algorithm as the Python issuer; checked against the 1EdTech vector in vectors.test.js), status
// lists and a fake site for fetchJson. Not bundled.
import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { canonize, contextLoader } from '../src/proof.js';
import { verifyEd25519 } from '../src/ed25519.js';
import { extension } from '../src/suites.js';

const fixtures = new URL('../test/fixtures/', import.meta.url);
export const readFixture = (name) => JSON.parse(readFileSync(new URL(name, fixtures), 'utf8'));

const index = readFixture('contexts/index.json');
export const contexts = Object.fromEntries(Object.entries(index).map(([url, file]) => [url, readFixture(`contexts/${file}`)]));

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
export function base58Encode(bytes) {
  let n = BigInt('0x' + (Buffer.from(bytes).toString('hex') || '0'));
  let out = '';
  while (n > 0n) {
    out = B58[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = '1' + out;
  }
  return out;
}

/** An Ed25519 key from a 32-byte hex seed, with its Multikey (z6Mk...). */
export function keyFromSeed(seedHex) {
  const privateKey = createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seedHex, 'hex')]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-32);
  return { privateKey, publicKey, multikey: 'z' + base58Encode(Buffer.concat([Buffer.from([0xed, 0x01]), publicKey])) };
}

const sha256 = (text) => createHash('sha256').update(text, 'utf8').digest();

/** vc-di-eddsa §3.2.1 Create Proof (eddsa-rdfc-2022). Returns a copy of `document` with `proof: [..]`. */
export async function signDocument(document, { key, verificationMethod, created, cryptosuite = 'eddsa-rdfc-2022' }) {
  const unsigned = { ...document };
  delete unsigned.proof;
  const options = { type: 'DataIntegrityProof', cryptosuite, created, verificationMethod, proofPurpose: 'assertionMethod' };
  if (created === undefined) delete options.created;
  const loader = contextLoader(contexts);
  const canonicalDocument = await canonize(unsigned, loader);
  const canonicalConfig = await canonize({ ...options, '@context': unsigned['@context'] }, loader);
  const signature = sign(null, Buffer.concat([sha256(canonicalConfig), sha256(canonicalDocument)]), key.privateKey);
  return { ...unsigned, proof: [{ ...options, proofValue: 'z' + base58Encode(signature) }] };
}

// ---- a credstack-like issuer on a fake site -------------------------------------------------
export const VC2 = 'https://www.w3.org/ns/credentials/v2';
export const OB = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
export const SITE = 'https://badges.example/lab/';
export const ISSUER = 'did:web:badges.example:lab';
export const DID_URL = 'https://badges.example/lab/did.json';
export const NOW = new Date('2026-03-01T12:00:00Z');
export const RECIPIENT = 'Ada.Lovelace@example.org';

export const oldKey = { ...keyFromSeed('11'.repeat(32)), id: `${ISSUER}#key-2024`, created: '2024-01-01T00:00:00Z', revoked: '2025-06-01T00:00:00Z' };
export const newKey = { ...keyFromSeed('22'.repeat(32)), id: `${ISSUER}#key-2025`, created: '2025-06-01T00:00:00Z' };
export const strangerKey = { ...keyFromSeed('33'.repeat(32)), id: `${ISSUER}#key-stranger` };

export function didDocument({ keys = [oldKey, newKey], assertion = keys, controller = ISSUER } = {}) {
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: ISSUER,
    verificationMethod: keys.map((k) => ({
      id: k.id,
      type: 'Multikey',
      controller,
      publicKeyMultibase: k.multikey,
      ...(k.created && { created: k.created }),
      ...(k.revoked && { revoked: k.revoked }),
    })),
    assertionMethod: assertion.map((k) => k.id),
  };
}

/** An unsigned OpenBadgeCredential shaped like the ones credstack issues. */
export function credential({ slug = 'ada', achievementType = 'MicroCredential', validFrom = '2025-09-01T00:00:00Z', validUntil, statusIndex = 7, evidence } = {}) {
  const url = `${SITE}c/${slug}/`;
  return {
    '@context': [VC2, OB],
    id: url,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: { id: ISSUER, type: ['Profile'], name: 'Northwind Facilitation Lab', url: SITE },
    validFrom,
    ...(validUntil && { validUntil }),
    name: `Facilitation ${slug}`,
    credentialSubject: {
      type: ['AchievementSubject'],
      identifier: [{ type: 'IdentityObject', identityType: 'emailAddress', hashed: true, salt: 'pepper', identityHash: 'sha256$' + createHash('sha256').update(`${RECIPIENT}pepper`).digest('hex') }],
      achievement: {
        id: `${SITE}achievements/${slug}/`,
        type: ['Achievement'],
        name: `Facilitation ${slug}`,
        description: 'Runs a workshop that ends with decisions.',
        criteria: { narrative: 'Facilitated three observed sessions.' },
        achievementType,
      },
    },
    ...(statusIndex !== null && {
      credentialStatus: [
        { id: `${SITE}status/revocation.json#${statusIndex}`, type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: String(statusIndex), statusListCredential: `${SITE}status/revocation.json` },
        { id: `${SITE}status/suspension.json#${statusIndex}`, type: 'BitstringStatusListEntry', statusPurpose: 'suspension', statusListIndex: String(statusIndex), statusListCredential: `${SITE}status/suspension.json` },
      ],
    }),
    ...(evidence && { evidence }),
  };
}

/** Bitstring Status List §3.3: GZIP the bitstring (index 0 = MSB of byte 0), multibase base64url. */
export function encodeStatusList(setIndexes = [], bits = 131072) {
  const bytes = new Uint8Array(bits / 8);
  for (const i of setIndexes) bytes[i >> 3] |= 0x80 >> (i & 7);
  return 'u' + gzipSync(bytes).toString('base64url');
}

export function statusList(purpose, setIndexes = [], { validFrom = '2026-02-01T00:00:00Z', validUntil = '2026-04-01T00:00:00Z', issuer = ISSUER, encodedList } = {}) {
  const url = `${SITE}status/${purpose}.json`;
  return {
    '@context': [VC2],
    id: url,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer,
    validFrom,
    ...(validUntil && { validUntil }),
    credentialSubject: { id: `${url}#list`, type: 'BitstringStatusList', statusPurpose: purpose, encodedList: encodedList ?? encodeStatusList(setIndexes) },
  };
}

export const signNew = (doc, created = '2026-02-01T00:00:00Z') => signDocument(doc, { key: newKey, verificationMethod: newKey.id, created });

/** A fake site: a URL -> JSON map served by fetchJson; anything else is a 404. */
export async function site({ revoked = [], suspended = [], did = didDocument(), extra = {} } = {}) {
  const files = {
    [DID_URL]: did,
    [`${SITE}status/revocation.json`]: await signNew(statusList('revocation', revoked)),
    [`${SITE}status/suspension.json`]: await signNew(statusList('suspension', suspended)),
    ...extra,
  };
  const fetched = [];
  const fetchJson = async (url) => {
    fetched.push(url);
    if (!Object.prototype.hasOwnProperty.call(files, url)) throw new Error(`404 ${url}`);
    return structuredClone(files[url]);
  };
  return { files, fetchJson, fetched, options: { contexts, fetchJson, now: NOW, ownIssuer: OWN, loadSuites: suitesFromSource } };
}

/** This fake site's own issuer (the page protects it from impersonation; its lists are held to credstack's rules). */
export const OWN = { id: ISSUER, site: SITE, name: 'Northwind Facilitation Lab' };

/** credstack-suites.js from its source, bound to the core's canonicalizer (what loadSuites does in a page). */
export async function suitesFromSource() {
  const loader = contextLoader(contexts);
  return extension({ canonize: (doc, options) => canonize(doc, loader, options), verifyEd25519 });
}

export const outcomes = (report) => Object.fromEntries(report.checks.map((c) => [c.id, c.outcome]));
export const check = (report, id) => report.checks.find((c) => c.id === id);

/** A verdict cache like the page's (keyed by a hash of what it is given), in memory: the
 *  verifier's listCache and signatureCache. */
export function memoryCache() {
  const kept = new Map();
  return {
    kept,
    async key(value) {
      return createHash('sha256').update(JSON.stringify(value)).digest('hex');
    },
    get: async (key) => structuredClone(kept.get(key) ?? null),
    set: async (key, verdict) => void kept.set(key, structuredClone(verdict)),
  };
}

/** How many signature checks (WebCrypto verify calls) `run` makes. */
export async function signatureChecks(run) {
  const subtle = globalThis.crypto.subtle;
  const original = subtle.verify;
  let count = 0;
  subtle.verify = async function (...args) {
    count += 1;
    return original.apply(this, args);
  };
  try {
    await run();
  } finally {
    subtle.verify = original;
  }
  return count;
}
