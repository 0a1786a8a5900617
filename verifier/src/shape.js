// The `format` check: the structural rules of the OB 3.0 data model (and VC 2.0 §4) that
// verification relies on, each with a reason code, in the same order as credstack/model/shape.py.
import { asArray } from './codec.js';
import { result } from './report.js';

const VC_V2 = 'https://www.w3.org/ns/credentials/v2';
const OB_CONTEXT = /^https:\/\/purl\.imsglobal\.org\/spec\/ob\/v3p0\/context(-3\.0\.\d+)?\.json$/;
// XML Schema dateTimeStamp with a four-digit year from 0001 (the range both verifiers can read).
const DATE_TIME = /^(?!0000)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

export function isDateTimeStamp(value) {
  return typeof value === 'string' && DATE_TIME.test(value) && !Number.isNaN(Date.parse(value));
}

const indexOk = (v) => (typeof v === 'string' ? /^[0-9]+$/.test(v) : typeof v === 'number' && Number.isInteger(v) && v >= 0);

/** Every [code, detail] the document breaks, in rule order; [] when it is well formed. */
export function shapeProblems(doc) {
  if (!isObject(doc)) return [['not-object', 'not a JSON object']];
  const problems = [];
  const contexts = asArray(doc['@context']);
  if (!(contexts.length >= 2 && contexts[0] === VC_V2 && typeof contexts[1] === 'string' && OB_CONTEXT.test(contexts[1]))) {
    problems.push(['context', '@context must start with the VC 2.0 and OB 3.0 contexts']);
  }
  const types = asArray(doc.type);
  if (!types.includes('VerifiableCredential') || !(types.includes('OpenBadgeCredential') || types.includes('AchievementCredential'))) {
    problems.push(['type', 'type must include VerifiableCredential and OpenBadgeCredential']);
  }
  if (typeof doc.id !== 'string' || !doc.id) problems.push(['subject', 'the credential has no id']);
  if (!(isObject(doc.issuer) && typeof doc.issuer.id === 'string')) problems.push(['issuer', 'issuer must be a Profile with an id']);
  if (!isDateTimeStamp(doc.validFrom)) problems.push(['dates', 'validFrom is missing or not a date-time with a time zone']);
  if ('validUntil' in doc && !isDateTimeStamp(doc.validUntil)) problems.push(['dates', 'validUntil is not a date-time with a time zone']);
  const subject = doc.credentialSubject;
  const achievement = isObject(subject) ? subject.achievement : undefined;
  if (!(isObject(achievement) && typeof achievement.id === 'string')) {
    problems.push(['subject', 'credentialSubject.achievement with an id is missing']);
  } else if (!('id' in subject) && !asArray(subject.identifier).length) {
    // OB 3.0 "OpenBadgeCredential Verification" step 1: an id and/or an identifier.
    problems.push(['subject', 'credentialSubject has neither id nor identifier']);
  }
  for (const entry of asArray(doc.credentialStatus)) {
    if (isObject(entry) && entry.type === 'BitstringStatusListEntry'
      && !(typeof entry.statusListCredential === 'string' && indexOk(entry.statusListIndex)
        && typeof entry.statusPurpose === 'string')) {
      problems.push(['status-entry', 'a BitstringStatusListEntry cannot be read']);
    }
  }
  if (!asArray(doc.proof).length) problems.push(['unsigned', 'it carries no proof (unsigned)']);
  return problems;
}

/** The `format` check result of `doc`. */
export function formatCheck(doc) {
  const problems = shapeProblems(doc);
  if (!problems.length) return result('format', 'ok');
  return result('format', problems[0][0], { detail: problems.map(([, d]) => d).join('; '), problems: problems.map(([c]) => c) });
}
