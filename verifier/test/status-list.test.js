// Bitstring Status List v1.0 §3.4 expansion and §2.2 bit order, on lists built here with zlib.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { MIN_BITS, bitAt, decodeEncodedList } from '../src/lists.js';

const decodeStatusList = (encoded) => decodeEncodedList(encoded, 'BitstringStatusList');
const statusBit = (bits, index) => Number(bitAt(bits, index));
import { encodeStatusList } from '../test-support/issuer.js';

test('decodes a GZIP + base64url list and reads bits most-significant first', async () => {
  const set = [0, 9, 4242, MIN_BITS - 1];
  const bits = await decodeStatusList(encodeStatusList(set));
  assert.equal(bits.length * 8, MIN_BITS);
  assert.equal(bits[0], 0x80); // index 0 is the MSB of the first byte
  assert.equal(bits[1], 0x40);
  for (const i of [0, 9, 4242, MIN_BITS - 1]) assert.equal(statusBit(bits, i), 1, `bit ${i}`);
  for (const i of [1, 7, 8, 10, 4241, 4243, MIN_BITS - 2]) assert.equal(statusBit(bits, i), 0, `bit ${i}`);
});

test('the encoding is multibase base64url without padding', async () => {
  const bytes = new Uint8Array(MIN_BITS / 8);
  bytes[100] = 0b00100000; // index 802
  const encoded = 'u' + gzipSync(bytes).toString('base64url');
  assert.doesNotMatch(encoded, /[=+/]/);
  assert.equal(statusBit(await decodeStatusList(encoded), 802), 1);
});

test('rejects lists shorter than 131,072 bits', async () => {
  await assert.rejects(decodeStatusList(encodeStatusList([], MIN_BITS - 8)), /the minimum is 131072/);
});

test('rejects a missing multibase prefix, padding and non-GZIP data', async () => {
  const encoded = encodeStatusList([]);
  await assert.rejects(decodeStatusList(encoded.slice(1)), /starts with 'u'/);
  await assert.rejects(decodeStatusList('u' + Buffer.from('not gzip at all').toString('base64url')), /cannot be decoded/);
  await assert.rejects(decodeStatusList('u!!'), /not base64/);
});

test('rejects an index outside the list', async () => {
  const bits = await decodeStatusList(encodeStatusList([]));
  assert.throws(() => statusBit(bits, MIN_BITS), /outside the list/);
  assert.throws(() => statusBit(bits, -1), /outside the list/);
});
