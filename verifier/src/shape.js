// The `format` check: the structural rules verification relies on, each with a reason code, in
// the same order as plugins/credstack/model/shape.py; and the facts the later checks read.
// VC 1.1 (issuanceDate, expirationDate) and VC 2.0 (validFrom, validUntil); OB 3.0
// OpenBadgeCredential / AchievementCredential and EndorsementCredential; CLR 2.0 ClrCredential;
// status list credentials. Compacted JSON-LD (one object where an array is usual, a string
// issuer, one identifier object) is read as such.
import { asArray } from './codec.js';
import { StatusError, companionListUrl, statusEntries } from './lists.js';
import { result } from './report.js';

const VC_V1 = 'https://www.w3.org/2018/credentials/v1';
const VC_V2 = 'https://www.w3.org/ns/credentials/v2';
const OB_CONTEXT = /^https:\/\/purl\.imsglobal\.org\/spec\/ob\/v3p0\/context(-3\.0\.\d+)?\.json$/;
const CLR_CONTEXT = /^https:\/\/purl\.imsglobal\.org\/spec\/clr\/v2p0\/context(-2\.0\.\d+)?\.json$/;
export const KINDS = {
  OpenBadgeCredential: 'achievement',
  AchievementCredential: 'achievement',
  EndorsementCredential: 'endorsement',
  ClrCredential: 'clr',
  BitstringStatusListCredential: 'status-list',
  StatusList2021Credential: 'status-list',
};
const CREDENTIAL_TYPES = Object.keys(KINDS);
const STATUS_SUBJECTS = ['BitstringStatusList', 'StatusList2021'];
// Larger or deeper documents are refused before anything else reads them (shape.py MAX_VALUES).
export const MAX_VALUES = 10000;
export const MAX_ARRAY = 500;
export const MAX_DEPTH = 64;
export const MAX_COMPONENTS = 64; // at most this many components (or embedded credentials) are verified
// XML Schema dateTimeStamp with a four-digit year from 0001 (the range both verifiers can read).
const DATE_TIME = /^(?!0000)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const ABSOLUTE_IRI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]+$/;
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

export function isDateTimeStamp(value) {
  if (typeof value !== 'string' || !DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) return false;
  // Date.parse rolls over impossible dates (02-30); Python refuses them.
  const [y, m, d] = value.slice(0, 10).split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 100) date.setUTCFullYear(y);
  return date.getUTCMonth() === m - 1 && date.getUTCDate() === d && /T([01]\d|2[0-3]):[0-5]\d:[0-5]\d/.test(value);
}

export const isAbsoluteIri = (value) => typeof value === 'string' && ABSOLUTE_IRI.test(value);

/** Why `doc` is too large or too deeply nested to verify (null when it is not). */
export function sizeProblem(doc) {
  let count = 0;
  const stack = [[doc, 0]];
  while (stack.length) {
    const [value, depth] = stack.pop();
    count += 1;
    if (count > MAX_VALUES) return `it holds more than ${MAX_VALUES.toLocaleString('en')} JSON values: too large to verify`;
    if (depth > MAX_DEPTH) return `it is nested more than ${MAX_DEPTH} levels deep: too deep to verify`;
    if (Array.isArray(value) && value.length > MAX_ARRAY) return `it has an array of more than ${MAX_ARRAY} items: too large to verify`;
    if (value !== null && typeof value === 'object') for (const v of Object.values(value)) stack.push([v, depth + 1]);
  }
  return null;
}

export function credentialKind(doc) {
  if (!isObject(doc)) return null;
  const types = asArray(doc.type);
  if (!types.includes('VerifiableCredential')) return null;
  const type = CREDENTIAL_TYPES.find((t) => types.includes(t));
  return type ? KINDS[type] : null;
}

export function issuerId(doc) {
  const issuer = isObject(doc) ? doc.issuer : undefined;
  const value = isObject(issuer) ? issuer.id : issuer;
  return typeof value === 'string' ? value : null;
}

export function subjectOf(doc) {
  const subject = isObject(doc) ? doc.credentialSubject : undefined;
  if (Array.isArray(subject)) return subject.length === 1 ? subject[0] : null;
  return subject;
}

function contextProblem(contexts, kind) {
  if (!contexts.length || (contexts[0] !== VC_V1 && contexts[0] !== VC_V2)) return '@context must start with the VC 1.1 or VC 2.0 context';
  const names = contexts.filter((c) => typeof c === 'string');
  if ((kind === 'achievement' || kind === 'endorsement') && !names.some((c) => OB_CONTEXT.test(c))) return '@context must include an Open Badges 3.0 context';
  if (kind === 'clr' && !names.some((c) => CLR_CONTEXT.test(c))) return '@context must include the CLR 2.0 context';
  return null;
}

function dateProblems(doc, kind) {
  const problems = [];
  const start = 'validFrom' in doc ? 'validFrom' : 'issuanceDate';
  if (start in doc) {
    if (!isDateTimeStamp(doc[start])) problems.push(`${start} is not a date-time with a time zone`);
  } else if (kind !== 'status-list') {
    problems.push('validFrom (issuanceDate in VC 1.1) is missing');
  }
  for (const name of ['validUntil', 'expirationDate']) {
    if (name in doc && !isDateTimeStamp(doc[name])) problems.push(`${name} is not a date-time with a time zone`);
  }
  return problems;
}

function subjectProblems(doc, kind) {
  const subject = subjectOf(doc);
  if (!isObject(subject)) return [['subject', 'credentialSubject must be one object']];
  if (kind === 'achievement') {
    const { achievement } = subject;
    if (!(isObject(achievement) && typeof achievement.id === 'string')) return [['subject', 'credentialSubject.achievement with an id is missing']];
  } else if (kind === 'endorsement') {
    if (!isAbsoluteIri(subject.id)) return [['subject', 'an EndorsementSubject needs the id of what it endorses']];
  } else if (kind === 'clr') {
    const items = asArray(subject.verifiableCredential);
    if (!items.length || !items.every((i) => isObject(i) || typeof i === 'string')) return [['subject', 'a ClrSubject needs its verifiableCredential (an array)']];
  } else if (kind === 'status-list' && !(STATUS_SUBJECTS.some((t) => asArray(subject.type).includes(t)) && typeof subject.encodedList === 'string')) {
    return [['subject', 'a status list credential needs a list with an encodedList']];
  }
  return [];
}

/** Every [code, detail] the document breaks, in rule order; [] when it is well formed. */
export function shapeProblems(doc, { secured = false } = {}) {
  if (!isObject(doc)) return [['not-object', 'not a JSON object']];
  const tooLarge = sizeProblem(doc);
  if (tooLarge) return [['unreadable', tooLarge]];
  const problems = [];
  const kind = credentialKind(doc);
  const context = contextProblem(asArray(doc['@context']), kind);
  if (context) problems.push(['context', context]);
  if (kind === null) problems.push(['type', `type must include VerifiableCredential and ${CREDENTIAL_TYPES.join(', ')}`]);
  if (('id' in doc || kind !== 'status-list') && !isAbsoluteIri(doc.id)) problems.push(['subject', "the credential's id is missing or not an IRI"]);
  if (!isAbsoluteIri(issuerId(doc))) problems.push(['issuer', 'issuer must be an IRI or a Profile with an id']);
  for (const problem of dateProblems(doc, kind)) problems.push(['dates', problem]);
  problems.push(...subjectProblems(doc, kind));
  try {
    statusEntries(doc);
  } catch (error) {
    if (!(error instanceof StatusError)) throw error;
    problems.push(['status-entry', `a credentialStatus entry cannot be read: ${error.message}`]);
  }
  if (!secured && !asArray(doc.proof).length) problems.push(['unsigned', 'it carries no proof (unsigned)']);
  return problems;
}

/** OB 3.0 B.1.2: "Either id or at least one identifier MUST be supplied": a warning. */
function namesNoRecipient(doc) {
  const kind = credentialKind(doc);
  if (kind !== 'achievement' && kind !== 'clr') return false;
  const subject = subjectOf(doc);
  return isObject(subject) && !('id' in subject) && !asArray(subject.identifier).length;
}

/** The `format` check result of `doc`. */
export function formatCheck(doc, { secured = false } = {}) {
  const problems = shapeProblems(doc, { secured });
  if (problems.length) return result('format', problems[0][0], { detail: problems.map(([, d]) => d).join('; '), problems: problems.map(([c]) => c) });
  const types = asArray(doc.type);
  const params = { type: CREDENTIAL_TYPES.find((t) => types.includes(t)), vc: asArray(doc['@context'])[0] === VC_V1 ? '1.1' : '2.0' };
  return result('format', namesNoRecipient(doc) ? 'no-recipient' : 'ok', params);
}

/** What the checks after the proof read (model/shape.py credential_facts). */
export function credentialFacts(doc) {
  const kind = credentialKind(doc);
  const issuer = issuerId(doc);
  if (kind === null || issuer === null) throw new Error('not a credential credstack reads');
  const start = 'validFrom' in doc ? doc.validFrom : doc.issuanceDate;
  const end = 'validUntil' in doc ? doc.validUntil : doc.expirationDate;
  const { entries, unsupported } = statusEntries(doc);
  const purposes = new Set(entries.map((e) => e.purpose));
  const implied = [];
  for (const entry of entries) {
    const companion = companionListUrl(entry.listUrl);
    if (entry.type === 'BitstringStatusListEntry' && entry.purpose === 'revocation' && companion && !purposes.has('suspension')) {
      implied.push({ ...entry, purpose: 'suspension', listUrl: companion, implied: true });
    }
  }
  const subject = subjectOf(doc);
  const achievement = isObject(subject) ? subject.achievement : undefined;
  const achievementType = isObject(achievement) && typeof achievement.achievementType === 'string' ? achievement.achievementType : null;
  const components = [];
  if (kind === 'clr' && isObject(subject)) {
    asArray(subject.verifiableCredential).forEach((item, i) => {
      const name = isObject(item) && typeof item.name === 'string' ? item.name : `#${i + 1}`;
      components.push({ name, url: null, embedded: item });
    });
  } else if (achievementType === 'Certification') {
    for (const evidence of asArray(doc.evidence)) {
      if (isObject(evidence) && typeof evidence.id === 'string') components.push({ name: typeof evidence.name === 'string' ? evidence.name : evidence.id, url: evidence.id, evidence });
    }
  }
  return {
    id: typeof doc.id === 'string' ? doc.id : null,
    kind,
    issuerId: issuer,
    validFrom: typeof start === 'string' ? start : null,
    validUntil: typeof end === 'string' ? end : null,
    statuses: [...entries, ...implied],
    unsupportedStatus: [...new Set(unsupported)].sort(),
    achievementType,
    components: components.slice(0, MAX_COMPONENTS),
  };
}
