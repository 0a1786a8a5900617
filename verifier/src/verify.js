// Verification in the order of OB 3.0 "Verification and Validation": format -> proof (signature,
// issuer key, key valid when signed) -> status -> validity window -> components (a
// certification's component credentials, or the credentials a CLR embeds). The same checks,
// order and reason codes as the Python verifier (plugins/credstack/registry/verifier.py);
// reports follow plugins/credstack/model/schemas/verification-report.schema.json.
//
// The core bundle verifies eddsa-rdfc-2022 with Ed25519 keys. Anything else (another suite, a
// P-256/P-384/RSA key or a JWK, a VC-JWT) needs credstack-suites.js: it is loaded when the
// credential shows the need, or when verification meets it later (a DID document's key type, a
// status list's suite), and verification then runs again with every suite.
import { NeedSuites, asArray } from './codec.js';
import { verifyEd25519 } from './ed25519.js';
import { EDDSA_SUITES, keyable, verifyProofsWith } from './engine.js';
import { jwtCredential } from './jwt.js';
import { keyResolver } from './keys.js';
import { ED25519_ONLY } from './methods.js';
import { canonize, contextLoader } from './proof.js';
import { judge, keyValidCheck, proofChecks } from './proofs.js';
import { CODES, complete, decide, result } from './report.js';
import { credentialFacts, formatCheck } from './shape.js';
import { decodeEncodedList, statusCheck, verifyList } from './statuslists.js';
import { reportJson } from './wording.js';

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const CORE_SUITES = ['eddsa-rdfc-2022', 'eddsa-2022'];

/** Does this input show, before anything is fetched, that it needs credstack-suites.js? */
export function needsSuites(input) {
  if (typeof input === 'string') return true; // a VC-JWT
  if (!isObject(input)) return false;
  const types = asArray(input.type);
  if (types.includes('ClrCredential')) return true;
  for (const proof of asArray(input.proof)) {
    if (!isObject(proof)) continue;
    if (proof.type !== 'DataIntegrityProof' || !CORE_SUITES.includes(proof.cryptosuite)) return true;
    const method = String(proof.verificationMethod || '');
    if (method.startsWith('did:key:') && !method.startsWith('did:key:z6Mk')) return true;
  }
  return false;
}

/** The proof machinery: the core's eddsa engine, or every suite once `ext` is loaded. */
function engine(options, ext) {
  const loader = contextLoader(options.contexts);
  const canonizeWith = (document, opts) => canonize(document, loader, opts);
  const resolveKey = keyResolver({ fetchJson: options.fetchJson, documents: options.didDocuments || {}, decode: ext ? ext.decode : ED25519_ONLY });
  const signatureCache = options.signatureCache || null;
  const deps = ext
    ? { table: ext.table, complete: true, canonize: canonizeWith, verifySignature: ext.verifySignature, signatureCache }
    : { table: EDDSA_SUITES, complete: false, canonize: canonizeWith, verifySignature: (key, message, signature) => verifyEd25519(key.raw, message, signature), signatureCache };
  return {
    verifyProofs: (document) => verifyProofsWith(deps, document, resolveKey),
    verifyJwt: (token) => {
      if (!ext) throw new NeedSuites('a VC-JWT');
      return ext.verifyJwt(token, resolveKey);
    },
  };
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

function validityCheck(facts, at) {
  const params = {};
  if (facts.validFrom) params.from = facts.validFrom;
  if (facts.validUntil) params.until = facts.validUntil;
  if (facts.validFrom && at < new Date(facts.validFrom)) return result('validity', 'not-yet-valid', params);
  if (facts.validUntil && at >= new Date(facts.validUntil)) return result('validity', 'expired', params);
  return result('validity', 'ok', params);
}

/** Default mapping from an evidence entry to its component credential's JSON URL. */
function defaultComponentUrl(evidence) {
  if (/\.json$/.test(evidence.id)) return evidence.id;
  return /^https?:\/\//.test(evidence.id) ? evidence.id.replace(/\/?$/, '/') + 'credential.json' : null;
}

async function componentsCheck(facts, ctx, isComponent) {
  if (isComponent) return result('components', 'not-applicable');
  let kind;
  if (facts.kind === 'clr') kind = 'embedded';
  else if (facts.achievementType === 'Certification') kind = 'evidence';
  else return result('components', 'not-applicable');
  const componentUrl = ctx.options.componentUrl || defaultComponentUrl;
  let found = 0;
  const problems = [];
  for (const part of facts.components) {
    let input;
    if (part.url !== null) {
      const url = componentUrl(part.evidence);
      if (!url) continue;
      try {
        input = await ctx.options.fetchJson(url, { purpose: 'component' });
      } catch {
        continue; // not published: not counted (as the CLI, which finds it in the registry or not)
      }
    } else {
      input = part.embedded;
    }
    found += 1;
    const status = decide(await run(input, ctx, true));
    if (status.status !== 'verified') {
      const item = { name: part.name, status: status.status };
      if (status.check) item.reason = { check: status.check, code: status.code };
      problems.push(item);
    }
  }
  if (!found) return result('components', 'none-found', { kind });
  const params = { count: found, kind };
  if (problems.length) return result('components', 'not-in-force', { ...params, items: problems });
  return result('components', 'ok', params);
}

/**
 * Status lists loaded and verified once per verification. `options.listCache` ({ key(list),
 * get(key), set(key, verdict) }, e.g. the page's localStorage) keeps verified lists across
 * verifications: only passes, under a key that covers everything their checks read (the page
 * hashes the list, its issuer's DID document and the verifier's version), so a changed byte is a
 * new key and a failure is checked again every time. The bit and the list's dates are read on
 * every call.
 */
function listVerifier(options, proofs) {
  const verdicts = new Map();
  const bits = new Map();
  const document = async (url) => {
    if (typeof options.fetchJson !== 'function') return undefined;
    try {
      return await options.fetchJson(url, { purpose: 'status' });
    } catch {
      return undefined;
    }
  };
  const cache = options.listCache;
  const verdict = (url) => {
    if (!verdicts.has(url)) {
      verdicts.set(url, (async () => {
        const doc = await document(url);
        if (doc === undefined || doc === null) return null;
        let key = null;
        if (cache && keyable(doc)) {
          try {
            key = await cache.key(doc);
            const kept = key ? await cache.get(key) : null;
            if (kept && kept.code === 'ok') return kept;
          } catch {
            key = null; // a cache that fails to answer is ignored: the list is verified
          }
        }
        const verified = await verifyList(doc, proofs);
        if (key && verified.code === 'ok') {
          try {
            await cache.set(key, verified);
          } catch {
            // nothing kept: verified again next time
          }
        }
        return verified;
      })());
    }
    return verdicts.get(url);
  };
  const decoded = (url, minBits) => {
    const memo = `${url}\u0000${minBits}`;
    if (!bits.has(memo)) bits.set(memo, verdict(url).then((v) => decodeEncodedList(v.encoded, v.kind, minBits)));
    return bits.get(memo);
  };
  return { document, verdict, decoded };
}

async function run(input, ctx, isComponent) {
  const { options, now, at } = ctx;
  const own = options.ownIssuer || null;
  let credential = input;
  let proofs = null;
  let checks;
  if (typeof input === 'string') {
    const { credential: decoded, outcome } = await ctx.proofs.verifyJwt(input);
    if (!decoded) return complete([result('format', 'unreadable', { detail: outcome.params.detail })], 'format');
    credential = decoded;
    checks = [formatCheck(decoded, { secured: true })];
    proofs = [judge(outcome, decoded, own)];
  } else {
    checks = [formatCheck(input)];
  }
  // The log check needs none of the others: it starts now and runs while the proofs are checked
  // (its fetches overlap their canonicalization); its result is awaited last, as before.
  const readable = checks[0].outcome === 'pass' || checks[0].outcome === 'warn';
  const logged = readable ? logCheck(credential, ctx, isComponent) : null;
  if (readable) {
    if (!proofs) proofs = (await ctx.proofs.verifyProofs(credential)).map((o) => judge(o, credential, own));
    checks.push(...proofChecks(proofs));
  }
  if (checks.length < 3 || checks.some((c) => c.outcome !== 'pass' && c.outcome !== 'warn')) {
    const because = !readable ? 'format' : checks[1].code === 'not-checked' ? 'key' : 'signature';
    return complete(checks, because);
  }
  const keyValid = keyValidCheck(proofs, now);
  checks.push(keyValid);
  if (keyValid.code !== 'ok') return complete(checks, 'key-valid');
  const facts = credentialFacts(credential);
  checks.push(await statusCheck({
    credentialId: facts.id,
    issuer: facts.issuerId,
    entries: facts.statuses,
    unsupported: facts.unsupportedStatus,
    strict: Boolean(own && facts.issuerId === own.id),
    credentialKeys: new Set(proofs.map((p) => p.key).filter(Boolean)),
    context: {
      document: ctx.lists.document,
      verdict: ctx.lists.verdict,
      bits: ctx.lists.decoded,
      details: (purpose) => statusDetails(options, { credential, purpose }),
      now,
    },
  }));
  checks.push(validityCheck(facts, at));
  checks.push(await componentsCheck(facts, ctx, isComponent));
  checks.push(await logged);
  return checks;
}

/**
 * The `log` check: `options.log(credential)` (the page: tlog.js verifyLog against the issuer's
 * published tiles) returns { code, params }; without it the issuer keeps no log for us.
 */
async function logCheck(credential, ctx, isComponent) {
  if (isComponent) return result('log', 'not-applicable');
  if (typeof ctx.options.log !== 'function') return result('log', 'none');
  try {
    const found = await ctx.options.log(credential);
    const code = found && CODES.log[found.code] ? found.code : 'log-error';
    const params = { ...((found && found.params) || {}) };
    if (code === 'log-error') params.detail = String(found && found.message);
    if (code === 'logged' && typeof found.proof === 'string') params.proof = found.proof; // C2SP tlog-proof, offered for download
    return result('log', code, params);
  } catch (error) {
    return result('log', 'log-error', { detail: String(error && error.message) });
  }
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

async function attempt(input, options, ext) {
  const now = options.now === undefined ? new Date() : new Date(options.now);
  const at = options.at === undefined ? now : new Date(options.at);
  if (Number.isNaN(now.getTime()) || Number.isNaN(at.getTime())) throw new TypeError('options.now / options.at is not a date');
  const proofs = engine(options, ext);
  const lists = listVerifier(options, proofs);
  return run(input, { options, now, at, proofs, lists }, false);
}

/**
 * Verify a credential: a JSON object, or a VC-JWT (its compact JWS string). Never throws:
 * returns the report { reportVersion, id, status, reason, verdict, ok, checks: [{ id, outcome,
 * code, params, label, message }] } with status 'verified' | 'expired' | 'revoked' | 'suspended' |
 * 'invalid' | 'error'. Options: contexts (URL -> JSON-LD context, required), fetchJson(url,
 * {purpose}), now, at, ownIssuer ({ id, site, name }: refuse credentials impersonating it),
 * statusDetails, componentUrl, didDocuments ({did: document}), listCache (see listVerifier),
 * signatureCache (engine.js `remembered`),
 * suites (the loaded credstack-suites.js extension) or loadSuites() (returns it, on demand).
 */
export async function verifyCredential(input, options = {}) {
  const idOf = (value) => (isObject(value) && typeof value.id === 'string' ? value.id : null);
  if (!isObject(options.contexts)) {
    const checks = complete([result('format', 'not-checked', { because: 'error', detail: 'options.contexts (URL -> JSON-LD context) is required' })], 'error');
    return reportJson(checks, idOf(input));
  }
  const shared = { ...options, fetchJson: memoize(options.fetchJson) };
  let ext = options.suites || null;
  const load = async () => {
    if (ext) return ext;
    if (typeof options.loadSuites !== 'function') throw new Error('this credential needs the other proof suites, and none were given (options.suites / loadSuites)');
    ext = await options.loadSuites();
    return ext;
  };
  let checks;
  try {
    if (!ext && needsSuites(input)) await load();
    try {
      checks = await attempt(input, shared, ext);
    } catch (error) {
      if (!(error && error.needsSuites) || ext) throw error;
      await load();
      checks = await attempt(input, shared, ext);
    }
  } catch (error) {
    // A fault of the verifier or its options, not a verdict on the credential: error.
    checks = complete([result('format', 'not-checked', { because: 'error', detail: String(error && error.message) })], 'error');
  }
  return reportJson(checks, idOf(decodedCredential(input)));
}

/** The credential an input holds: itself, or what a VC-JWT carries (decoded, NOT verified). */
export function decodedCredential(input) {
  return typeof input === 'string' ? jwtCredential(input) : input;
}

/** The report for a file that holds no credential that could be read (as the CLI's). */
export function unreadableReport(detail) {
  return reportJson(complete([result('format', 'unreadable', { detail })], 'format'), null);
}

/**
 * Verify only Data Integrity proofs (no Open Badges rules, no issuer binding), e.g. for the W3C
 * test vectors. Returns { verified, code, message } for the first proof that does not verify.
 */
export async function verifyDataIntegrityProof(document, options = {}) {
  try {
    const outcomes = await engine(options, options.suites || null).verifyProofs(document);
    if (!outcomes.length) return { verified: false, code: 'malformed-proof', message: 'it has no proof' };
    const bad = outcomes.find((o) => !o.ok);
    if (bad) return { verified: false, code: bad.code, message: bad.params.detail };
    return { verified: true, code: 'ok', message: `valid ${outcomes.map((o) => o.suite).join(', ')} signature by ${outcomes[0].verificationMethod}` };
  } catch (error) {
    return { verified: false, code: error.code || 'error', message: error.message };
  }
}
