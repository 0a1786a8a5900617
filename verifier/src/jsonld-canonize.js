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
import rdf from 'jsonld/lib/toRdf.js';
import util from 'jsonld/lib/util.js';
import rdfCanonize from 'rdf-canonize';

const { getInitialContext } = context;
const { setupEventHandler } = events;
const { toRDF } = rdf;
const { clone } = util;

// jsonld.js: RESOLVED_CONTEXT_CACHE_MAX_SIZE, shared by every call.
const sharedCache = new LRU({ max: 100 });

// Processed contexts, kept. jsonld.js keeps a processed context per (active context, resolved
// context), but for a type-scoped context (@propagate false: Open Badges defines one on nearly
// every type) it copies the whole active context *before* it looks in that cache, so the lookup
// is keyed by a fresh object and never finds anything: every typed node deep-copies every term
// definition (about a third of a first visit's verification time in the page). Context
// processing is a pure function of its inputs, and jsonld.js never changes a processed context
// (it copies one before it adds to it), so the result is kept here per the contexts a loader
// serves, active context, local context and flags, and given again. Only successes are kept;
// calls inside a remote context's own processing (their cycle detection depends on the caller)
// are not. plugins/credstack/crypto/canon keeps processed type-scoped contexts per loader too.
const processContext = context.process;
// What a loader serves (its `contexts`, see proof.js contextLoader; else the loader itself) ->
// WeakMap(activeCtx -> { objects, strings }: local context -> Map(flags -> processed context)).
const processed = new WeakMap();

function keptFor(args) {
  const { activeCtx, localCtx, options, propagate = true, overrideProtected = false, cycles } = args;
  if ((cycles && cycles.size) || !options || typeof options.documentLoader !== 'function') return null;
  if (localCtx === null || (typeof localCtx !== 'object' && typeof localCtx !== 'string')) return null;
  const source = options.documentLoader.contexts || options.documentLoader;
  if (typeof source !== 'object' && typeof source !== 'function') return null;
  let byActive = processed.get(source);
  if (!byActive) processed.set(source, (byActive = new WeakMap()));
  let byLocal = byActive.get(activeCtx);
  if (!byLocal) byActive.set(activeCtx, (byLocal = { objects: new WeakMap(), strings: new Map() }));
  const table = typeof localCtx === 'string' ? byLocal.strings : byLocal.objects;
  let byFlags = table.get(localCtx);
  if (!byFlags) table.set(localCtx, (byFlags = new Map()));
  return { byFlags, flags: `${propagate}|${overrideProtected}|${options.base}|${options.safe}` };
}

context.process = async (args) => {
  const kept = keptFor(args);
  if (kept && kept.byFlags.has(kept.flags)) return kept.byFlags.get(kept.flags);
  const result = await processContext(args);
  if (kept) kept.byFlags.set(kept.flags, result);
  return result;
};

// Copies of active contexts. jsonld.js deep-copies an active context's every term definition,
// with the scoped contexts they hold, whenever it copies the context (for every type-scoped
// context, and while it processes a context, for each scoped context it checks), and when it
// leaves a type-scoped context it returns a fresh deep copy of the context outside it. It never
// changes a term definition once made (it makes a new one and sets it in the map), so a copy of
// the map is enough; and the copy of the outer context is made once and given again (the same
// object each time, which lets the cache above recognise it). A copy keeps what jsonld.js's
// copy keeps (mappings, protected terms, @base, @language, @vocab; not @direction), so the
// output is jsonld.js's. Installed on the initial active context, which every context made from
// it inherits them from (all but the fresh initial context jsonld.js makes for `@context: null`,
// which only costs time); one per processing mode, kept like jsonld.js's own.
function copyContext() {
  const child = {
    mappings: new Map(this.mappings),
    clone: this.clone,
    inverse: null,
    getInverse: this.getInverse,
    protected: { ...this.protected },
    revertToPreviousContext: this.revertToPreviousContext,
  };
  if (this.previousContext) child.previousContext = this.previousContext;
  for (const key of ['@base', '@language', '@vocab']) if (key in this) child[key] = this[key];
  return child;
}
const reverted = new WeakMap(); // outer context -> its copy, given on every revert
function previous() {
  const outer = this.previousContext;
  if (!outer) return this;
  if (!reverted.has(outer)) reverted.set(outer, outer.clone());
  return reverted.get(outer);
}
const initialContexts = new Map();
function initialContext(options) {
  const key = String(options.processingMode);
  if (!initialContexts.has(key)) initialContexts.set(key, { ...getInitialContext(options), clone: copyContext, revertToPreviousContext: previous });
  return initialContexts.get(key);
}

// Expansion binds context.process when it is first loaded, so it is loaded after the line above.
let expansion = null;
const expandElement = async (args) => {
  expansion ||= await import('jsonld/lib/expand.js');
  return (expansion.default || expansion).expand(args);
};

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
  let expanded = await expandElement({ activeCtx: initialContext(options), element: clone(input), options });
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
