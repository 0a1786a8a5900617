// credstack pages: verification in the visitor's browser (credential pages and /verify/),
// the recipient email check, and the service worker that keeps verification working offline.
// Needs CredstackVerifier (assets/credstack/verifier/credstack-verifier.js), loaded before.
// Everything a credential carries is written with textContent: never as HTML.
(() => {
  'use strict';
  const V = window.CredstackVerifier;
  const script = document.currentScript;
  // This file is served at <site>/assets/credstack/credstack-page.js.
  const ROOT = new URL('../../', script.src).href;
  const ICONS = { pass: '✓', warn: '!', fail: '✗', error: '?', skip: '–' };
  const OUTCOME_WORDS = { pass: 'pass', warn: 'warning', fail: 'fail', error: 'could not check', skip: 'not checked' };
  // A status list saved for offline use is trusted for this long at most (then: error).
  const OFFLINE_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
  const STATUS_ICONS = { verified: '✓', expired: '!', revoked: '✗', suspended: '!', invalid: '✗', error: '?' };
  const cachedAt = new Map(); // URL -> time the service worker cached the copy it served

  const el = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  };
  const day = (iso) => (iso ? String(iso).slice(0, 10) : '');

  /** The issuer's canonical site URL (site_url), from the page. */
  function siteUrl() {
    const meta = document.querySelector('meta[name="credstack:site-url"]');
    return meta ? meta.content : ROOT;
  }

  /** This site's issuer, which the verifier protects from impersonation. */
  function ownIssuer() {
    const id = document.querySelector('meta[name="credstack:issuer"]');
    const name = document.querySelector('meta[name="credstack:issuer-name"]');
    return id ? { id: id.content, site: siteUrl(), name: name ? name.content : '' } : undefined;
  }

  /** Our own site's URLs are read from this copy of the site (works on previews and offline). */
  function localUrl(url) {
    const site = siteUrl();
    return url.startsWith(site) ? new URL(url.slice(site.length), ROOT).href : url;
  }

  // One request per URL per page view, started as early as possible (see prefetch), so the
  // verifier's sequential steps find their documents already loaded.
  const loads = new Map();
  function fetchJson(url) {
    const local = localUrl(url);
    if (!loads.has(local)) {
      loads.set(local, (async () => {
        const response = await fetch(local, { cache: 'no-cache', credentials: 'omit' });
        if (!response.ok) throw new Error(`${response.status} ${response.statusText || 'error'}`);
        const stamp = response.headers.get('x-credstack-cached-at');
        if (stamp) {
          if (Date.now() - Date.parse(stamp) > OFFLINE_MAX_AGE_MS) throw new Error(`the copy saved for offline use on ${stamp.slice(0, 10)} is too old`);
          cachedAt.set(url, stamp);
        }
        // JSON, or a VC-JWT (a status list may be served as one): the verifier reads both.
        const text = (await response.text()).trim();
        return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(text) ? text : JSON.parse(text);
      })());
      loads.get(local).catch(() => {}); // a prefetch nobody awaits must not log an error
    }
    return loads.get(local).then((doc) => (typeof doc === 'string' ? doc : structuredClone(doc)));
  }

  function contexts() {
    return fetchJson(new URL('contexts.json', ROOT).href).catch((error) => {
      throw new Error(`the JSON-LD contexts could not be loaded (${error.message})`);
    });
  }

  /** did:web -> the URL of its DID document (did:web method spec, Read). */
  function didDocumentUrl(did) {
    if (typeof did !== 'string' || !did.startsWith('did:web:')) return null;
    const [host, ...path] = did.slice(8).split(':').map(decodeURIComponent);
    return path.length ? `https://${host}/${path.join('/')}/did.json` : `https://${host}/.well-known/did.json`;
  }

  /** Start loading what the verifier will ask for: contexts, the issuer's keys, status lists. */
  function prefetch(issuer, credential) {
    contexts();
    const did = didDocumentUrl(issuer);
    if (did) fetchJson(did).catch(() => {});
    fetchJson(new URL('status/log.json', siteUrl()).href).catch(() => {});
    if (!credential) return;
    const entries = [].concat(credential.credentialStatus || []);
    for (const entry of entries) {
      const list = entry && entry.statusListCredential;
      if (typeof list !== 'string') continue;
      fetchJson(list).catch(() => {});
      const companion = list.replace(/\/revocation-(\d+\.json)$/, '/suspension-$1');
      if (companion !== list) fetchJson(companion).catch(() => {});
    }
  }

  /** A certification's components: our own credentials named in its evidence. Other evidence
   *  (a capstone report, say) is not a credential and is not fetched. */
  function componentUrl(evidence) {
    const prefix = new URL('credentials/', siteUrl()).href;
    const id = String(evidence.id || '');
    if (id.startsWith(prefix)) return id.replace(/\/?$/, '/') + 'credential.json';
    return /\/credential\.json$/.test(id) ? id : null;
  }

  let logPromise = null;
  /** Date and reason of a revocation or suspension, from the issuer's published status log. */
  async function statusDetails({ credential, purpose }) {
    logPromise ||= fetchJson(new URL('status/log.json', siteUrl()).href).catch(() => ({ events: [] }));
    const log = await logPromise;
    const wanted = purpose === 'revocation' ? 'revoked' : 'suspended';
    const events = (log.events || []).filter((e) => e.url === credential.id);
    let found = null;
    for (const e of events) {
      if (e.event === wanted) found = e;
      if (purpose === 'suspension' && e.event === 'reinstated') found = null;
    }
    return found ? { date: found.date, reason: found.reason } : null;
  }

  /** The verifier's options on this page (`overrides` for monitors and tests: at, now, ownIssuer). */
  async function options(overrides = {}) {
    return { contexts: await contexts(), fetchJson, statusDetails, componentUrl, ownIssuer: ownIssuer(), ...overrides };
  }

  /** Verify `input` (a credential, or a VC-JWT string) and write the verdict and checks into `box`. */
  async function verifyInto(box, input) {
    box.dataset.status = 'checking';
    box.dataset.checked = 'browser';
    box.className = 'cs-verification cs-verification--checking';
    box.replaceChildren(el('p', { class: 'cs-verification__verdict', text: 'Checking in your browser…' }));
    let report;
    try {
      report = await V.verifyCredential(input, await options());
    } catch (error) {
      report = { status: 'error', verdict: `Could not be verified: ${error.message}`, checks: [] };
    }
    render(box, V.decodedCredential(input), report);
    return report;
  }

  function render(box, credential, report) {
    const verdict = el('p', { class: 'cs-verification__verdict' },
      el('span', { class: 'cs-verification__icon', 'aria-hidden': 'true', text: STATUS_ICONS[report.status] || '?' }),
      document.createTextNode(' ' + report.verdict));
    const list = el('ul', { class: 'cs-checks' });
    for (const check of report.checks) {
      list.append(el('li', { class: `cs-check cs-check--${check.outcome}` },
        el('span', { class: 'cs-check__icon', 'aria-hidden': 'true', text: ICONS[check.outcome] || '?' }),
        document.createTextNode(' '),
        el('span', { class: 'cs-check__label', text: check.label }),
        document.createTextNode(' '),
        el('span', { class: 'cs-check__outcome', text: `(${OUTCOME_WORDS[check.outcome] || check.outcome})` }),
        document.createTextNode(' '),
        el('span', { class: 'cs-check__message', text: check.message })));
    }
    const notes = [];
    const issuer = credential && credential.issuer && (credential.issuer.id || credential.issuer);
    const ours = typeof issuer === 'string' && issuer === box.dataset.issuer;
    if (ours && new URL(ROOT).href !== siteUrl()) {
      notes.push(el('p', { class: 'cs-verification__warning', role: 'note', text:
        `This copy of the site is served from ${new URL(ROOT).origin}, not from the issuer's site ${siteUrl()}. ` +
        'The keys and status lists were read from this copy, and a copy can show anything: ' +
        'to be sure, open the credential on the issuer\'s site.' }));
    }
    const stale = [...cachedAt.entries()].filter(([url]) => /\/status\//.test(url));
    if (stale.length) {
      const oldest = stale.map(([, t]) => t).sort()[0];
      notes.push(el('p', { class: 'cs-verification__when', text:
        `You are offline: the revocation status comes from a copy saved on ${oldest.replace('T', ' ').slice(0, 16)} UTC.` }));
    }
    notes.push(el('p', { class: 'cs-verification__when', text:
      `Checked in your browser just now (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC): nothing was sent anywhere.` }));
    box.replaceChildren(verdict, list, ...notes);
    if (credential && typeof credential === 'object') box.append(recipientForm(credential));
    box.className = `cs-verification cs-verification--${report.status}`;
    box.dataset.status = report.status;
  }

  /** "Is this your candidate?": hash the typed email with the credential's salt, locally. */
  function recipientForm(credential) {
    const input = el('input', { type: 'email', name: 'email', required: 'required', autocomplete: 'off', placeholder: 'name@example.org', 'aria-label': "The recipient's email address" });
    const result = el('p', { class: 'cs-recipient-check__result', role: 'status', 'aria-live': 'polite' });
    const form = el('form', { class: 'cs-recipient-check' },
      el('label', { text: "Check the recipient's email (hashed here, never sent): " }), input,
      el('button', { class: 'md-button', type: 'submit', text: 'Check' }), result);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const match = await V.matchRecipient(credential, input.value);
      result.dataset.match = String(match);
      result.textContent = match === null
        ? 'This credential does not name its recipient by email.'
        : match
          ? 'This email matches the recipient of this credential.'
          : 'This email does not match the recipient of this credential.';
    });
    return form;
  }

  // -- credential pages ----------------------------------------------------------------------
  async function credentialPage(box) {
    let credential;
    const credentialUrl = new URL(box.dataset.credentialUrl, document.baseURI).href;
    fetchJson(credentialUrl).catch(() => {});
    prefetch(box.dataset.issuer, null);
    try {
      credential = await fetchJson(credentialUrl);
      prefetch(box.dataset.issuer, credential);
    } catch (error) {
      render(box, null, { status: 'error', verdict: `Could not be verified: the credential could not be loaded (${error.message})`, checks: [] });
      return;
    }
    await verifyInto(box, credential);
  }

  // -- the verify page -----------------------------------------------------------------------
  /** The credential (JSON) or VC-JWT (string) in a file: JSON, .1ob, .jwt, or a baked PNG/SVG. */
  async function readCredential(bytes) {
    const payload = V.extractPayload(new Uint8Array(bytes));
    return payload.kind === 'jwt' ? payload.token : payload.credential;
  }

  async function fromUrl(raw) {
    const url = new URL(raw.trim(), document.baseURI).href;
    if (!/^https?:/.test(url)) throw new Error('only http(s) links can be checked');
    const tries = /\.json$|\.png$|\.svg$|\.1ob$|\.jwt$/.test(url) ? [url] : [url.replace(/\/?$/, '/') + 'credential.json', url];
    let lastError;
    for (const candidate of tries) {
      try {
        const response = await fetch(localUrl(candidate), { credentials: 'omit' });
        if (!response.ok) throw new Error(`${response.status} ${candidate}`);
        const credential = await readCredential(await response.arrayBuffer());
        if (credential) return credential;
      } catch (error) {
        lastError = error;
      }
    }
    throw new Error(`no credential could be loaded from ${url} (${lastError && lastError.message})`);
  }

  /** What the credential claims, said as claims: who it names as issuer, and whether that is
   *  this site's issuer. Nothing here is shown as a fact unless the signature verified. */
  function claims(credential, report) {
    const subject = (credential && credential.credentialSubject) || {};
    const name = [].concat(subject.identifier || []).find((i) => i && i.identityType === 'name');
    const issuer = credential && credential.issuer;
    const issuerId = issuer && typeof issuer === 'object' ? issuer.id : issuer;
    const issuerName = issuer && typeof issuer === 'object' && issuer.name;
    const genuine = ['verified', 'expired', 'revoked', 'suspended'].includes(report.status);
    const own = ownIssuer();
    const ours = own && issuerId === own.id;
    const text = [
      `${(subject.achievement && subject.achievement.name) || (credential && credential.name) || 'A credential'}`,
      name && typeof name.identityHash === 'string' ? ` for ${name.identityHash}` : '',
      `, issued by ${issuerName || 'an issuer'} (${issuerId || 'no issuer id'})`,
    ].join('');
    const p = el('p', { class: `cs-verify__claims${genuine ? '' : ' cs-verify__claims--unverified'}` });
    p.append(el('span', { class: 'cs-verify__claims-label', text: genuine ? 'Signed by its issuer: ' : 'Claims that could not be verified: ' }));
    p.append(document.createTextNode(text + '. '));
    if (genuine) p.append(document.createTextNode(ours ? 'This is the issuer of this site.' : 'This is another issuer, not the one of this site.'));
    return p;
  }

  function verifyPage(app) {
    const box = document.getElementById('credential-verification') || app.appendChild(el('div', { id: 'credential-verification' }));
    box.dataset.status ||= 'idle';
    box.setAttribute('aria-live', 'polite');
    const summary = el('div', { class: 'cs-verify__summary' });
    const input = el('input', { type: 'file', id: 'cs-verify-file', accept: '.json,.png,.svg,.1ob,.jwt,application/json,image/png,image/svg+xml' });
    const drop = el('div', { class: 'cs-verify__drop', tabindex: '0', role: 'button', 'aria-label': 'Drop a credential file here, or choose one' },
      el('p', { text: 'Drop a credential here: credential.json (or .1ob, .jwt), or a badge image (PNG or SVG) with the credential baked in.' }),
      el('label', { for: 'cs-verify-file', text: 'Or choose a file: ' }), input);
    const urlInput = el('input', { type: 'url', name: 'url', placeholder: 'https://…/credentials/…/', 'aria-label': 'Credential link' });
    const urlForm = el('form', { class: 'cs-verify__url' },
      el('label', { text: 'Or paste a credential link: ' }), urlInput, el('button', { class: 'md-button', type: 'submit', text: 'Check' }));
    app.prepend(drop, urlForm, summary);

    const check = async (load) => {
      summary.replaceChildren();
      let input;
      try {
        input = await load();
        if (!input) throw new Error('no baked credential was found in that image');
      } catch (error) {
        render(box, null, V.unreadableReport(error.message));
        return;
      }
      const report = await verifyInto(box, input);
      summary.append(claims(V.decodedCredential(input), report));
    };
    input.addEventListener('change', () => input.files[0] && check(async () => readCredential(await input.files[0].arrayBuffer())));
    drop.addEventListener('dragover', (event) => { event.preventDefault(); drop.classList.add('cs-verify__drop--over'); });
    drop.addEventListener('dragleave', () => drop.classList.remove('cs-verify__drop--over'));
    drop.addEventListener('drop', (event) => {
      event.preventDefault();
      drop.classList.remove('cs-verify__drop--over');
      const file = event.dataTransfer.files[0];
      if (file) check(async () => readCredential(await file.arrayBuffer()));
    });
    drop.addEventListener('keydown', (event) => { if (event.key === 'Enter' || event.key === ' ') input.click(); });
    urlForm.addEventListener('submit', (event) => { event.preventDefault(); check(() => fromUrl(urlInput.value)); });
    const fromQuery = new URLSearchParams(location.search).get('url');
    if (fromQuery) { urlInput.value = fromQuery; check(() => fromUrl(fromQuery)); }
  }

  // -- copy link ------------------------------------------------------------------------------
  function copyButtons() {
    for (const button of document.querySelectorAll('.cs-copy[data-clipboard-text]')) {
      button.addEventListener('click', async () => {
        try {
          await navigator.clipboard.writeText(button.dataset.clipboardText);
          button.textContent = 'Link copied';
        } catch {
          button.textContent = button.dataset.clipboardText;
        }
      });
    }
  }

  // -- for the pathway calculator and earner pages (credstack-holders.js) ------------------------
  /** Load a credential from a link (its page, credential.json or a badge) and verify it here. */
  async function verifyLink(link) {
    const input = await fromUrl(link);
    const report = await V.verifyCredential(input, await options({ ownIssuer: undefined }));
    return { credential: V.decodedCredential(input), report };
  }
  window.CredstackPage = { verifyLink };

  /** The certificate's Print button (credential pages, #certificate). */
  function printButtons() {
    for (const button of document.querySelectorAll('[data-cs-print]')) button.addEventListener('click', () => window.print());
  }

  // -- offline --------------------------------------------------------------------------------
  function registerServiceWorker() {
    if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
    navigator.serviceWorker.register(new URL('sw.js', ROOT).href, { scope: ROOT }).catch(() => {});
  }

  /** For monitors and tests: verify a credential (JSON, or a VC-JWT string) with this page's
   *  settings; `overrides` may set at, now or ownIssuer. Returns the report. */
  window.credstackPage = {
    verify: async (input, overrides) => V.verifyCredential(input, await options(overrides)),
  };

  function start() {
    copyButtons();
    printButtons();
    if (!V) return;
    const app = document.getElementById('credstack-verify');
    const box = document.getElementById('credential-verification');
    if (app) verifyPage(app);
    else if (box && box.dataset.credentialUrl) credentialPage(box);
    registerServiceWorker();
  }
  // Material's instant navigation swaps pages without reloading scripts: follow it.
  if (window.document$ && typeof window.document$.subscribe === 'function') window.document$.subscribe(start);
  else if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
