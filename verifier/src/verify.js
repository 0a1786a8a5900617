// OpenBadgeCredential verification, in the order of OB 3.0 "Verification and Validation":
// format -> proof -> status -> validity window; plus credstack's component check for certifications.
import { VerificationError, asArray, day, idOf, parseDateTime } from './codec.js';
import { issuerKeyCheck, keyValidCheck, resolveKey } from './keys.js';
import { contextLoader, selectProof, verifyProof } from './proof.js';
import { readStatus, statusEntries } from './status.js';

// Check ids and order are shared with the Python CLI (`credstack verify`).
const LABELS = {
  format: 'Format',
  signature: 'Signature',
  'issuer-key': 'Issuer key',
  'key-valid': 'Key valid when signed',
  status: 'Revocation status',
  validity: 'Validity period',
  components: 'Component credentials',
};

// A failure of one of these makes the credential invalid (validity only when not yet valid).
const INVALIDATING = ['format', 'signature', 'issuer-key', 'key-valid', 'validity'];
const VC_V2 = 'https://www.w3.org/ns/credentials/v2';
const OB_CONTEXT = /^https:\/\/purl\.imsglobal\.org\/spec\/ob\/v3p0\/context(-3\.0\.\d+)?\.json$/;
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The reasons `credential` is not an OpenBadgeCredential (OB 3.0 data model; VC 2.0 §4). */
function formatProblems(credential) {
  if (!isObject(credential)) return ['it is not a JSON object'];
  const problems = [];
  const context = asArray(credential['@context']);
  if (context[0] !== VC_V2) problems.push(`@context must start with ${VC_V2}`);
  if (!OB_CONTEXT.test(context[1])) problems.push('the second @context must be an Open Badges 3.0 context');
  const types = asArray(credential.type);
  if (!types.includes('VerifiableCredential')) problems.push('type lacks VerifiableCredential');
  if (!types.includes('OpenBadgeCredential') && !types.includes('AchievementCredential')) problems.push('type lacks OpenBadgeCredential');
  if (!isObject(credential.issuer) || typeof credential.issuer.id !== 'string') problems.push('issuer must be a Profile with an id');
  if (!parseDateTime(credential.validFrom)) problems.push('validFrom is missing or not a date-time with timezone');
  if (credential.validUntil !== undefined && !parseDateTime(credential.validUntil)) problems.push('validUntil is not a date-time with timezone');
  const subject = isObject(credential.credentialSubject) ? credential.credentialSubject : {};
  if (!isObject(subject.achievement)) problems.push('credentialSubject.achievement is missing');
  // OB 3.0 "OpenBadgeCredential Verification" step 1: the subject has an id and/or an identifier.
  if (subject.id === undefined && !asArray(subject.identifier).length) problems.push('credentialSubject has neither id nor identifier');
  if (!asArray(credential.proof).length) problems.push('it has no proof');
  return problems;
}

/**
 * Verify a secured document's proof and that the signing key was the issuer's and valid then.
 * Returns { proof, key, issuerKey, keyValid }; throws VerificationError when the proof does not
 * verify (code 'fetch' when the issuer's key could not be loaded).
 */
async function examineProof(document, issuerId, loader, options, now) {
  const selected = selectProof(document);
  const key = await resolveKey(selected.proof.verificationMethod, options.fetchJson);
  await verifyProof(document, selected, key.publicKey, loader);
  return { proof: selected.proof, key, issuerKey: issuerKeyCheck(key, issuerId), keyValid: keyValidCheck(key, selected.proof, now) };
}

/** The status list credential must be signed by the credential's issuer with a key valid then. */
function statusListVerifier(issuerId, loader, options, now) {
  return async (list) => {
    const listIssuer = idOf(list.issuer);
    if (listIssuer !== issuerId) throw new VerificationError('format', `the status list was issued by ${listIssuer}, not by the credential's issuer`);
    let examined;
    try {
      examined = await examineProof(list, listIssuer, loader, options, now);
    } catch (error) {
      throw new VerificationError('format', `the status list's signature does not verify: ${error.message}`);
    }
    for (const check of [examined.issuerKey, examined.keyValid]) {
      if (check.outcome === 'fail') throw new VerificationError('format', `the status list's key: ${check.message}`);
    }
  };
}

async function statusCheck(credential, issuerId, loader, options, now) {
  const { entries, unsupported } = statusEntries(credential);
  if (!entries.length && !unsupported.length) return { outcome: 'skip', message: 'the credential carries no status information' };
  const problems = unsupported.map((type) => `status type ${type} is not supported`);
  const found = { revocation: null, suspension: null };
  const verifySecured = statusListVerifier(issuerId, loader, options, now);
  // Purposes 'message' and 'refresh' say nothing about validity.
  const relevant = entries.filter((e) => e.statusPurpose === 'revocation' || e.statusPurpose === 'suspension');
  if (!relevant.length && !unsupported.length) return { outcome: 'skip', message: 'the credential carries no revocation or suspension status' };
  let untrusted = false;
  for (const entry of relevant) {
    try {
      const { set, list } = await readStatus(entry, { fetchJson: options.fetchJson, now, verifySecured, statusListCache: options.statusListCache, issuerId });
      if (set) found[entry.statusPurpose] = { entry, list };
    } catch (error) {
      // An implied companion list that is not published is no problem; a published list
      // that does not verify is (like the Python verifier: fail, not skip).
      if (entry.implied && error.code === 'fetch') continue;
      if (error.code !== 'fetch') untrusted = true;
      problems.push(error.message);
    }
  }
  for (const [purpose, word] of [['revocation', 'Revoked'], ['suspension', 'Suspended']]) {
    if (!found[purpose]) continue;
    const { date, reason } = await statusDetails(options, { credential, purpose, ...found[purpose] });
    const sentence = `${word} by the issuer${date ? ` on ${day(date)}` : ''}${reason ? `: ${reason}` : ''}`;
    return { outcome: 'fail', message: sentence, status: word.toLowerCase(), sentence };
  }
  if (problems.length) {
    return { outcome: untrusted ? 'fail' : 'skip', message: `revocation status could not be checked: ${problems.join('; ')}`, unknown: true };
  }
  return { outcome: 'pass', message: `not revoked or suspended according to the issuer's status list` };
}

/** Optional page hook for the verdict's date and reason; the status list itself carries neither. */
async function statusDetails(options, info) {
  if (typeof options.statusDetails !== 'function') return {};
  try {
    return (await options.statusDetails(info)) || {};
  } catch {
    return {};
  }
}

function validityCheck(credential, now) {
  const from = parseDateTime(credential.validFrom);
  const until = credential.validUntil === undefined ? null : parseDateTime(credential.validUntil);
  if (!from || (credential.validUntil !== undefined && !until)) return { outcome: 'fail', message: 'the validity dates cannot be read' };
  // VC 2.0 §4.9: valid from validFrom, until validUntil.
  if (now < from) return { outcome: 'fail', message: `not valid before ${day(credential.validFrom)}`, notYet: true };
  if (until && now >= until) return { outcome: 'fail', message: `expired on ${day(credential.validUntil)}`, expired: true };
  return {
    outcome: 'pass',
    message: until ? `valid from ${day(credential.validFrom)} until ${day(credential.validUntil)}` : `valid since ${day(credential.validFrom)}, no end date`,
  };
}

/** Default mapping from an evidence entry to its component credential's JSON URL. */
function defaultComponentUrl(evidence) {
  if (/\.json$/.test(evidence.id)) return evidence.id;
  return /^https?:\/\//.test(evidence.id) ? evidence.id.replace(/\/?$/, '/') + 'credential.json' : null;
}

async function componentsCheck(credential, options) {
  const achievement = credential.credentialSubject && credential.credentialSubject.achievement;
  if (!achievement || achievement.achievementType !== 'Certification') return { outcome: 'skip', message: 'not a certification' };
  const componentUrl = options.componentUrl || defaultComponentUrl;
  const components = asArray(credential.evidence)
    .filter((e) => isObject(e) && typeof e.id === 'string')
    .map((evidence) => ({ evidence, url: componentUrl(evidence) }))
    .filter((c) => c.url);
  if (!components.length) return { outcome: 'skip', message: 'the certification lists no component credentials' };
  const results = await Promise.all(
    components.map(async ({ evidence, url }) => {
      const name = evidence.name || evidence.id;
      let component;
      try {
        component = await options.fetchJson(url, { purpose: 'component' });
      } catch (error) {
        return { name, status: 'error', verdict: `could not be loaded (${error && error.message})` };
      }
      const report = await verify(component, options, true);
      return { name, status: report.status, verdict: report.verdict };
    }),
  );
  const bad = results.filter((r) => r.status !== 'verified');
  if (!bad.length) return { outcome: 'pass', message: `all ${results.length} component credentials verified` };
  return {
    outcome: 'warn',
    message: `${results.length - bad.length} of ${results.length} component credentials verified; ${bad.map((b) => `"${b.name}": ${b.verdict}`).join('; ')}`,
  };
}

/** One load per URL per verification: the DID document serves the credential, lists and components. */
function memoize(fetchJson) {
  if (typeof fetchJson !== 'function') return fetchJson;
  const loaded = new Map();
  return (url, info) => {
    if (!loaded.has(url)) loaded.set(url, fetchJson(url, info));
    return loaded.get(url);
  };
}

function verdictFor(status, checks, notes) {
  const message = (id) => checks.find((c) => c.id === id).message;
  switch (status) {
    case 'verified':
      return `Verified${notes.unconfirmedKey ? ', but the signing key is not confirmed by the issuer' : ''}`;
    case 'expired':
      return `Verified, but ${message('validity')}`;
    case 'revoked':
    case 'suspended':
      return notes.statusSentence;
    case 'error':
      // A status that cannot be checked is never shown as valid (same sentence as the CLI).
      if (notes.statusUnknown) return `Signature verified, but ${message('status')}`;
      return `Could not be verified: ${notes.error}`;
    default: {
      const failed = checks.find((c) => c.outcome === 'fail' && INVALIDATING.includes(c.id));
      const prefix = { format: 'this is not a valid Open Badges 3.0 credential (', 'issuer-key': 'the signing key is not the issuer\'s (', 'key-valid': 'the key was not valid when it signed (' }[failed.id];
      return `Not verified: ${prefix ? `${prefix}${failed.message})` : failed.message}`;
    }
  }
}

async function verify(credential, options, isComponent) {
  const checks = Object.keys(LABELS).map((id) => ({ id, label: LABELS[id], outcome: 'skip', message: 'not checked' }));
  const set = (id, { outcome, message }) => Object.assign(checks.find((c) => c.id === id), { outcome, message });
  const skipFrom = (from, message) => checks.slice(checks.findIndex((c) => c.id === from)).forEach((c) => set(c.id, { outcome: 'skip', message }));
  const outcome = (id) => checks.find((c) => c.id === id).outcome;
  const notes = {};
  let status;
  try {
    if (!isObject(options.contexts)) throw new TypeError('options.contexts (URL -> JSON-LD context) is required');
    const now = options.now === undefined ? new Date() : new Date(options.now);
    if (Number.isNaN(now.getTime())) throw new TypeError('options.now is not a date');
    if (!isComponent) options = { ...options, fetchJson: memoize(options.fetchJson) };
    const loader = contextLoader(options.contexts);

    const problems = formatProblems(credential);
    set('format', problems.length ? { outcome: 'fail', message: problems.join('; ') } : { outcome: 'pass', message: 'an OpenBadgeCredential with the VC 2.0 and OB 3.0 contexts' });
    if (!isObject(credential)) {
      skipFrom('signature', 'not checked: not a credential');
      return { status: 'invalid', verdict: verdictFor('invalid', checks, notes), checks };
    }
    const issuerId = idOf(credential.issuer);

    let examined;
    try {
      examined = await examineProof(credential, issuerId, loader, options, now);
    } catch (error) {
      if (!(error instanceof VerificationError)) throw error;
      if (error.code === 'fetch') {
        // Same report as the CLI: the key is the failure, the signature could not be checked.
        set('signature', { outcome: 'skip', message: 'not checked: the issuer\'s key is unknown' });
        set('issuer-key', { outcome: 'fail', message: error.message });
        skipFrom('key-valid', 'not checked: the signature could not be checked');
        notes.error = error.message;
        return { status: 'error', verdict: verdictFor('error', checks, notes), checks };
      }
      // A bad signature hides every other claim.
      set('signature', { outcome: 'fail', message: error.message });
      skipFrom('issuer-key', 'not checked: signature invalid');
      return { status: 'invalid', verdict: verdictFor('invalid', checks, notes), checks };
    }
    set('signature', { outcome: 'pass', message: `valid ${examined.proof.cryptosuite} signature by ${examined.proof.verificationMethod}` });
    set('issuer-key', examined.issuerKey);
    set('key-valid', examined.keyValid);
    const statusResult = await statusCheck(credential, issuerId, loader, options, now);
    set('status', statusResult);
    const validity = validityCheck(credential, now);
    set('validity', validity);
    set('components', isComponent ? { outcome: 'skip', message: 'not checked for a component credential' } : await componentsCheck(credential, options));

    notes.unconfirmedKey = examined.issuerKey.outcome === 'warn';
    notes.statusUnknown = Boolean(statusResult.unknown);
    notes.statusSentence = statusResult.sentence;
    // Priority: invalid > revoked > suspended > expired > verified.
    if (INVALIDATING.slice(0, 4).some((id) => outcome(id) === 'fail') || validity.notYet) status = 'invalid';
    else if (statusResult.status) status = statusResult.status;
    else if (notes.statusUnknown) status = 'error';
    else status = validity.expired ? 'expired' : 'verified';
  } catch (error) {
    status = 'error';
    notes.error = `unexpected error (${error && error.message})`;
    checks.filter((c) => c.message === 'not checked').forEach((c) => set(c.id, { outcome: 'skip', message: 'not checked: verification stopped by an error' }));
  }
  return { status, verdict: verdictFor(status, checks, notes), checks };
}

/**
 * Verify an OpenBadgeCredential. Never throws: returns { status, verdict, checks } with status
 * 'verified' | 'expired' | 'revoked' | 'suspended' | 'invalid' | 'error'.
 */
export function verifyCredential(credential, options = {}) {
  return verify(credential, options, false);
}

/**
 * Verify only a Data Integrity eddsa-rdfc-2022 proof (no Open Badges rules, no issuer binding),
 * e.g. for the W3C test vectors. Returns { verified, message }.
 */
export async function verifyDataIntegrityProof(document, options = {}) {
  try {
    const selected = selectProof(document);
    const key = await resolveKey(selected.proof.verificationMethod, options.fetchJson);
    await verifyProof(document, selected, key.publicKey, contextLoader(options.contexts));
    return { verified: true, message: `valid ${selected.proof.cryptosuite} signature by ${selected.proof.verificationMethod}` };
  } catch (error) {
    return { verified: false, message: error.message };
  }
}
