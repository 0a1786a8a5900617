// OpenBadgeCredential verification, in the order of OB 3.0 "Verification and Validation":
// format -> proof (signature, issuer key, key valid when signed) -> status -> validity window,
// plus credstack's component check for certifications. The same checks, order and reason codes
// as the Python verifier (credstack/registry/verifier.py); reports follow
// plugins/credstack/model/schemas/verification-report.schema.json.
import { VerificationError, asArray, idOf, parseDateTime } from './codec.js';
import { keyValidCode, namesOwnIssuer, resolveKey } from './keys.js';
import { contextLoader, selectProof, verifyProof } from './proof.js';
import { CODES, complete, decide, result } from './report.js';
import { formatCheck } from './shape.js';
import { isStale, statusBit, statusEntries, verifyStatusList } from './status.js';
import { reportJson } from './wording.js';

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const codeFor = (check, error, fallback) => (error instanceof VerificationError && CODES[check][error.code] ? error.code : fallback);

/**
 * Format, signature and issuer-key checks: the part that does not depend on time (the Python
 * verifier caches it). Returns { checks, created, key }.
 */
async function intrinsicChecks(credential, loader, options) {
  const checks = [formatCheck(credential)];
  if (checks[0].outcome !== 'pass') return { checks };
  let selected;
  try {
    selected = selectProof(credential);
  } catch (error) {
    checks.push(result('signature', codeFor('signature', error, 'malformed-proof'), { detail: error.message }));
    checks.push(result('issuer-key', 'not-checked', { because: 'signature' }));
    return { checks };
  }
  const method = selected.proof.verificationMethod;
  const issuer = credential.issuer.id;
  const notKey = result('signature', 'not-checked', { because: 'key' });
  let key;
  try {
    key = await resolveKey(method, options.fetchJson);
  } catch (error) {
    const code = codeFor('issuer-key', error, 'not-found');
    const params = { method, detail: error.message };
    if (code === 'unresolvable') params.did = String(method).split('#')[0];
    checks.push(notKey, result('issuer-key', code, params));
    return { checks };
  }
  const own = options.ownIssuer;
  if (own && namesOwnIssuer(own, credential) && !(key.source === 'did-document' && key.controller === own.id && own.id === issuer)) {
    checks.push(notKey, result('issuer-key', 'impersonation', { issuer: own.id, name: own.name }));
    return { checks };
  }
  if (key.controller !== issuer) {
    checks.push(notKey, result('issuer-key', 'not-issuer', { controller: key.controller, issuer }));
    return { checks };
  }
  try {
    await verifyProof(credential, selected, key.publicKey, loader);
  } catch (error) {
    if (!(error instanceof VerificationError)) throw error;
    const params = { detail: error.message, ...(error.params || {}) };
    checks.push(result('signature', codeFor('signature', error, 'malformed-proof'), params));
    checks.push(result('issuer-key', 'not-checked', { because: 'signature' }));
    return { checks };
  }
  checks.push(result('signature', 'ok', { suite: selected.proof.cryptosuite, method }));
  checks.push(key.confirmed ? result('issuer-key', 'ok', { method, source: key.source }) : result('issuer-key', 'unconfirmed', { method }));
  return { checks, created: parseDateTime(selected.proof.created), createdText: selected.proof.created, key };
}

/** Verify a status list with the same rules as a credential's proof: signed by the issuer's own key. */
function statusListVerifier(issuer, loader, options) {
  return async (list) => {
    const selected = selectProof(list);
    const key = await resolveKey(selected.proof.verificationMethod, options.fetchJson);
    if (key.controller !== issuer || !key.confirmed) throw new VerificationError('untrusted', "it is not signed with a key of the credential's issuer");
    await verifyProof(list, selected, key.publicKey, loader);
    const created = parseDateTime(selected.proof.created);
    if (key.revoked && created >= key.revoked) throw new VerificationError('untrusted', 'it was signed after its key was retired');
    if (key.created && created < key.created) throw new VerificationError('untrusted', 'it claims to be signed before its key existed');
  };
}

async function statusCheck(credential, loader, options, now) {
  const all = asArray(credential.credentialStatus);
  const unsupported = [...new Set(all.filter((e) => !(isObject(e) && e.type === 'BitstringStatusListEntry')).map((e) => (isObject(e) ? String(e.type) : '?')))].sort();
  const { entries } = statusEntries(credential);
  const relevant = entries.filter((e) => e.statusPurpose === 'revocation' || e.statusPurpose === 'suspension');
  if (!relevant.length) return unsupported.length ? result('status', 'unsupported', { types: unsupported }) : result('status', 'none');
  const issuer = idOf(credential.issuer);
  const verifySecured = statusListVerifier(issuer, loader, options);
  const found = {};
  let problem = null;
  for (const entry of relevant) {
    const url = entry.statusListCredential;
    let verified;
    try {
      verified = await options.verifiedList(url, issuer, verifySecured);
    } catch (error) {
      problem ||= error.code === 'unavailable' ? result('status', 'unavailable', { url }) : result('status', 'untrusted', { url, detail: error.message });
      continue;
    }
    if (verified.purpose !== entry.statusPurpose) {
      problem ||= result('status', 'untrusted', { url, detail: `it is a ${verified.purpose} list` });
      continue;
    }
    if (isStale(verified, now)) {
      problem ||= result('status', 'stale', { url, until: verified.validUntil ?? null });
      continue;
    }
    try {
      found[entry.statusPurpose] ||= Boolean(statusBit(verified.bitstring, Number(entry.statusListIndex)));
    } catch (error) {
      problem ||= result('status', 'untrusted', { url, detail: error.message });
    }
  }
  for (const [purpose, code] of [['revocation', 'revoked'], ['suspension', 'suspended']]) {
    if (!found[purpose]) continue;
    const details = (await statusDetails(options, { credential, purpose })) || {};
    const params = {};
    if (details.date) params.date = details.date;
    if (details.reason) params.reason = details.reason;
    return result('status', code, params);
  }
  if (problem) return problem;
  if (unsupported.length) return result('status', 'unsupported', { types: unsupported });
  return result('status', 'ok');
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

function validityCheck(credential, at) {
  const params = { from: credential.validFrom };
  if (credential.validUntil !== undefined) params.until = credential.validUntil;
  if (at < parseDateTime(credential.validFrom)) return result('validity', 'not-yet-valid', params);
  if (credential.validUntil !== undefined && at >= parseDateTime(credential.validUntil)) return result('validity', 'expired', params);
  return result('validity', 'ok', params);
}

/** Default mapping from an evidence entry to its component credential's JSON URL. */
function defaultComponentUrl(evidence) {
  if (/\.json$/.test(evidence.id)) return evidence.id;
  return /^https?:\/\//.test(evidence.id) ? evidence.id.replace(/\/?$/, '/') + 'credential.json' : null;
}

async function componentsCheck(credential, options, isComponent) {
  const achievement = credential.credentialSubject.achievement;
  if (isComponent || achievement.achievementType !== 'Certification') return result('components', 'not-applicable');
  const componentUrl = options.componentUrl || defaultComponentUrl;
  const components = asArray(credential.evidence)
    .filter((e) => isObject(e) && typeof e.id === 'string')
    .map((evidence) => ({ evidence, url: componentUrl(evidence) }))
    .filter((c) => c.url);
  const results = await Promise.all(
    components.map(async ({ evidence, url }) => {
      let component;
      try {
        component = await options.fetchJson(url, { purpose: 'component' });
      } catch {
        return null; // not published: not counted (as the CLI, which finds it in the registry or not)
      }
      const report = await run(component, options, true);
      return { name: evidence.name || evidence.id, status: decide(report).status };
    }),
  );
  const found = results.filter(Boolean);
  if (!found.length) return result('components', 'none-found');
  const bad = found.filter((r) => r.status !== 'verified');
  if (bad.length) return result('components', 'not-in-force', { count: found.length, items: bad });
  return result('components', 'ok', { count: found.length });
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

/** Status lists verified once per verification (or through the page's `verifiedList` hook). */
function listVerifier(options) {
  const verified = new Map();
  return (url, issuer, verifySecured) => {
    const memo = `${url}\u0000${issuer}`;
    if (!verified.has(memo)) {
      verified.set(memo, (async () => {
        if (typeof options.fetchJson !== 'function') throw new VerificationError('unavailable', 'no fetchJson was given to load the status list');
        let list;
        try {
          list = await options.fetchJson(url, { purpose: 'status' });
        } catch (error) {
          throw new VerificationError('unavailable', `the status list ${url} could not be loaded (${error && error.message})`);
        }
        return verifyStatusList(list, url, issuer, verifySecured);
      })());
    }
    return verified.get(memo);
  };
}

async function run(credential, options, isComponent) {
  let checks;
  try {
    const now = options.now === undefined ? new Date() : new Date(options.now);
    const at = options.at === undefined ? now : new Date(options.at);
    if (Number.isNaN(now.getTime()) || Number.isNaN(at.getTime())) throw new TypeError('options.now / options.at is not a date');
    const loader = contextLoader(options.contexts);
    const intrinsic = await intrinsicChecks(credential, loader, options);
    checks = intrinsic.checks;
    if (checks.length < 3 || checks.some((c) => c.outcome !== 'pass' && c.outcome !== 'warn')) {
      const because = checks[0].outcome !== 'pass' ? 'format' : checks[1].code === 'not-checked' ? 'key' : 'signature';
      return complete(checks, because);
    }
    const keyValid = keyValidCode(intrinsic.key, intrinsic.created, now);
    const params = { created: intrinsic.createdText };
    if (keyValid === 'retired') params.retired = intrinsic.key.revoked.toISOString();
    if (keyValid === 'before-key') params.keyCreated = intrinsic.key.created.toISOString();
    checks.push(result('key-valid', keyValid, params));
    if (keyValid !== 'ok') return complete(checks, 'key-valid');
    checks.push(await statusCheck(credential, loader, options, now));
    checks.push(validityCheck(credential, at));
    checks.push(await componentsCheck(credential, options, isComponent));
    return checks;
  } catch (error) {
    // A fault of the verifier or its options, not a verdict on the credential: error.
    return complete([result('format', 'not-checked', { because: 'error', detail: String(error && error.message) })], 'error');
  }
}

/**
 * Verify an OpenBadgeCredential. Never throws: returns the report
 * { reportVersion, id, status, reason, verdict, ok, checks: [{ id, outcome, code, params, label, message }] }
 * with status 'verified' | 'expired' | 'revoked' | 'suspended' | 'invalid' | 'error'.
 * Options: contexts (URL -> JSON-LD context, required), fetchJson(url), now, at, ownIssuer
 * ({ id, site, name }: refuse credentials impersonating it), statusDetails, componentUrl,
 * verifiedList (url, issuer, verifySecured) -> verified list (shared across verifications).
 */
export async function verifyCredential(credential, options = {}) {
  if (!isObject(options.contexts)) {
    const checks = complete([result('format', 'not-checked', { because: 'error', detail: 'options.contexts (URL -> JSON-LD context) is required' })], 'error');
    return reportJson(checks, isObject(credential) && typeof credential.id === 'string' ? credential.id : null);
  }
  const shared = { ...options, fetchJson: memoize(options.fetchJson) };
  shared.verifiedList = options.verifiedList || listVerifier(shared);
  const checks = await run(credential, shared, false);
  return reportJson(checks, isObject(credential) && typeof credential.id === 'string' ? credential.id : null);
}

/**
 * Verify only a Data Integrity eddsa-rdfc-2022 proof (no Open Badges rules, no issuer binding),
 * e.g. for the W3C test vectors. Returns { verified, code, message }.
 */
export async function verifyDataIntegrityProof(document, options = {}) {
  try {
    const selected = selectProof(document);
    const key = await resolveKey(selected.proof.verificationMethod, options.fetchJson);
    await verifyProof(document, selected, key.publicKey, contextLoader(options.contexts));
    return { verified: true, code: 'ok', message: `valid ${selected.proof.cryptosuite} signature by ${selected.proof.verificationMethod}` };
  } catch (error) {
    return { verified: false, code: error.code, message: error.message };
  }
}
