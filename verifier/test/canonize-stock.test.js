// jsonld-canonize.js changes how jsonld.js copies and caches active contexts (for speed): the
// canonical forms must stay exactly jsonld.js's own, errors included, on the vector documents
// and on documents made to exercise those changes. jsonld.js runs in a process of its own.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { jsonldCanonize } from '../src/jsonld-canonize.js';
import { canonicalForms, documents, loader } from '../test-support/canonize-cases.js';

test('canonical forms are jsonld.js\'s own, every time', async () => {
  const script = fileURLToPath(new URL('../test-support/canonize-cases.js', import.meta.url));
  const stock = JSON.parse(execFileSync(process.execPath, [script, 'stock'], { encoding: 'utf8' }));
  const load = loader();
  const ours = await canonicalForms((doc) => jsonldCanonize(doc, { documentLoader: load, safe: true, base: null }));
  assert.equal(ours.length, 2 * documents().length);
  assert.ok(stock.filter((f) => !f.startsWith('error')).length >= documents().length, 'most documents canonicalize');
  assert.deepEqual(ours, stock);
});
