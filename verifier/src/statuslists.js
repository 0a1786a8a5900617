// The status check: status lists verified, and the rule on who may issue them. The in-browser
// twin of plugins/credstack/registry/statuscheck.py (its docstring states the rule):
//  * this site's own credentials: the list is issued by the credential's issuer, signed with a
//    key of its DID document, has the id of its URL and at least 131,072 bits, else untrusted;
//  * other issuers: the list must verify; it is confirmed when its issuer is the credential's
//    (with a confirmed key) or it is signed with a key that also signed the credential; a bit
//    from any verified list counts, "not revoked" from an unconfirmed one is a warning.
import { asArray, parseDateTime } from './codec.js';
import { MIN_BITS, REVOCATION_LIST_TYPE, STATUS_TYPES, StatusError, bitAt, decodeEncodedList, revokedIn1EdTechList } from './lists.js';
import { judge } from './proofs.js';
import { result } from './report.js';
import { issuerId, sizeProblem } from './shape.js';

export const VALIDITY_PURPOSES = ['revocation', 'suspension'];
const LIST_TYPES = Object.fromEntries(Object.values(STATUS_TYPES));
const SKEW_MS = 5 * 60 * 1000;
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const untrusted = (detail) => ({ code: 'untrusted', detail });

/**
 * Verify a status list credential (JSON, or a VC-JWT string): type, proofs, subject, dates.
 * `proofs` is { verifyProofs(doc) -> outcomes, verifyJwt(token) -> {credential, outcome} }.
 * Returns { code: 'ok', purposes, validFrom, validUntil, encoded, kind, credentialType, listId,
 * issuer, keys, confirmed } or { code: 'untrusted', detail }. Throws only NeedSuites.
 */
export async function verifyList(doc, proofs) {
  const tooLarge = isObject(doc) ? sizeProblem(doc) : null;
  if (tooLarge) return untrusted(tooLarge);
  let judged;
  if (typeof doc === 'string') {
    const { credential, outcome } = await proofs.verifyJwt(doc);
    if (!credential) return untrusted(outcome.params.detail || 'not a VC-JWT');
    judged = [judge(outcome, credential, null)];
    doc = credential;
  } else if (isObject(doc)) {
    judged = (await proofs.verifyProofs(doc)).map((o) => judge(o, doc, null));
  } else {
    return untrusted('not a JSON object');
  }
  const types = asArray(doc.type);
  const credentialType = Object.keys(LIST_TYPES).find((t) => types.includes(t));
  if (!credentialType) return untrusted('it is not a status list credential');
  const issuer = issuerId(doc);
  if (issuer === null) return untrusted('it has no issuer');
  const supported = judged.filter((p) => !(p.check === 'signature' && p.code === 'unsupported-suite'));
  if (!supported.length) return untrusted('it is not signed with a suite credstack verifies');
  const bad = supported.find((p) => p.code !== 'ok');
  if (bad) return untrusted(`its proof does not verify (${bad.code}: ${bad.params.detail || ''})`);
  for (const proof of supported) {
    if (!proof.created) continue;
    const created = new Date(proof.created);
    if (proof.retired && created >= proof.retired) return untrusted('it was signed after its key was retired');
    if (proof.keyCreated && created < proof.keyCreated) return untrusted('it claims to be signed before its key existed');
  }
  let subject = doc.credentialSubject;
  if (Array.isArray(subject) && subject.length === 1) [subject] = subject;
  const kind = LIST_TYPES[credentialType];
  if (!isObject(subject) || !asArray(subject.type).includes(kind)) return untrusted(`its subject is not a ${kind}`);
  const purposes = asArray(subject.statusPurpose).filter((p) => typeof p === 'string');
  if (!purposes.length) return untrusted('it has no statusPurpose');
  if (typeof subject.encodedList !== 'string') return untrusted('it has no encodedList');
  const dates = {};
  for (const [name, fallback] of [['validFrom', 'issuanceDate'], ['validUntil', 'expirationDate']]) {
    const value = name in doc ? doc[name] : doc[fallback];
    if (value !== undefined && value !== null && !parseDateTime(value)) return untrusted(`${value} is not a date-time with a time zone`);
    dates[name] = value ?? null;
  }
  if (doc.id !== undefined && doc.id !== null && typeof doc.id !== 'string') return untrusted('its id is not a string');
  return {
    code: 'ok', purposes, validFrom: dates.validFrom, validUntil: dates.validUntil, encoded: subject.encodedList, kind,
    credentialType, listId: doc.id ?? null, issuer, keys: supported.map((p) => p.key).filter(Boolean), confirmed: supported.every((p) => p.confirmed),
  };
}

/** Why a verified list cannot be this site's own list at `url` (null when it can). */
export function strictProblem(verdict, url, issuer) {
  if (verdict.listId !== url) return `it is the list ${verdict.listId}, not ${url}`;
  if (verdict.issuer !== issuer) return `it is issued by ${verdict.issuer}, not by ${issuer}`;
  if (!verdict.confirmed) return "it is not signed with a key of the credential's issuer";
  if (verdict.credentialType !== 'BitstringStatusListCredential') return 'it is not a BitstringStatusListCredential';
  return null;
}

function stale(verdict, now) {
  const until = verdict.validUntil ? parseDateTime(verdict.validUntil) : null;
  const from = verdict.validFrom ? parseDateTime(verdict.validFrom) : null;
  return Boolean((until && until <= now) || (from && from - now > SKEW_MS));
}

/**
 * The status check of one credential. context: { document(url), verdict(url), bits(url, minBits),
 * details(purpose), now }.
 */
export async function statusCheck({ credentialId, issuer, entries, unsupported, strict, credentialKeys, context }) {
  const relevant = entries.filter((e) => e.purpose === 'revocation' || e.purpose === 'suspension');
  if (!relevant.length) return unsupported.length ? result('status', 'unsupported', { types: unsupported }) : result('status', 'none');
  const found = {};
  let problem = null;
  let caveat = null;
  const notes = {};
  for (const entry of relevant) {
    const url = entry.listUrl;
    if (entry.type === REVOCATION_LIST_TYPE) {
      const document = await context.document(url);
      if (document === undefined || document === null) {
        problem ||= result('status', 'unavailable', { url });
        continue;
      }
      if (strict) {
        problem ||= result('status', 'untrusted', { url, detail: 'the list is not signed' });
        continue;
      }
      let revoked;
      try {
        revoked = revokedIn1EdTechList(document, credentialId || '');
      } catch (error) {
        problem ||= result('status', 'untrusted', { url, detail: error.message });
        continue;
      }
      found.revocation = found.revocation || revoked;
      caveat ||= { url, why: 'unsigned' };
      continue;
    }
    const verdict = await context.verdict(url);
    if (!verdict) {
      problem ||= result('status', 'unavailable', { url });
      continue;
    }
    if (verdict.code !== 'ok') {
      problem ||= result('status', 'untrusted', { url, detail: verdict.detail });
      continue;
    }
    let wrong = strict ? strictProblem(verdict, url, issuer) : null;
    if (!wrong && STATUS_TYPES[entry.type][0] !== verdict.credentialType) wrong = `it is a ${verdict.credentialType}, not the list a ${entry.type} names`;
    if (!wrong && !verdict.purposes.includes(entry.purpose)) wrong = `it is a ${verdict.purposes.join(', ')} list`;
    if (wrong) {
      problem ||= result('status', 'untrusted', { url, detail: wrong });
      continue;
    }
    if (stale(verdict, context.now)) {
      problem ||= result('status', 'stale', { url, until: verdict.validUntil });
      continue;
    }
    let bit;
    let bits;
    try {
      bits = await context.bits(url, strict ? MIN_BITS : 8);
      bit = bitAt(bits, entry.index);
    } catch (error) {
      if (!(error instanceof StatusError)) throw error;
      problem ||= result('status', 'untrusted', { url, detail: error.message });
      continue;
    }
    found[entry.purpose] = found[entry.purpose] || bit;
    if (verdict.listId !== null && verdict.listId !== url) notes.listId = verdict.listId;
    if (bits.length * 8 < MIN_BITS) notes.bits = bits.length * 8;
    const confirmed = (verdict.issuer === issuer && verdict.confirmed) || verdict.keys.some((k) => credentialKeys.has(k));
    if (!confirmed) caveat ||= { url, why: 'other-issuer', listIssuer: verdict.issuer };
  }
  for (const [purpose, code] of [['revocation', 'revoked'], ['suspension', 'suspended']]) {
    if (!found[purpose]) continue;
    const details = (await context.details(purpose)) || {};
    const params = {};
    if (details.date) params.date = details.date;
    if (details.reason) params.reason = details.reason;
    return result('status', code, params);
  }
  if (problem) return problem;
  if (unsupported.length) return result('status', 'unsupported', { types: unsupported });
  if (caveat) return result('status', 'unconfirmed', { ...caveat, ...notes });
  return result('status', 'ok', notes);
}

export { decodeEncodedList };
