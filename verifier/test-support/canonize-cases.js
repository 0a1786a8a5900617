// JSON-LD documents for test/canonize-stock.test.js: the W3C and 1EdTech vector documents, the
// same with an @direction in their context, and small documents that exercise what
// jsonld-canonize.js changes in jsonld.js (type-scoped contexts, nested and propagating ones,
// @type maps, embedded contexts, @context: null, protected terms, @direction).
import { readFileSync } from 'node:fs';

const FIXTURES = new URL('../test/fixtures/', import.meta.url);
const read = (name) => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));
const V = 'https://ex.org/';

export const contexts = {
  ...Object.fromEntries(Object.entries(read('contexts/index.json')).map(([url, file]) => [url, read(`contexts/${file}`)])),
  'https://ex.org/ctx': { '@context': {
    '@version': 1.1, '@vocab': `${V}v#`, id: '@id', type: '@type',
    Thing: { '@id': `${V}Thing`, '@context': { '@propagate': false, name: `${V}tname`, inner: { '@id': `${V}inner` } } },
    Other: { '@id': `${V}Other`, '@context': { name: `${V}oname`, '@direction': 'rtl' } },
    Prop: { '@id': `${V}Prop`, '@context': { '@protected': true, p: `${V}p` } },
    scoped: { '@id': `${V}scoped`, '@context': { name: `${V}sname`, '@propagate': true } },
    tmap: { '@id': `${V}tmap`, '@container': '@type' },
    nulls: { '@id': `${V}nulls`, '@context': null },
  } },
  'https://ex.org/dir': { '@context': { '@version': 1.1, '@direction': 'ltr', '@vocab': `${V}d#`, type: '@type', T: { '@id': `${V}T`, '@context': { x: `${V}x` } } } },
};

function vectorDocuments() {
  const out = [];
  const walk = (value) => {
    if (!value || typeof value !== 'object') return;
    if (!Array.isArray(value) && value['@context']) out.push(value);
    for (const inner of Object.values(value)) walk(inner);
  };
  for (const name of ['eddsa-rdfc-2022.json', 'ob-v3p0-eddsa-rdfc-2022.json']) walk(read(name));
  return out.map((doc) => {
    const unsigned = structuredClone(doc);
    delete unsigned.proof;
    return unsigned;
  });
}

export function documents() {
  const vectors = vectorDocuments();
  return [
    ...vectors,
    ...vectors.map((d) => ({ ...d, '@context': [].concat(d['@context'], { '@direction': 'ltr' }) })),
    { '@context': 'https://ex.org/ctx', type: 'Thing', name: 'a', inner: { name: 'b', type: 'Thing', inner: { name: 'c' } } },
    { '@context': ['https://ex.org/ctx'], type: ['Thing', 'Other'], name: 'a', inner: { name: 'b' } },
    { '@context': 'https://ex.org/ctx', type: 'Thing', scoped: { name: 'q', inner: { type: 'Thing', name: 'r' } } },
    { '@context': 'https://ex.org/ctx', tmap: { Thing: { name: 'x', inner: { name: 'y' } }, Other: { name: 'z' } } },
    { '@context': 'https://ex.org/ctx', type: 'Thing', inner: { '@context': { name: `${V}local` }, name: 'n', inner: { name: 'm' } } },
    { '@context': 'https://ex.org/ctx', type: 'Thing', nulls: { '@context': { '@vocab': `${V}z#` }, type: 'Thing', name: 'k', inner: { name: 'j' } } },
    { '@context': ['https://ex.org/ctx', { '@version': 1.1, '@protected': true, pp: `${V}pp` }], type: 'Thing', inner: { type: 'Prop', p: 1, pp: 2 } },
    { '@context': 'https://ex.org/dir', type: 'T', x: 'hello', y: { z: 'w' } },
    { '@context': 'https://ex.org/dir', y: { z: 'w' } },
    { '@context': ['https://ex.org/ctx', null, { '@vocab': `${V}n#` }], type: 'Thing', name: 'x' },
  ];
}

/** A loader serving `contexts` only. */
export function loader() {
  const load = async (url) => {
    if (!Object.prototype.hasOwnProperty.call(contexts, url)) throw new Error(`unknown context ${url}`);
    return { contextUrl: null, documentUrl: url, document: structuredClone(contexts[url]) };
  };
  load.contexts = contexts;
  return load;
}

/** Each document's canonical N-Quads (or 'error: <code>'), twice over (the second round runs
 *  on whatever the first kept). */
export async function canonicalForms(canonize) {
  const out = [];
  for (let round = 0; round < 2; round++) {
    for (const doc of documents()) {
      try {
        out.push(await canonize(structuredClone(doc)));
      } catch (error) {
        out.push(`error: ${(error.details && error.details.event && error.details.event.code) || error.name}`);
      }
    }
  }
  return out;
}

// `node test-support/canonize-cases.js stock`: the forms jsonld.js itself gives, as JSON (a
// process of its own: jsonld-canonize.js changes jsonld.js's shared modules when it loads).
if (process.argv[2] === 'stock' && import.meta.url === new URL(process.argv[1], 'file://').href) {
  const jsonld = (await import('jsonld')).default;
  const load = loader();
  const forms = await canonicalForms((doc) => jsonld.canonize(doc, { algorithm: 'RDFC-1.0', format: 'application/n-quads', documentLoader: load, safe: true, base: null }));
  process.stdout.write(JSON.stringify(forms));
}
