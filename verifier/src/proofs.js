// The proofs of a credential, judged: the signature, issuer-key and key-valid checks. The
// in-browser twin of plugins/credstack/registry/proofcheck.py (same rules, same codes):
//  * every proof of a supported suite must verify with a key of the issuer; the worst proof
//    decides (a failure before an error before a warning, then document order);
//  * proofs of unsupported suites are listed (params.unsupported), never a pass on their own;
//  * params.proofs lists each proof: { suite, method, check, code }.
import { CODES, result } from './report.js';
import { issuerId } from './shape.js';
import { namesOwnIssuer, standing } from './keys.js';

const FUTURE_SKEW_MS = 5 * 60 * 1000;
/** To the second, as the Python verifier keeps dates. */
const seconds = (date) => (date ? new Date(Math.floor(date.getTime() / 1000) * 1000) : null);

/** The key of `method` if it may sign `doc`, else the issuer-key failure (proofcheck.bind_key). */
export function bindKey(method, doc, own) {
  const issuer = issuerId(doc);
  let key;
  try {
    key = standing(method);
  } catch (error) {
    return result('issuer-key', error.code || 'not-found', { method: method.id, detail: error.message });
  }
  if (own && namesOwnIssuer(own, doc) && !(key.source === 'did-document' && key.controller === own.id && own.id === issuer)) {
    return result('issuer-key', 'impersonation', { issuer: own.id, name: own.name });
  }
  if (key.controller !== null && key.controller !== undefined && key.controller !== issuer) {
    return result('issuer-key', 'not-issuer', { controller: key.controller, issuer });
  }
  return { key };
}

/** One judged proof (proofcheck.ProofReport): { suite, method, check, code, params, created, ... }. */
export function judge(outcome, doc, own) {
  const base = { suite: outcome.suite, method: outcome.verificationMethod };
  const detail = { detail: (outcome.params && outcome.params.detail) || '' };
  if (outcome.check === 'issuer-key') {
    const params = { method: outcome.verificationMethod, ...detail };
    if (outcome.code === 'unresolvable' && outcome.verificationMethod) params.did = outcome.verificationMethod.split('#')[0];
    return { ...base, check: 'issuer-key', code: outcome.code, params };
  }
  if (outcome.method) {
    const bound = bindKey(outcome.method, doc, own);
    if (!bound.key) return { ...base, check: 'issuer-key', code: bound.code, params: bound.params };
    if (outcome.ok) {
      const { key } = bound;
      return {
        ...base, check: 'signature', code: 'ok', params: {}, created: outcome.created,
        retired: seconds(key.revoked), keyCreated: seconds(key.created), key: key.fingerprint, source: key.source, confirmed: key.confirmed,
      };
    }
  }
  const params = {};
  for (const name of ['detail', 'url', 'claim', 'alg']) if (outcome.params && outcome.params[name] !== undefined) params[name] = outcome.params[name];
  return { ...base, check: 'signature', code: outcome.code, params };
}

const supported = (p) => !(p.check === 'signature' && p.code === 'unsupported-suite');
const outcomeOf = (p) => (p.check === 'signature' && p.code === 'ok' && !p.confirmed ? 'warn' : CODES[p.check][p.code]);
const RANK = { fail: 0, error: 1, warn: 2 };
const rank = (p) => (RANK[outcomeOf(p)] ?? 3);

/** The signature and issuer-key checks of a credential's judged proofs. */
export function proofChecks(proofs) {
  const listed = proofs.map((p) => ({ suite: p.suite, method: p.method, check: p.check, code: p.code }));
  const checked = proofs.filter(supported);
  const unsupported = proofs.filter((p) => !supported(p)).map((p) => p.suite);
  if (!checked.length) {
    return [
      result('signature', 'unsupported-suite', { suite: unsupported.join(', '), detail: proofs[0].params.detail || '', proofs: listed }),
      result('issuer-key', 'not-checked', { because: 'signature' }),
    ];
  }
  const deciding = checked.reduce((best, p) => (rank(p) < rank(best) ? p : best));
  const extra = { proofs: listed };
  if (unsupported.length) extra.unsupported = unsupported;
  if (deciding.check === 'issuer-key') return [result('signature', 'not-checked', { because: 'key' }), result('issuer-key', deciding.code, deciding.params)];
  if (deciding.code !== 'ok') {
    return [result('signature', deciding.code, { ...deciding.params, suite: deciding.suite, ...extra }), result('issuer-key', 'not-checked', { because: 'signature' })];
  }
  return [
    result('signature', 'ok', { suite: deciding.suite, method: deciding.method, ...extra }),
    result('issuer-key', deciding.confirmed ? 'ok' : 'unconfirmed', { method: deciding.method, source: deciding.source }),
  ];
}

function keyValid(proof, now) {
  const params = { created: proof.created };
  if (proof.created === null || proof.created === undefined) return result('key-valid', proof.retired || proof.keyCreated ? 'undated' : 'ok', params);
  const created = new Date(proof.created);
  if (created - now > FUTURE_SKEW_MS) return result('key-valid', 'future', params);
  if (proof.keyCreated && created < proof.keyCreated) return result('key-valid', 'before-key', { ...params, keyCreated: proof.keyCreated.toISOString().replace(/\.000Z$/, 'Z') });
  if (proof.retired && created >= proof.retired) return result('key-valid', 'retired', { ...params, retired: proof.retired.toISOString().replace(/\.000Z$/, 'Z') });
  return result('key-valid', 'ok', params);
}

/** Was each verified proof's key valid when the proof says it signed? The first failure decides. */
export function keyValidCheck(proofs, now) {
  const results = proofs.filter((p) => supported(p) && p.code === 'ok').map((p) => keyValid(p, now));
  return results.find((r) => r.code !== 'ok') || results[0];
}
