// RDF Dataset Canonicalization of JSON-LD, exactly as jsonld.js 9 `jsonld.canonize` does it, but
// built from its own modules (expansion, toRDF, rdf-canonize) so that the bundle leaves out what
// verification never uses (compaction, framing, flattening, fromRDF): about 6 KB gzipped. The
// steps mirror node_modules/jsonld/lib/jsonld.js canonize -> toRDF -> expand with the options a
// Data Integrity verifier passes; vectors.test.js checks the result against the W3C and 1EdTech
// canonical forms, and the corpus tests against the Python verifier.
// (CommonJS modules: default imports, so that node and esbuild read them alike.)
import LRU from 'lru-cache';
import ContextResolver from 'jsonld/lib/ContextResolver.js';
import context from 'jsonld/lib/context.js';
import events from 'jsonld/lib/events.js';
import expansion from 'jsonld/lib/expand.js';
import rdf from 'jsonld/lib/toRdf.js';
import util from 'jsonld/lib/util.js';
import rdfCanonize from 'rdf-canonize';

const { getInitialContext } = context;
const { setupEventHandler } = events;
const { expand: expandElement } = expansion;
const { toRDF } = rdf;
const { clone } = util;

// jsonld.js: RESOLVED_CONTEXT_CACHE_MAX_SIZE, shared by every call.
const sharedCache = new LRU({ max: 100 });

/**
 * jsonld.canonize(input, { algorithm: 'RDFC-1.0', format: 'application/n-quads', documentLoader,
 * safe, base, canonizeOptions }): the canonical N-Quads of a JSON-LD object.
 */
export async function jsonldCanonize(input, { documentLoader, safe = true, base = null, canonizeOptions = {} }) {
  const options = {
    documentLoader,
    safe,
    base,
    skipExpansion: false,
    keepFreeFloatingNodes: false,
    produceGeneralizedRdf: false,
    contextResolver: new ContextResolver({ sharedCache }),
  };
  options.eventHandler = setupEventHandler({ options });
  // jsonld.expand
  let expanded = await expandElement({ activeCtx: getInitialContext(options), element: clone(input), options });
  if (expanded !== null && typeof expanded === 'object' && !Array.isArray(expanded) && '@graph' in expanded && Object.keys(expanded).length === 1) {
    expanded = expanded['@graph'];
  } else if (expanded === null) {
    expanded = [];
  }
  if (!Array.isArray(expanded)) expanded = [expanded];
  // jsonld.toRDF, then rdf-canonize
  const dataset = toRDF(expanded, options);
  return rdfCanonize.canonize(dataset, { algorithm: 'RDFC-1.0', ...canonizeOptions, format: 'application/n-quads' });
}
