// Runs tests/corpus/ through the whole in-browser verifier (the built credstack-verifier.js in a
// browser-like realm, loading the built credstack-suites.js on demand) and prints one JSON line
// per file: {file, status, codes, suites} (codes: check id -> reason code; suites: whether
// credstack-suites.js was loaded). The saved DID documents and status lists are served by
// fetchJson at the URLs they were published at; now = at = the manifest's `at`. Called by
// tests/unit/registry/test_corpus_verdicts.py, which compares with the Python verifier.
//   node test-support/verify-corpus.mjs <manifest.json> <contexts.json>
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { BUNDLE, OUT_DIR, SUITES } from '../build.mjs';

const [manifestPath, contextsPath] = process.argv.slice(2);
const root = dirname(manifestPath);
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
const contexts = JSON.parse(readFileSync(contextsPath, 'utf8'));

function didWebUrl(did) {
  const [host, ...path] = did.slice('did:web:'.length).split(':').map(decodeURIComponent);
  return path.length ? `https://${host}/${path.join('/')}/did.json` : `https://${host}/.well-known/did.json`;
}

const served = new Map();
for (const [key, entry] of Object.entries(manifest.documents)) {
  const text = readFileSync(join(root, entry.file), 'utf8');
  const url = key.startsWith('did:web:') ? didWebUrl(key) : key;
  served.set(url, text);
}
const fetchJson = async (url) => {
  if (!served.has(url)) throw new Error(`404 ${url}`);
  const text = served.get(url).trim();
  try {
    return JSON.parse(text);
  } catch {
    return text; // a VC-JWT
  }
};

const context = vm.createContext({
  crypto: globalThis.crypto, TextEncoder, TextDecoder, atob, btoa, Blob, DecompressionStream,
  setTimeout, clearTimeout, queueMicrotask, console, URL, structuredClone,
});
context.window = context;
context.self = context;
vm.runInContext(readFileSync(join(OUT_DIR, BUNDLE), 'utf8'), context, { filename: BUNDLE });
const V = context.CredstackVerifier;
let loadedSuites = false;
const suitesUrl = pathToFileURL(join(OUT_DIR, SUITES)).href;
const module = await import(suitesUrl);

for (const entry of manifest.credentials) {
  let input;
  try {
    const payload = V.extractPayload(readFileSync(join(root, entry.file)));
    input = payload.kind === 'jwt' ? payload.token : payload.credential;
  } catch (error) {
    const report = V.unreadableReport(String(error.message)); // what the verify page shows
    const codes = Object.fromEntries(report.checks.map((c) => [c.id, c.code]));
    const words = [report.verdict, ...report.checks.map((c) => c.message)];
    process.stdout.write(`${JSON.stringify({ file: entry.file, status: report.status, codes, words, suites: false })}\n`);
    continue;
  }
  loadedSuites = false;
  const report = await V.verifyCredential(input, {
    contexts, fetchJson, now: manifest.at, at: manifest.at,
    // The page's loadSuites import()s the same file; a vm realm cannot import, so it is bound here.
    loadSuites: async () => {
      loadedSuites = true;
      return (await V.loadSuites({ contexts, url: suitesUrl, module })).extension;
    },
  });
  const codes = Object.fromEntries(report.checks.map((c) => [c.id, c.code]));
  const words = [report.verdict, ...report.checks.map((c) => c.message)];
  process.stdout.write(`${JSON.stringify({ file: entry.file, status: report.status, codes, words, suites: loadedSuites })}\n`);
}
