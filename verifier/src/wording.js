// The words of a verification report, the same sentences as credstack/model/wording.py.
// Reports carry codes and params; nothing decides on these words.
import { decide } from './report.js';

export const LABELS = {
  format: 'Format',
  signature: 'Signature',
  'issuer-key': 'Issuer key',
  'key-valid': 'Key valid when signed',
  status: 'Revocation status',
  validity: 'Validity period',
  components: 'Component credentials',
  log: 'Public log',
};

const BECAUSE = {
  format: 'the credential is malformed',
  signature: 'the signature is not valid',
  key: "the issuer's key is unknown",
  'key-valid': 'the key was not valid when it signed',
  component: 'verified as a component',
  error: 'verification stopped by an error',
};

export const day = (value) => (typeof value === 'string' && value.length >= 10 ? value.slice(0, 10) : '?');
const p = (params, name, fallback = '?') => (params[name] === undefined || params[name] === null || params[name] === '' ? fallback : String(params[name]));

function statusSentence(verb, params) {
  let text = `${verb} by the issuer`;
  if (params.date) text += ` on ${day(params.date)}`;
  if (params.reason) text += `: ${params.reason}`;
  return text;
}

/** What a credential of each type is called (format check). */
const KINDS = {
  OpenBadgeCredential: 'an Open Badges 3.0 credential',
  AchievementCredential: 'an Open Badges 3.0 credential',
  EndorsementCredential: 'an Open Badges 3.0 endorsement',
  ClrCredential: 'a CLR 2.0 credential',
  BitstringStatusListCredential: 'a status list credential',
  StatusList2021Credential: 'a status list credential',
};
const kind = (q) => (KINDS[q.type] || 'an Open Badges 3.0 credential') + (q.vc === '1.1' ? ' (VC 1.1)' : '');

function signatureOk(q) {
  const checked = (q.proofs || []).filter((x) => x && x.code === 'ok');
  let text;
  if (checked.length > 1) text = `${checked.length} proofs verify (${[...new Set(checked.map((x) => String(x.suite)))].sort().join(', ')})`;
  else text = q.suite === 'VC-JWT' ? "the VC-JWT's signature verifies" : `${p(q, 'suite')} proof verifies`;
  if ((q.unsupported || []).length) text += `; not checked: a proof of ${q.unsupported.join(', ')}, a suite credstack does not verify`;
  return text;
}

function statusNotes(q) {
  const notes = [];
  if (q.listId) notes.push(`the list calls itself ${q.listId}`);
  if (q.bits) notes.push(`a short list of ${Number(q.bits).toLocaleString('en')} entries`);
  return notes.join('; ');
}

function statusUnconfirmed(q) {
  const text = q.why === 'unsigned'
    ? `not revoked, according to an unsigned revocation list (${p(q, 'url')})`
    : `not revoked, according to a status list signed by ${p(q, 'listIssuer')}, not by the credential's issuer`;
  const notes = statusNotes(q);
  return notes ? `${text} (${notes})` : text;
}

const MESSAGES = {
  'format/ok': kind,
  'format/no-recipient': (q) => `${kind(q)}, but it names no recipient (neither credentialSubject id nor identifier)`,
  'signature/ok': signatureOk,
  'signature/unsupported-suite': (q) => `it is signed only with a suite credstack does not verify: ${p(q, 'suite')}`,
  'signature/key-type-mismatch': (q) => `the proof needs another kind of key than the one it names: ${p(q, 'detail')}`,
  'signature/claims-mismatch': (q) => `the VC-JWT's claims contradict the credential it carries: ${p(q, 'detail')}`,
  'signature/mismatch': () => 'the content has changed since it was signed',
  'signature/unknown-context': (q) => `it uses a JSON-LD context this verifier does not know: ${p(q, 'url', p(q, 'detail'))}`,
  'issuer-key/ok': (q) => `${p(q, 'method')} (${p(q, 'source')})`,
  'issuer-key/unconfirmed': (q) => `${p(q, 'method') === 'jwk' ? "the key in the VC-JWT's header" : p(q, 'method')}: the key is named in the credential itself; no document of the issuer confirms it`,
  'issuer-key/unresolvable': (q) => `issuer keys could not be fetched: ${p(q, 'detail', `no DID document for ${p(q, 'did')}`)}`,
  'issuer-key/not-found': (q) => `${p(q, 'method')} is not in the issuer's DID document`,
  'issuer-key/not-assertion': (q) => `${p(q, 'method')} is not listed under assertionMethod`,
  'issuer-key/wrong-controller': (q) => `${p(q, 'method')}: controller is ${p(q, 'controller')}, not the DID`,
  'issuer-key/not-issuer': (q) => `the key belongs to ${p(q, 'controller')}, not to the issuer ${p(q, 'issuer')}`,
  'issuer-key/impersonation': (q) => `not issued by ${p(q, 'name', p(q, 'issuer'))}: it names this issuer but is not signed with a key of its DID document`,
  'key-valid/ok': (q) => `signed ${day(q.created)} while the key was in force`,
  'key-valid/retired': (q) => `signed ${day(q.created)}, after the key was retired on ${day(q.retired)}`,
  'key-valid/future': (q) => `the proof claims a future date ${day(q.created)}`,
  'key-valid/undated': () => 'the proof does not say when it was signed, and the key is valid only for a period',
  'key-valid/before-key': (q) => `the proof claims ${day(q.created)}, before the key existed (${day(q.keyCreated)})`,
  'status/ok': (q) => `not revoked, not suspended (signed status list)${statusNotes(q) ? `; ${statusNotes(q)}` : ''}`,
  'status/unconfirmed': statusUnconfirmed,
  'status/revoked': (q) => statusSentence('revoked', q),
  'status/suspended': (q) => statusSentence('suspended', q),
  'status/none': () => 'the credential carries no status information',
  'status/unavailable': (q) => `revocation status could not be checked: ${p(q, 'url')} is not available`,
  'status/untrusted': (q) => `revocation status could not be checked: the status list ${p(q, 'url')} cannot be trusted: ${p(q, 'detail')}`,
  'status/stale': (q) => `revocation status could not be checked: the status list ${p(q, 'url')} is out of date (valid until ${day(q.until)})`,
  'status/unsupported': (q) => `revocation status could not be checked: status type ${(q.types || ['?']).join(', ')} is not supported`,
  'validity/ok': (q) => `valid from ${day(q.from)}${q.until ? ` until ${day(q.until)}` : ', no expiry'}`,
  'validity/expired': (q) => `expired on ${day(q.until)}`,
  'validity/not-yet-valid': (q) => `not yet valid: valid from ${day(q.from)}`,
  'log/logged': (q) => `recorded in the issuer's public log, entry ${p(q, 'entry')} of ${p(q, 'size')}${q.signedAt ? `, signed on ${day(q.signedAt)}` : ''}`,
  'log/none': () => 'the issuer keeps no public log',
  'log/not-applicable': () => 'not checked for a component credential',
  'log/not-in-log': () => "not in the issuer's public log: the issuer never recorded this credential",
  'log/log-removed': () => "the issuer's public log, seen here before, is no longer published",
  'log/log-inconsistent': () => "the issuer's public log was rewritten: it does not extend the one seen before",
  'log/log-rollback': () => "an older state of the issuer's public log is being served than one seen before",
  'log/log-stale': (q) => `the issuer's public log has not been signed recently (last on ${day(q.signedAt)})`,
  'log/status-list-not-latest': () => "the status list served is not the latest one the issuer's public log recorded",
  'log/log-unavailable': () => "the issuer's public log could not be loaded",
  'components/ok': (q) => `${p(q, 'count')} ${q.kind === 'embedded' ? 'embedded' : 'component'} credentials verified`,
  'components/not-in-force': (q) => `${q.kind === 'embedded' ? 'embedded credential not verified' : 'component not in force'}: ${(q.items || []).map((i) => `${i.name} (${i.status})`).join('; ')}`,
  'components/none-found': (q) => (q.kind === 'embedded' ? 'the CLR embeds no credential' : 'no component credential could be found'),
  'components/not-applicable': () => 'not a certification',
};

/** One sentence for a check result. */
export function message(check) {
  const render = MESSAGES[`${check.id}/${check.code}`];
  if (render) return render(check.params || {});
  if (check.code === 'not-checked') {
    const because = check.params && check.params.because;
    return because ? `not checked: ${BECAUSE[because] || because}` : 'not checked';
  }
  const detail = check.params && check.params.detail;
  return detail ? String(detail) : check.code.replace(/-/g, ' ');
}

/** The verdict sentence. */
export function verdict(checks) {
  const decision = decide(checks);
  const deciding = decision.check ? checks.find((c) => c.id === decision.check) : null;
  const text = deciding ? message(deciding) : '';
  switch (decision.status) {
    case 'verified': {
      const code = (id) => (checks.find((c) => c.id === id) || {}).code;
      if (code('issuer-key') === 'unconfirmed') return 'Verified, but the signing key is not confirmed by the issuer';
      const status = checks.find((c) => c.id === 'status');
      if (status && status.code === 'unconfirmed') {
        return status.params.why === 'unsigned' ? 'Verified, but the revocation list it names is not signed' : 'Verified, but the revocation status comes from a list the issuer did not sign';
      }
      if (code('format') === 'no-recipient') return 'Verified, but it does not name its recipient';
      return 'Verified';
    }
    case 'expired':
      return `Verified, but ${text}`;
    case 'revoked':
    case 'suspended':
      return text.charAt(0).toUpperCase() + text.slice(1);
    case 'invalid':
      if (decision.check === 'signature' && decision.code === 'mismatch') return 'Not verified: the content has changed since it was signed';
      return `Not verified: ${text}`;
    default:
      if (decision.check === 'status') return `Signature verified, but ${text.charAt(0).toLowerCase() + text.slice(1)}`;
      return text ? `Could not be verified: ${text}` : 'Could not be verified';
  }
}

/** The documented report (verification-report.schema.json), without the target. */
export function reportJson(checks, id) {
  const decision = decide(checks);
  return {
    reportVersion: 1,
    id: id ?? null,
    status: decision.status,
    reason: decision.check ? { check: decision.check, code: decision.code } : null,
    verdict: verdict(checks),
    ok: decision.status === 'verified',
    checks: checks.map((c) => ({ id: c.id, outcome: c.outcome, code: c.code, params: c.params, label: LABELS[c.id], message: message(c) })),
  };
}
