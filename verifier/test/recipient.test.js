// OB 3.0 IdentityHash and "Verify the Recipient Using an Identifier".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashEmail, matchRecipient } from '../src/index.js';
import { RECIPIENT, credential } from '../test-support/issuer.js';

test("hashEmail reproduces the OB 3.0 IdentityHash example ('a@example.com' + 'Kosher')", async () => {
  assert.equal(await hashEmail('a@example.com', 'Kosher'), 'sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399');
  assert.equal(await hashEmail('  a@example.com\n', 'Kosher'), await hashEmail('a@example.com', 'Kosher'));
});

test('hashEmail keeps case as given (the spec does not fold case)', async () => {
  assert.notEqual(await hashEmail('A@example.com', 'Kosher'), await hashEmail('a@example.com', 'Kosher'));
});

test('matchRecipient matches the address as hashed, trimmed', async () => {
  const c = credential();
  assert.equal(await matchRecipient(c, RECIPIENT), true);
  assert.equal(await matchRecipient(c, ` ${RECIPIENT} `), true);
  assert.equal(await matchRecipient(c, 'grace.hopper@example.org'), false);
});

test('matchRecipient also tries the lower-cased address, for issuers that fold case', async () => {
  const c = credential();
  c.credentialSubject.identifier[0].identityHash = await hashEmail(RECIPIENT.toLowerCase(), 'pepper');
  assert.equal(await matchRecipient(c, RECIPIENT), true);
  assert.equal(await matchRecipient(c, RECIPIENT.toLowerCase()), true);
});

test('matchRecipient matches an NFC, lower-cased hash (as credstack issues) from decomposed input', async () => {
  const c = credential();
  c.credentialSubject.identifier[0].identityHash = await hashEmail('zoë@example.org', 'pepper'); // NFC ë
  assert.equal(await matchRecipient(c, 'Zoe\u0308@Example.org'), true); // e + combining diaeresis
});

test('matchRecipient accepts upper-case hex digits', async () => {
  const c = credential();
  const id = c.credentialSubject.identifier[0];
  id.identityHash = 'sha256$' + id.identityHash.slice(7).toUpperCase();
  assert.equal(await matchRecipient(c, RECIPIENT), true);
});

test('matchRecipient returns null without an emailAddress identifier', async () => {
  const c = credential();
  c.credentialSubject.identifier = [{ type: 'IdentityObject', identityType: 'name', hashed: false, identityHash: 'Ada' }];
  assert.equal(await matchRecipient(c, RECIPIENT), null);
  delete c.credentialSubject.identifier;
  assert.equal(await matchRecipient(c, RECIPIENT), null);
  assert.equal(await matchRecipient({}, RECIPIENT), null);
});
