// Runs tests/corpus/ through the JavaScript suites (the built credstack-suites.js) and prints one
// JSON line per file: {file, codes} (codes null when the file cannot be read). Called by
// tests/unit/crypto/test_corpus_parity.py, which compares with the Python suites.
//   node test-support/corpus.mjs <manifest.json> <contexts.json>
// contexts.json is {url: document} (the Python side writes context_bundle() plus test contexts).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { extractPayload } from '../src/baked.js';
import { verifyEd25519 } from '../src/ed25519.js';
import { canonize, contextLoader } from '../src/proof.js';
import { OUT_DIR, SUITES } from '../build.mjs';

const [manifestPath, contextsPath] = process.argv.slice(2);
const root = dirname(manifestPath);
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
const contexts = JSON.parse(readFileSync(contextsPath, 'utf8'));
const module = await import(pathToFileURL(join(OUT_DIR, SUITES)).href);
const loader = contextLoader(contexts);
const suites = module.createSuites({ canonize: (doc, options) => canonize(doc, loader, options), verifyEd25519 });
const dids = {};
for (const [key, entry] of Object.entries(manifest.documents)) {
  if (key.startsWith('did:')) dids[key] = JSON.parse(readFileSync(join(root, entry.file), 'utf8'));
}
const resolveKey = module.makeResolver(dids);
for (const entry of manifest.credentials) {
  let codes = null;
  try {
    const payload = extractPayload(readFileSync(join(root, entry.file)));
    if (payload.kind === 'jwt') codes = [(await suites.verifyJwt(payload.token, resolveKey)).outcome.code];
    else codes = (await suites.verifyProofs(payload.credential, resolveKey)).map((o) => o.code);
  } catch {
    codes = null;
  }
  process.stdout.write(`${JSON.stringify({ file: entry.file, codes })}\n`);
}
