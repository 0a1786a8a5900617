// Verification reports: check ids, reason codes, and the one verdict rule. The same vocabulary as
// the Python verifier (credstack/model/report.py); both are checked against the published schema
// plugins/credstack/model/schemas/verification-report.schema.json by their tests.

export const CHECK_IDS = ['format', 'signature', 'issuer-key', 'key-valid', 'status', 'validity', 'components', 'log'];

/** check id -> reason code -> the outcome the code implies. */
export const CODES = {
  format: { ok: 'pass', 'no-recipient': 'warn', unreadable: 'fail', 'not-object': 'fail', context: 'fail', type: 'fail', issuer: 'fail', dates: 'fail', subject: 'fail', 'status-entry': 'fail', unsigned: 'fail', 'not-checked': 'skip' },
  signature: { ok: 'pass', mismatch: 'fail', 'malformed-proof': 'fail', 'bad-purpose': 'fail', 'key-type-mismatch': 'fail', 'claims-mismatch': 'fail', 'unsafe-jsonld': 'fail', 'unknown-context': 'error', 'unsupported-suite': 'error', 'not-checked': 'skip' },
  'issuer-key': { ok: 'pass', unconfirmed: 'warn', unresolvable: 'error', 'not-found': 'fail', 'not-assertion': 'fail', 'wrong-controller': 'fail', 'not-issuer': 'fail', impersonation: 'fail', unsupported: 'error', 'malformed-key': 'fail', 'not-checked': 'skip' },
  'key-valid': { ok: 'pass', retired: 'fail', future: 'fail', 'before-key': 'fail', undated: 'fail', 'not-checked': 'skip' },
  status: { ok: 'pass', unconfirmed: 'warn', revoked: 'fail', suspended: 'fail', none: 'skip', unavailable: 'error', untrusted: 'error', stale: 'error', unsupported: 'error', 'not-checked': 'skip' },
  validity: { ok: 'pass', expired: 'fail', 'not-yet-valid': 'fail', 'not-checked': 'skip' },
  components: { ok: 'pass', 'not-in-force': 'warn', 'none-found': 'warn', 'not-applicable': 'skip', 'not-checked': 'skip' },
  // The issuer's public transparency log (tlog.js).
  log: {
    logged: 'pass', none: 'skip', 'not-applicable': 'skip', 'not-in-log': 'fail', 'log-removed': 'fail', 'checkpoint-signature': 'fail', 'checkpoint-malformed': 'fail', 'malformed-proof': 'fail', 'log-inconsistent': 'fail', 'log-state-invalid': 'fail', 'status-list-not-latest': 'error', 'status-list-not-logged': 'error', 'log-rollback': 'error', 'log-stale': 'error', 'log-undated': 'error', 'log-future': 'error', 'log-unavailable': 'error', 'log-error': 'error', 'malformed-key': 'error', 'not-checked': 'skip',
  },
};

const INTEGRITY = ['format', 'signature', 'issuer-key', 'key-valid'];

/** A check result: { id, code, params, outcome } (the outcome is implied by the code). */
export function result(id, code, params = {}) {
  const outcome = CODES[id] && CODES[id][code];
  if (!outcome) throw new Error(`unknown reason code ${id}/${code}`);
  return { id, code, params, outcome };
}

/** { status, check, code }: invalid > error > revoked > suspended > expired > verified. */
export function decide(checks) {
  const byId = Object.fromEntries(checks.map((c) => [c.id, c]));
  const failing = (outcome) => INTEGRITY.map((id) => byId[id]).find((c) => c && c.outcome === outcome);
  const bad = failing('fail');
  if (bad) return { status: 'invalid', check: bad.id, code: bad.code };
  const validity = byId.validity;
  if (validity && validity.code === 'not-yet-valid') return { status: 'invalid', check: 'validity', code: validity.code };
  const unknown = failing('error');
  if (unknown) return { status: 'error', check: unknown.id, code: unknown.code };
  const status = byId.status;
  if (status && (status.code === 'revoked' || status.code === 'suspended')) return { status: status.code, check: 'status', code: status.code };
  const log = byId.log;
  if (log && log.outcome === 'fail') return { status: 'invalid', check: 'log', code: log.code };
  if (status && status.outcome === 'error') return { status: 'error', check: 'status', code: status.code };
  if (log && log.outcome === 'error') return { status: 'error', check: 'log', code: log.code };
  if (validity && validity.code === 'expired') return { status: 'expired', check: 'validity', code: validity.code };
  if (!checks.length || INTEGRITY.some((id) => byId[id] && byId[id].outcome === 'skip')) return { status: 'error', check: null, code: null };
  return { status: 'verified', check: null, code: null };
}

/** `checks` with every check not yet run added as not-checked, in CHECK_IDS order. */
export function complete(checks, because) {
  const done = new Set(checks.map((c) => c.id));
  const rest = CHECK_IDS.filter((id) => !done.has(id)).map((id) => result(id, 'not-checked', { because }));
  return [...checks, ...rest].sort((a, b) => CHECK_IDS.indexOf(a.id) - CHECK_IDS.indexOf(b.id));
}
