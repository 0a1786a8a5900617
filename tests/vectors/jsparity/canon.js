// Canonicalize test cases with a real jsonld.js, the way Digital Bazaar verifiers do (safe mode).
// usage: node canon.js <path/to/node_modules/jsonld> <RDFC-1.0|URDNA2015> < cases.json
// prints {name: {ok: true, nquads} | {ok: false, error: <safe-mode event code or message>}}
const path = require('path');
const fs = require('fs');
const jsonld = require(path.resolve(process.argv[2]));
const algorithm = process.argv[3];
// The same offline contexts the Python side ships (plus the test-only ones).
const contextsDir = process.env.CONTEXTS_DIR;
const idx = JSON.parse(fs.readFileSync(path.join(contextsDir, 'index.json')));
const docs = {};
for (const [u, f] of Object.entries(idx)) docs[u] = JSON.parse(fs.readFileSync(path.join(contextsDir, f)));
const documentLoader = async (url) => {
  if (!(url in docs)) throw new Error('unknown context ' + url);
  return {contextUrl: null, documentUrl: url, document: docs[url]};
};
(async () => {
  const cases = JSON.parse(fs.readFileSync(0, 'utf8'));
  const out = {};
  for (const c of cases) {
    const doc = c.text !== undefined ? JSON.parse(c.text) : c.doc;
    try {
      const nq = await jsonld.canonize(doc, {algorithm, format: 'application/n-quads', documentLoader, safe: true});
      out[c.name] = {ok: true, nquads: nq};
    } catch (e) {
      let code = e.details && e.details.event ? e.details.event.code : (e.name + ': ' + e.message);
      out[c.name] = {ok: false, error: code};
    }
  }
  process.stdout.write(JSON.stringify(out));
})();
