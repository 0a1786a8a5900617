// OB 3.0 "Baked Badge": extracting credentials from PNG (iTXt/tEXt) and SVG images built here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { extractFromPng, extractFromSvg } from '../src/index.js';
import { readFixture } from '../test-support/issuer.js';

const credential = readFixture('ob-v3p0-eddsa-rdfc-2022.json').expected.signedDocument;
const json = JSON.stringify({ ...credential, name: 'Teamwork Badge — “équipe” ✓' });

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes) => (bytes.reduce((c, b) => CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8), 0xffffffff) ^ 0xffffffff) >>> 0;

function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), Buffer.from(data)]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

function png(...extraChunks) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...extraChunks,
    chunk('IDAT', deflateSync(Buffer.from([0, 0]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const itxt = (keyword, text, compressed = 0) =>
  chunk('iTXt', Buffer.concat([Buffer.from(`${keyword}\0`, 'latin1'), Buffer.from([compressed, 0]), Buffer.from('\0\0'), Buffer.from(text, 'utf8')]));

test('PNG: reads the iTXt openbadgecredential chunk as UTF-8 JSON', () => {
  const bytes = png(itxt('Comment', 'hello'), itxt('openbadgecredential', json));
  const toArrayBuffer = (b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  assert.deepEqual(extractFromPng(toArrayBuffer(bytes)), JSON.parse(json));
  assert.deepEqual(extractFromPng(new Uint8Array(bytes)), JSON.parse(json));
});

test('PNG: tolerates a tEXt chunk', () => {
  const ascii = JSON.stringify(credential);
  assert.deepEqual(extractFromPng(png(chunk('tEXt', Buffer.from(`openbadgecredential\0${ascii}`, 'latin1')))), credential);
});

test('PNG: returns null without a credential, for compressed text, garbage and truncation', () => {
  assert.equal(extractFromPng(png(itxt('Comment', json))), null);
  assert.equal(extractFromPng(png(itxt('openbadgecredential', 'not json'))), null);
  assert.equal(extractFromPng(png(itxt('openbadgecredential', json, 1))), null);
  assert.equal(extractFromPng(Buffer.from('GIF89a')), null);
  const full = png(itxt('openbadgecredential', json));
  assert.equal(extractFromPng(full.subarray(0, full.length - 200)), null);
});

test('PNG: a VC-JWT payload is returned (unverified)', () => {
  const jws = ['{"alg":"EdDSA"}', JSON.stringify(credential), 'sig'].map((p) => Buffer.from(p).toString('base64url')).join('.');
  assert.deepEqual(extractFromPng(png(itxt('openbadgecredential', jws))), credential);
});

const svg = (inner) => `<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" viewBox="0 0 10 10">
  ${inner}
  <circle cx="5" cy="5" r="4"/>
</svg>`;

test('SVG: reads the openbadges:credential CDATA JSON', () => {
  assert.deepEqual(extractFromSvg(svg(`<openbadges:credential><![CDATA[${json}]]></openbadges:credential>`)), JSON.parse(json));
});

test('SVG: reads escaped text content and the verify attribute', () => {
  const escaped = json.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  assert.deepEqual(extractFromSvg(svg(`<openbadges:credential>${escaped}</openbadges:credential>`)), JSON.parse(json));
  assert.deepEqual(extractFromSvg(svg(`<openbadges:credential verify="${escaped}"/>`)), JSON.parse(json));
  const jws = ['{"alg":"EdDSA"}', JSON.stringify({ vc: credential }), 'sig'].map((p) => Buffer.from(p).toString('base64url')).join('.');
  assert.deepEqual(extractFromSvg(svg(`<openbadges:credential verify='${jws}'></openbadges:credential>`)), credential);
});

test('SVG: returns null without a credential element or with bad JSON', () => {
  assert.equal(extractFromSvg(svg('')), null);
  assert.equal(extractFromSvg(svg('<openbadges:credential><![CDATA[{oops]]></openbadges:credential>')), null);
  assert.equal(extractFromSvg(''), null);
});
