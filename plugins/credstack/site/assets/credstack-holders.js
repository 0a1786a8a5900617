// credstack pathway calculator and earner pages (issue 16).
// The calculator only looks prices up: every quote comes from the site build
// (credstack.model.pricing.quote, the same function as `credstack map`), embedded in the page
// as JSON data, one per combination of holdings. A pasted credential link is verified here
// with the in-browser verifier (window.CredstackPage.verifyLink) before anything is ticked.
// Everything is written with textContent; only http(s) links become links.
(() => {
  'use strict';

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
  const httpUrl = (value) => (typeof value === 'string' && /^https?:\/\/[^\s]+$/i.test(value) ? value : null);

  // -- the calculator ----------------------------------------------------------------------------
  function calculator(root) {
    if (root.dataset.state === 'ready') return;
    const data = JSON.parse(document.getElementById('cs-calculator-data').textContent);
    const boxes = [...root.querySelectorAll('input[name="held"]')];
    const field = (name) => root.querySelector(`[data-field="${name}"]`);
    const status = root.querySelector('.cs-calculator__status');

    function mask() {
      return boxes.reduce((m, box) => (box.checked ? m | (1 << Number(box.value)) : m), 0);
    }

    function show() {
      const m = mask();
      const q = data.quotes[m];
      root.dataset.mask = String(m);
      field('total').textContent = q.total;
      field('micro').textContent = q.micro;
      field('fee').textContent = q.fee;
      field('credit').textContent = q.credit;
      field('hours').textContent = q.hours;
      field('bundle').textContent = data.bundle;
      field('bundle-note').textContent = q.bundleCheaper ? 'the bundle costs less' : '';
      const take = q.take.map((i) => data.members[i]);
      field('take').textContent = take.length ? take.map((a) => a.name).join(', ') : 'nothing but the certification';
      const next = field('next');
      next.replaceChildren();
      const first = take.length ? take[0] : null;
      const enrolUrl = httpUrl(first ? first.enrol : null);
      if (first) {
        next.append(document.createTextNode(`Next step: ${first.name}. `));
        if (enrolUrl) next.append(el('a', { class: 'md-button md-button--primary cs-enrol', href: enrolUrl, rel: 'noopener', text: `Enrol: ${first.name}` }));
      } else {
        next.append(document.createTextNode(`Next step: the capstone of ${data.certification.name}.`));
      }
    }

    async function tickFromLink(link) {
      status.dataset.state = 'checking';
      status.textContent = 'Checking the credential in your browser…';
      let result;
      try {
        if (!window.CredstackPage) throw new Error('the verifier did not load');
        result = await window.CredstackPage.verifyLink(link);
      } catch (error) {
        status.dataset.state = 'error';
        status.textContent = `Not ticked: ${error.message}`;
        return;
      }
      const { credential, report } = result;
      const issuer = credential && credential.issuer && (credential.issuer.id || credential.issuer);
      const achievement = credential && credential.credentialSubject && credential.credentialSubject.achievement;
      const url = achievement && achievement.id;
      if (report.status !== 'verified') {
        status.dataset.state = 'refused';
        status.textContent = `Not ticked: ${report.verdict}`;
        return;
      }
      if (issuer !== data.issuer) {
        status.dataset.state = 'refused';
        status.textContent = 'Not ticked: this credential is from another issuer.';
        return;
      }
      if (url === data.certification.achievement) {
        status.dataset.state = 'certified';
        status.textContent = `Verified: you hold ${data.certification.name}. Nothing is left to pay on this pathway.`;
        return;
      }
      const index = data.members.findIndex((a) => a.achievement === url);
      if (index < 0) {
        status.dataset.state = 'refused';
        status.textContent = `Verified, but ${(achievement && achievement.name) || 'this credential'} is not on this pathway.`;
        return;
      }
      boxes[index].checked = true;
      show();
      status.dataset.state = 'ticked';
      status.textContent = `Verified: ${data.members[index].name}. Ticked.`;
    }

    for (const box of boxes) box.addEventListener('change', show);
    const form = root.querySelector('#cs-calculator-link');
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const link = form.querySelector('input[name="url"]').value.trim();
      if (link) tickFromLink(link);
    });
    show();
    root.dataset.state = 'ready';
  }

  // -- earner pages: each credential's status, checked again here -------------------------------
  const WORDS = {
    verified: 'Verified just now in your browser',
    expired: 'Expired',
    revoked: 'Revoked',
    suspended: 'Suspended',
    invalid: 'Not verified',
    error: 'Could not be checked',
  };
  const ICONS = { verified: '✓', expired: '!', revoked: '✗', suspended: '!', invalid: '✗', error: '?' };

  async function live(node) {
    if (node.dataset.status !== 'checking') return;
    let report;
    try {
      if (!window.CredstackPage) throw new Error('the verifier did not load');
      report = (await window.CredstackPage.verifyLink(node.dataset.csLive)).report;
    } catch (error) {
      report = { status: 'error', verdict: `Could not be verified: ${error.message}` };
    }
    node.dataset.status = report.status;
    node.className = `cs-live cs-live--${report.status === 'verified' ? 'active' : report.status}`;
    node.replaceChildren(
      el('span', { class: 'cs-live__icon', 'aria-hidden': 'true', text: ICONS[report.status] || '?' }),
      document.createTextNode(' '),
      el('span', { class: 'cs-live__text', text: report.status === 'verified' ? WORDS.verified : report.verdict || WORDS[report.status] }),
    );
  }

  function start() {
    const root = document.getElementById('cs-calculator');
    if (root) calculator(root);
    for (const node of document.querySelectorAll('[data-cs-live]')) live(node);
  }
  if (window.document$ && typeof window.document$.subscribe === 'function') window.document$.subscribe(start);
  else if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
