// credstack pages: verification in the visitor's browser (credential pages and /verify/),
// the recipient email check, and the service worker that keeps verification working offline.
// Needs CredstackVerifier (assets/credstack/verifier/credstack-verifier.js): a credential page's
// <head> preloads it and this script runs it; other pages load it before this script.
// Everything a credential carries is written with textContent: never as HTML.
(() => {
  'use strict';
  // The verifier bundle: on credential pages this script loads async (it starts fetching the
  // documents while the deferred verifier still downloads), so it is looked up when needed.
  let V = window.CredstackVerifier;
  const script = document.currentScript;
  // This file is served at <site>/assets/credstack/credstack-page.js.
  const ROOT = new URL('../../', script.src).href;
  const ASSETS = 'assets/credstack/';
  // The verifier's SHA-256, written in by the site build: a new verifier keeps no old verdicts.
  const VERIFIER = /*VERIFIER*/'';
  const ICONS = { pass: '✓', warn: '!', fail: '✗', error: '?', skip: '–' };
  const OUTCOME_WORDS = { pass: 'pass', warn: 'warning', fail: 'fail', error: 'could not check', skip: 'not checked' };
  // A status list saved for offline use is trusted for this long at most (then: error).
  const OFFLINE_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
  const STATUS_ICONS = { verified: '✓', expired: '!', revoked: '✗', suspended: '!', invalid: '✗', error: '?' };
  const cachedAt = new Map(); // URL -> time the offline copy read instead was saved

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

  /** On a credential page, its credential's id (the page's own URL, og:url), else null. */
  function pageCredentialId() {
    const own = document.querySelector('meta[property="og:url"]');
    return own && /^https?:\/\/.+\/credentials\/[^/]+\/$/.test(own.content) ? own.content : null;
  }

  /** The issuer's canonical site URL (site_url), from the page. */
  function siteUrl() {
    const meta = document.querySelector('meta[name="credstack:site-url"]');
    if (meta) return meta.content;
    // A credential page names its own URL (og:url: <site>credentials/<id>/) instead.
    const id = pageCredentialId();
    return id ? id.replace(/credentials\/[^/]+\/$/, '') : ROOT;
  }

  /** This site's issuer, which the verifier protects from impersonation. */
  function ownIssuer() {
    const id = document.querySelector('meta[name="credstack:issuer"]');
    // (credential pages name the issuer once, in og:site_name)
    const name = document.querySelector('meta[name="credstack:issuer-name"]') || document.querySelector('meta[property="og:site_name"]');
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
  /** The bytes served at `url` (this site's copy of it), fetched once per page: the verifier's
   *  JSON and the log check's hashes read the same response. */
  function fetchRaw(url, { cache = 'no-cache' } = {}) {
    const local = localUrl(url);
    if (!loads.has(local)) {
      loads.set(local, (async () => {
        let response;
        try {
          response = await fetch(local, { cache, credentials: 'omit' });
        } catch (error) {
          response = await savedCopy(local); // offline: the copy kept on an earlier visit
          if (!response) throw error;
        }
        if (!response.ok) throw new Error(`${response.status} ${response.statusText || 'error'}`);
        const stamp = response.headers.get('x-credstack-cached-at');
        if (stamp) {
          if (Date.now() - Date.parse(stamp) > OFFLINE_MAX_AGE_MS) throw new Error(`the copy saved for offline use on ${stamp.slice(0, 10)} is too old`);
          cachedAt.set(url, stamp);
        }
        const bytes = new Uint8Array(await response.arrayBuffer());
        if (!stamp && local.startsWith(ROOT)) fresh.set(local, { bytes, type: response.headers.get('content-type') || 'application/octet-stream' });
        return bytes;
      })());
      loads.get(local).catch(() => {}); // a prefetch nobody awaits must not log an error
    }
    return loads.get(local);
  }
  function fetchJson(url) {
    return fetchRaw(url).then((bytes) => {
      // JSON, or a VC-JWT (a status list may be served as one): the verifier reads both.
      const text = new TextDecoder().decode(bytes).trim();
      return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(text) ? text : JSON.parse(text);
    });
  }

  // The JSON-LD contexts: one copy per page (the verifier keeps processed contexts per copy),
  // from the HTTP cache when it is fresh (they change only with the site's verifier), and the
  // SHA-256 of their bytes (kept signatures are keyed by it).
  const CONTEXTS_URL = new URL('contexts.json', ROOT).href;
  let contextsLoad = null;
  function contextsBytes() {
    return fetchRaw(CONTEXTS_URL, { cache: 'default' });
  }
  function contexts() {
    contextsLoad ||= contextsBytes().then((bytes) => JSON.parse(new TextDecoder().decode(bytes)));
    return contextsLoad.catch((error) => {
      throw new Error(`the JSON-LD contexts could not be loaded (${error.message})`);
    });
  }
  let contextsHash = null;
  function contextsDigest() {
    contextsHash ||= contextsBytes().then((bytes) => crypto.subtle.digest('SHA-256', bytes)).then(hex);
    return contextsHash;
  }

  /** did:web -> the URL of its DID document (did:web method spec, Read). */
  function didDocumentUrl(did) {
    if (typeof did !== 'string' || !did.startsWith('did:web:')) return null;
    const [host, ...path] = did.slice(8).split(':').map(decodeURIComponent);
    return path.length ? `https://${host}/${path.join('/')}/did.json` : `https://${host}/.well-known/did.json`;
  }

  /** Start loading what the verifier will read on this credential page, as the build found
   *  it: the contexts, the issuer's DID document, the status log and, named in <head>
   *  (credstack:preload), the issuer's status lists and log checkpoint. Only a head start: the
   *  credential and the DID document still decide what the verifier reads. */
  function prefetch() {
    contexts();
    const own = ownIssuer();
    const did = didDocumentUrl(own && own.id);
    if (did) fetchRaw(did).catch(() => {});
    fetchRaw(new URL('status/log.json', siteUrl()).href).catch(() => {});
    const preload = document.querySelector('meta[name="credstack:preload"]');
    for (const path of preload ? preload.content.split(' ').filter(Boolean) : []) fetchRaw(new URL(path, ROOT).href).catch(() => {});
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

  /** The verifier's options on this page (`overrides` for monitors and tests: at, now,
   *  ownIssuer). `kept`: verdicts kept in localStorage are used and kept (see "verdicts kept"). */
  async function options(overrides = {}, { kept = false } = {}) {
    const caches = kept ? { listCache: statusListCache, signatureCache } : {};
    return { contexts: await contexts(), fetchJson, statusDetails, componentUrl, ownIssuer: ownIssuer(), log: publicLog, ...caches, ...overrides };
  }

  /** A link that saves the log's inclusion proof (C2SP tlog-proof) for offline checking:
   *  `credstack verify credential.json --log-proof log-proof.txt`. */
  function proofLink(text) {
    const link = el('a', { class: 'cs-check__proof', download: 'log-proof.txt', text: 'Download the log proof' });
    link.href = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    return el('span', {}, document.createTextNode(' '), link);
  }

  /** The bytes at `url` (this copy of the site for the issuer's own URLs). */
  async function fetchBytes(url) {
    return (await fetchRaw(url)).slice(); // a copy: the caller may not change what others read
  }

  /** The `log` check for this site's own credentials: the issuer's public transparency log
   *  (signed checkpoint, inclusion, latest status lists, consistency with the largest
   *  checkpoint this browser saw before). Other issuers' credentials: no log check here. */
  async function publicLog(credential) {
    const own = ownIssuer();
    const issuer = credential && credential.issuer;
    const issuerId = issuer && typeof issuer === 'object' ? issuer.id : issuer;
    if (!own || issuerId !== own.id || typeof V.verifyLog !== 'function') return { code: 'none' };
    let storage = null;
    try {
      storage = window.localStorage;
    } catch {
      storage = null; // private browsing: no memory of earlier checkpoints
    }
    // The page's own credential: its entry in the log, as the build found it (no locate file
    // to read; the entry's inclusion is still proved).
    const main = document.getElementById('main');
    const entry = main && credential.id === pageCredentialId() ? main.dataset.logEntry : undefined;
    const hint = entry && /^\d{1,15}$/.test(entry) ? { entryIndex: Number(entry) } : {};
    performance.mark('credstack:log-start');
    const result = await V.verifyLog(credential, { fetchBytes, storage, ...hint });
    performance.mark('credstack:log-end');
    return result.code === 'no-log' ? { code: 'none' } : result;
  }

  /** Verify `input` (a credential, or a VC-JWT string) and write the verdict and checks into
   *  `box` (#credential-verification). A credential page keeps its build-time verdict on show
   *  while the browser checks again. */
  async function verifyInto(box, input, { kept = false } = {}) {
    box.dataset.status = 'checking';
    if (box.dataset.checked !== 'build') {
      box.className = 'cs-verification cs-verification--checking';
      box.replaceChildren(el('p', { class: 'cs-verification__verdict', text: 'Checking in your browser…' }));
    }
    box.dataset.checked = 'browser';
    mark('credstack:verify-start');
    let report;
    try {
      report = await V.verifyCredential(input, await options({}, { kept }));
    } catch (error) {
      report = { status: 'error', verdict: `Could not be verified: ${error.message}`, checks: [] };
    }
    // Revocation is final: a page built as revoked that the browser now finds not revoked is
    // being served an older status list than the one it was built with.
    if (box.dataset.buildStatus === 'revoked' && !['revoked', 'invalid', 'error'].includes(report.status)) {
      report = { ...report, status: 'error', verdict: 'Could not be verified: the status list served now is older than the one this page was published with (it said revoked)' };
    }
    render(box, V.decodedCredential(input), report);
    mark('credstack:verdict');
    keepWhenIdle(); // the documents it read, for offline use
    return report;
  }

  /** A performance mark (bench/bench_browser.py reads them). */
  function mark(name) {
    try {
      performance.mark(name);
    } catch {
      // no User Timing: nothing to measure
    }
  }

  // -- verdicts kept: each status list and each signature checked once per content ------------
  // On credential pages only, where every document is this site's own: localStorage belongs
  // to the origin, which other sites can share (a GitHub user's project sites all live on
  // <user>.github.io), so /verify/, which checks credentials from anywhere, keeps nothing.
  // A status list's proofs, issuer and keys are the same checks for every credential on it;
  // once they passed for a list with this exact content (and its issuer's DID document), later
  // pages reuse the verified list (the verifier's `listCache`). A signature that verified is
  // kept the same way (`signatureCache`: the signed document and proof, the public key, this
  // verifier and its contexts), so a page seen before is not canonicalized again. Only passes
  // are kept, in localStorage, under a SHA-256 of everything the checks read: a changed byte is
  // a new key, and a failure is checked again every time. The status bits, the dates, who holds
  // the key and whether it may sign are decided every time.
  const LIST_CACHE = 'credstack:status-list-ok:';
  const SIGNATURE_CACHE = 'credstack:signature-ok:';
  const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
  // A key must tell apart every two values the checks tell apart: JSON.stringify writes
  // Infinity as null and -0 as 0 (which canonicalization does not), so such a value gets no key.
  const exact = (name, value) => {
    if (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))) throw new TypeError(`no key for the number ${value}`);
    return value;
  };
  const sha256 = async (value) => hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(value, exact))));

  /** Verdicts under `prefix` in localStorage, the `max` most recent. */
  function keptVerdicts(prefix, max) {
    return {
      get(key) {
        try {
          const kept = JSON.parse(localStorage.getItem(key) || 'null');
          return kept && kept.verdict;
        } catch {
          return null; // storage blocked or damaged: verify again
        }
      },
      set(key, verdict) {
        try {
          const keys = Object.keys(localStorage).filter((k) => k.startsWith(prefix));
          if (keys.length >= max) {
            // Oldest first: each entry's time read once (not once per comparison).
            const at = (k) => {
              try {
                return JSON.parse(localStorage.getItem(k)).at;
              } catch {
                return 0;
              }
            };
            const oldest = keys.map((k) => [at(k), k]).sort((a, b) => a[0] - b[0]);
            for (const [, old] of oldest.slice(0, keys.length - max + 1)) localStorage.removeItem(old);
          }
          localStorage.setItem(key, JSON.stringify({ at: Date.now(), verdict }));
        } catch {
          // storage full or blocked: nothing kept
        }
      },
    };
  }

  const statusListCache = {
    async key(list) {
      const issuer = V.decodedCredential(list);
      const issuerId = issuer && typeof issuer === 'object' ? (issuer.issuer && issuer.issuer.id) || issuer.issuer : null;
      const did = didDocumentUrl(issuerId);
      const document = did ? await fetchJson(did).catch(() => null) : null;
      return LIST_CACHE + (await sha256(['credstack-status-list/2', VERIFIER, list, document]));
    },
    ...keptVerdicts(LIST_CACHE, 32),
  };

  const signatureCache = {
    async key(parts) {
      return SIGNATURE_CACHE + (await sha256(['credstack-signature/1', VERIFIER, await contextsDigest(), parts]));
    },
    ...keptVerdicts(SIGNATURE_CACHE, 256),
  };

  function render(box, credential, report) {
    const verdict = el('p', { class: 'cs-verification__verdict' },
      el('span', { class: 'cs-verification__icon', 'aria-hidden': 'true', text: STATUS_ICONS[report.status] || '?' }),
      document.createTextNode(' ' + report.verdict));
    // A credential page lists the checks further down (#credential-checks); the verify page
    // keeps them in the box.
    const pageList = document.getElementById('credential-checks');
    const list = pageList || el('ul', { class: 'cs-checks' });
    list.replaceChildren();
    for (const check of report.checks) {
      list.append(el('li', { class: `cs-check cs-check--${check.outcome}` },
        el('span', { class: 'cs-check__icon', 'aria-hidden': 'true', text: ICONS[check.outcome] || '?' }),
        document.createTextNode(' '),
        el('span', { class: 'cs-check__label', text: check.label }),
        document.createTextNode(' '),
        el('span', { class: 'cs-check__outcome', text: `(${OUTCOME_WORDS[check.outcome] || check.outcome})` }),
        document.createTextNode(' '),
        el('span', { class: 'cs-check__message', text: check.message }),
        check.id === 'log' && check.params && typeof check.params.proof === 'string' ? proofLink(check.params.proof) : null));
    }
    const notes = [];
    const issuer = credential && credential.issuer && (credential.issuer.id || credential.issuer);
    const own = ownIssuer();
    const ours = typeof issuer === 'string' && own && issuer === own.id;
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
    box.replaceChildren(verdict, ...notes);
    if (!pageList) box.append(list);
    const form = credential && typeof credential === 'object' ? recipientForm(credential) : null;
    if (form && pageList) {
      const old = list.parentNode.querySelector('.cs-recipient-check');
      if (old) old.replaceWith(form);
      else list.after(form);
    } else if (form) box.append(form);
    box.className = `cs-verification cs-verification--${report.status}`;
    box.dataset.status = report.status;
  }

  let formCount = 0;
  /** "Is this your candidate?": hash the typed email with the credential's salt, locally. */
  function recipientForm(credential) {
    const id = `cs-recipient-email-${++formCount}`;
    const input = el('input', { type: 'email', id, name: 'email', required: 'required', autocomplete: 'off', placeholder: 'name@example.org' });
    const result = el('p', { class: 'cs-recipient-check__result', role: 'status', 'aria-live': 'polite' });
    const form = el('form', { class: 'cs-recipient-check' },
      el('label', { for: id, text: "Check the recipient's email (hashed here, never sent):" }), input,
      el('button', { class: 'cs-button', type: 'submit', text: 'Check' }), result);
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
    prefetch();
    try {
      credential = await fetchJson(credentialUrl);
    } catch (error) {
      render(box, null, { status: 'error', verdict: `Could not be verified: the credential could not be loaded (${error.message})`, checks: [] });
      return;
    }
    const report = await verifyInto(box, credential, { kept: true });
    sharing(credential, report);
    badgeDownloads(credential);
  }

  /** LinkedIn's add-to-profile URL, every field prefilled (name, organisation, dates, URL, id):
   *  the link credstack.model.sharing.linkedin_url makes (a browser test compares them). */
  function linkedinUrl(credential) {
    const subject = credential.credentialSubject || {};
    const issued = new Date(credential.validFrom);
    const params = [
      ['startTask', 'CERTIFICATION_NAME'],
      ['name', (subject.achievement && subject.achievement.name) || credential.name || ''],
      ['organizationName', (credential.issuer && credential.issuer.name) || ''],
      ['issueYear', String(issued.getUTCFullYear())],
      ['issueMonth', String(issued.getUTCMonth() + 1)],
    ];
    if (credential.validUntil) {
      const until = new Date(credential.validUntil);
      params.push(['expirationYear', String(until.getUTCFullYear())], ['expirationMonth', String(until.getUTCMonth() + 1)]);
    }
    const id = String(credential.id || '');
    params.push(['certUrl', id], ['certId', id.replace(/\/+$/, '').split('/').pop()]);
    // Encoded as Python's quote(safe='') does (model/sharing.py makes the same link for mail).
    const encode = (v) => encodeURIComponent(v).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
    return 'https://www.linkedin.com/profile/add?' + params.map(([k, v]) => `${k}=${encode(v)}`).join('&');
  }

  const recipientName = (credential) => {
    const ids = [].concat((credential.credentialSubject || {}).identifier || []);
    const name = ids.find((i) => i && i.identityType === 'name');
    return name ? String(name.identityHash) : '';
  };

  /** Share actions for a credential that verified here: LinkedIn, copy link, an embed snippet. */
  function sharing(credential, report) {
    const holder = document.getElementById('share-actions');
    if (!holder || report.status !== 'verified' || !/^https?:\/\//.test(String(credential.id))) return;
    const page = String(credential.id);
    const copy = el('button', { class: 'cs-button cs-button--quiet cs-copy', type: 'button', text: 'Copy link' });
    copy.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(page);
        copy.textContent = 'Link copied';
      } catch {
        copy.textContent = page;
      }
    });
    holder.replaceChildren(
      el('a', { class: 'cs-button cs-linkedin', href: linkedinUrl(credential), rel: 'noopener', text: 'Add to LinkedIn' }),
      copy);
    // The badge to embed: the credential's badge.png, or on a lean site the achievement's artwork.
    const main = document.querySelector('main[data-share]');
    const art = document.querySelector('img.cs-credential__badge');
    const relative = (main && main.dataset.share) || (art && art.getAttribute('src'));
    const src = relative && new URL(relative, page).href;
    if (!src) return;
    const name = (credential.credentialSubject && credential.credentialSubject.achievement && credential.credentialSubject.achievement.name) || '';
    const issuer = (credential.issuer && credential.issuer.name) || '';
    const attr = (v) => String(v).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    // Written as text (an <img> element would start loading the image here).
    const snippet = `<a href="${attr(page)}"><img src="${attr(src)}" alt="${attr(`${name}, awarded to ${recipientName(credential)} by ${issuer}`)}" width="150" height="150"></a>`;
    const downloads = document.getElementById('downloads');
    if (downloads) {
      downloads.before(el('h2', { id: 'share', text: 'Share' }),
        el('p', { text: 'To show this badge on a website or in an email signature, paste this HTML:' }),
        el('pre', { class: 'cs-snippet' }, el('code', { text: snippet })));
    }
  }

  // -- badge images made here (lean sites publish only the page and the signed JSON) ---------
  let badgeModule = null;
  function loadBadgeModule() {
    badgeModule ||= new Promise((resolve, reject) => {
      if (window.CredstackBadge) return resolve(window.CredstackBadge);
      const tag = el('script', { src: new URL('badge/credstack-badge.js', ROOT + ASSETS).href });
      tag.onload = () => (window.CredstackBadge ? resolve(window.CredstackBadge) : reject(new Error('the badge maker did not load')));
      tag.onerror = () => reject(new Error('the badge maker could not be loaded'));
      document.head.append(tag);
    });
    return badgeModule;
  }

  /** The badge files of this page's credential: { svg, png } (png only when `png`). */
  async function makeBadges(credential, png) {
    const main = document.querySelector('main[data-badge]');
    const [B, data] = await Promise.all([loadBadgeModule(), fetchJson(new URL('badge/badge-data.json', ROOT + ASSETS).href)]);
    return B.makeBadges({ data, credential, style: main.dataset.badge, png });
  }

  function save(bytes, type, name) {
    const url = URL.createObjectURL(new Blob([bytes], { type }));
    const a = el('a', { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  function badgeDownloads(credential) {
    const main = document.querySelector('main[data-badge]');
    const list = document.querySelector('.cs-downloads');
    if (!main || !list || !main.dataset.bake) return;
    const kinds = main.dataset.bake.split(' ');
    for (const kind of kinds) {
      const button = el('button', { class: 'cs-link', type: 'button', 'data-bake': kind, text: `badge.${kind}` });
      const note = kind === 'png'
        ? ': the badge image, the signed credential baked in (made here, in your browser)'
        : ': the same as a vector image (made here, in your browser)';
      button.addEventListener('click', async () => {
        button.disabled = true;
        try {
          const made = await makeBadges(credential, kind === 'png');
          if (kind === 'png') save(made.png, 'image/png', 'badge.png');
          else save(made.svg, 'image/svg+xml', 'badge.svg');
        } catch (error) {
          button.after(el('span', { class: 'cs-muted', role: 'alert', text: ` (${error.message})` }));
        } finally {
          button.disabled = false;
        }
      });
      list.append(el('li', {}, button, document.createTextNode(note)));
    }
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
    // A drop target around an ordinary file input: the input is the one control (keyboard and
    // screen readers use it as they use any file input); dropping a file anywhere here works too.
    const drop = el('div', { class: 'cs-verify__drop' },
      el('p', { id: 'cs-verify-drop-help', text: 'Drop a credential here: credential.json (or .1ob, .jwt), or a badge image (PNG or SVG) with the credential baked in.' }),
      el('label', { for: 'cs-verify-file', text: 'Or choose a file: ' }), input);
    input.setAttribute('aria-describedby', 'cs-verify-drop-help');
    const urlInput = el('input', { type: 'url', id: 'cs-verify-url', name: 'url', placeholder: 'https://…/credentials/…/' });
    const urlForm = el('form', { class: 'cs-verify__url' },
      el('label', { for: 'cs-verify-url', text: 'Or paste a credential link:' }), urlInput, el('button', { class: 'cs-button', type: 'submit', text: 'Check' }));
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
    urlForm.addEventListener('submit', (event) => { event.preventDefault(); check(() => fromUrl(urlInput.value)); });
    const fromQuery = new URLSearchParams(location.search).get('url');
    if (fromQuery) { urlInput.value = fromQuery; check(() => fromUrl(fromQuery)); }
  }

  // -- for the pathway calculator and earner pages (credstack-holders.js) ------------------------
  /** Load a credential from a link (its page, credential.json or a badge) and verify it here. */
  async function verifyLink(link) {
    const input = await fromUrl(link);
    const report = await V.verifyCredential(input, await options({ ownIssuer: undefined }));
    return { credential: V.decodedCredential(input), report };
  }
  window.CredstackPage = { verifyLink };

  /** The certificate print view's QR code, drawn when the view is first shown (the badge
   *  maker's encoder: the same modules as the PDF's); resolves when drawn. */
  let qrDrawn = null;
  function certificateQr() {
    const svg = document.querySelector('svg.cs-certificate__qr[data-qr]');
    if (!svg) return Promise.resolve();
    qrDrawn ||= loadBadgeModule().then((B) => {
      const matrix = B.qrMatrix(svg.dataset.qr);
      svg.setAttribute('viewBox', `0 0 ${matrix.length} ${matrix.length}`);
      const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
      for (const [k, v] of Object.entries({ d: B.qrPath(matrix), fill: 'none', stroke: '#1f2937', 'stroke-width': '1', 'shape-rendering': 'crispEdges' })) path.setAttribute(k, v);
      svg.append(path);
    }).catch(() => {});
    return qrDrawn;
  }

  /** The certificate's Print button (credential pages, #certificate): QR code first. */
  function printButtons() {
    for (const button of document.querySelectorAll('[data-cs-print]')) {
      button.addEventListener('click', async () => {
        await certificateQr();
        window.print();
      });
    }
    if (!document.getElementById('certificate')) return;
    const shown = () => location.hash === '#certificate' && certificateQr();
    window.addEventListener('hashchange', shown);
    window.addEventListener('beforeprint', () => certificateQr());
    shown();
  }

  // -- offline --------------------------------------------------------------------------------
  // The service worker (worker/sw.js) keeps the pages, scripts and styles; the documents the
  // verifier reads (credential, contexts, keys, status lists, log) do not pass through it, so
  // that a visit online is not slowed by it: the page keeps its own copies of this site's, in
  // the worker's cache, once the verdict is shown, and reads them when the network fails. A
  // copy carries the time it was saved (x-credstack-cached-at), as the worker's own do.
  const OFFLINE_CACHE = 'credstack-v1'; // worker/sw.js CACHE
  const fresh = new Map(); // URL -> { bytes, type } fetched from the network on this page
  async function savedCopy(local) {
    if (!local.startsWith(ROOT) || typeof caches === 'undefined') return null;
    try {
      return (await (await caches.open(OFFLINE_CACHE)).match(local)) || null;
    } catch {
      return null; // storage blocked: no copy
    }
  }
  async function keepCopies() {
    if (typeof caches === 'undefined' || !fresh.size) return;
    const kept = [...fresh];
    fresh.clear();
    try {
      const cache = await caches.open(OFFLINE_CACHE);
      const at = new Date().toISOString();
      for (const [url, { bytes, type }] of kept) {
        await cache.put(url, new Response(bytes, { headers: { 'content-type': type, 'x-credstack-cached-at': at } }));
      }
    } catch {
      // storage blocked or full: no offline copy
    }
  }

  function registerServiceWorker() {
    if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
    navigator.serviceWorker.register(new URL('sw.js', ROOT).href, { scope: ROOT }).catch(() => {});
  }
  const whenIdle = (run) => {
    if (typeof window.requestIdleCallback === 'function') window.requestIdleCallback(run, { timeout: 3000 });
    else setTimeout(run, 0);
  };
  /** After each verdict, when the page is idle: the documents read, kept for offline use. */
  function keepWhenIdle() {
    whenIdle(keepCopies);
  }
  /** Once the page has its verdict and is idle, the worker is registered (its first install
   *  loads every file it keeps, which must not compete with the verification). */
  function registerWhenIdle() {
    whenIdle(registerServiceWorker);
  }

  /** For monitors and tests: verify a credential (JSON, or a VC-JWT string) with this page's
   *  settings; `overrides` may set at, now or ownIssuer. Returns the report. */
  window.credstackPage = {
    verify: async (input, overrides) => V.verifyCredential(input, await options(overrides)),
  };

  let waiting = false;
  let ran = false; // a page without Material's instant navigation starts once
  function start() {
    V = window.CredstackVerifier;
    if (!V && document.readyState !== 'complete') {
      // The verifier has not run yet: start once the document is ready (whichever of the two
      // events comes next: this script may run after DOMContentLoaded), or once the verifier
      // this script added has run.
      if (!waiting) {
        waiting = true;
        const once = () => {
          document.removeEventListener('DOMContentLoaded', once);
          window.removeEventListener('load', once);
          start();
        };
        document.addEventListener('DOMContentLoaded', once);
        window.addEventListener('load', once);
      }
      return;
    }
    if (!window.document$) {
      if (ran) return;
      ran = true;
    }
    printButtons();
    if (!V) return;
    const app = document.getElementById('credstack-verify');
    const box = document.getElementById('credential-verification');
    if (app) verifyPage(app);
    else if (box && box.dataset.checked === 'build') {
      box.dataset.credentialUrl ||= 'credential.json'; // (lean pages leave the default out)
      credentialPage(box).finally(registerWhenIdle);
      return;
    }
    registerWhenIdle();
  }
  // A credential page runs this script async, from <head>: the documents the verifier needs
  // start loading at once (the credential, the contexts, keys, status lists and log files the
  // build named), before the page is parsed and while the verifier bundle still loads.
  if (script && script.async && document.querySelector('meta[name="credstack:issuer"]')) {
    fetchRaw(new URL('credential.json', document.baseURI).href).catch(() => {});
    prefetch();
    // Then the verifier, which <head> preloads: run by this script, so that the loads above
    // always start before its bundle is compiled. The page starts when it has run.
    const verifier = document.querySelector('link[rel="preload"][as="script"]');
    if (verifier && !window.CredstackVerifier) {
      const tag = document.createElement('script');
      tag.src = verifier.href;
      tag.addEventListener('load', () => {
        if (document.readyState !== 'loading') start();
      });
      document.head.append(tag);
    }
  }
  // Material's instant navigation swaps pages without reloading scripts: follow it.
  if (window.document$ && typeof window.document$.subscribe === 'function') window.document$.subscribe(start);
  else if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
