// credstack service worker: keeps the pages already seen, the scripts and the styles available
// offline, network first, the saved copy when the network fails. The documents the verifier
// reads (the credential, contexts, DID document, status lists, log: DOCUMENTS) do not
// pass through it: the page keeps and reads their copies itself (credstack-page.js, "offline"),
// in the same cache, so a visit online never waits for this worker to start. It installs with
// copies of the site's contexts, DID document and status lists. Saved copies carry the header
// x-credstack-cached-at so the page can say how old the revocation status it shows is.
'use strict';
const CACHE = 'credstack-v1';
// Filled in by the site build: paths relative to this worker's scope.
const PRECACHE = /*PRECACHE*/[];

// The page's documents (credentials, contexts, DID documents, status lists, the transparency
// log) go straight to the network: with static routing (Chromium) this worker is not even
// started for them; elsewhere its fetch handler lets them pass. One list of URLPattern
// pathnames ('*': any characters) for the routes, read as a regular expression by the handler.
const DOCUMENTS = ['*/credential.json', '*/contexts.json', '*/did.json', '*/status/*', '*/log/*'];
const DOCUMENT_PATH = new RegExp(DOCUMENTS.map((path) => `^${path.replace(/\./g, '\\.').replace(/\*/g, '.*')}$`).join('|'));
const ROUTES = typeof URLPattern !== 'function' ? [] : DOCUMENTS.map((pathname) => ({ condition: { urlPattern: new URLPattern({ pathname }) }, source: 'network' }));

self.addEventListener('install', (event) => {
  if (typeof event.addRoutes === 'function' && ROUTES.length) event.waitUntil(Promise.resolve().then(() => event.addRoutes(ROUTES)).catch(() => {}));
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await Promise.all(PRECACHE.map(async (path) => {
      try {
        const url = new URL(path, self.registration.scope).href;
        const response = await fetch(url, { cache: 'no-cache' });
        if (response.ok) await cache.put(url, await stamped(response));
      } catch {
        // offline during install: the page still works online and caches as it goes
      }
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    // Navigation preload: a page's request starts while the worker itself starts.
    if (self.registration.navigationPreload) await self.registration.navigationPreload.enable().catch(() => {});
    for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

/** A copy of `response` with the time it was saved. */
async function stamped(response) {
  const headers = new Headers(response.headers);
  headers.set('x-credstack-cached-at', new Date().toISOString());
  return new Response(await response.blob(), { status: response.status, statusText: response.statusText, headers });
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || !request.url.startsWith(self.registration.scope)) return;
  if (request.destination === '' && DOCUMENT_PATH.test(url.pathname)) return; // the page's documents (see ROUTES)
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const response = (request.mode === 'navigate' && (await event.preloadResponse)) || (await fetch(request));
      if (response.ok && response.type === 'basic') {
        // The live response goes to the page unmarked; the saved copy is stamped.
        const copy = response.clone();
        event.waitUntil(stamped(copy).then((s) => cache.put(request.url.split('#')[0], s)));
      }
      return response;
    } catch (error) {
      const saved = (await cache.match(request.url.split('#')[0])) || (await cache.match(request.url.split('#')[0], { ignoreSearch: true }));
      if (saved) return saved;
      throw error;
    }
  })());
});
