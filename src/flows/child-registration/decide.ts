/**
 * Rules 1–2 of the guidance letter: a child under 18 without CCCD/CMND gets a VssID account through a parent or
 * guardian, approved online (no in-person check) by comparing the declaration with the birth certificate, the
 * parent's already-approved identity and the managed data (HGD). Every check is a named rule with a reason code:
 * a clear violation rejects; anything a machine cannot settle (a guardian, a spelling that differs only in marks,
 * an ambiguous HGD match, a child not linked to the parent in HGD) goes to an operator.
 */
import type { ChildRegistrationSubmitted } from '../../contracts/generated.js';
import { ageOn, cccdConsistentWith } from '../../domain/identifiers.js';
import { reviewCaseId } from '../../domain/ids.js';
import type { MatchResult, MemberRecord, PersonQuery, ScoredCandidate } from '../../matching/types.js';
import type { Decision } from '../../domain/effects.js';
import {
  compareDobWithMember,
  compareGenderWithMember,
  compareNames,
  type NameAgreement,
} from '../registration/identity.js';
import { decisionEmit, openReviewEffects } from '../registration/outputs.js';
import { RuleLog, safeAge, type Severity } from '../registration/rules.js';
import type { FindPerson } from '../../ports/hgd.js';
import { reviewCandidates } from '../review/builders.js';
import { toMatchGender } from '../shared.js';

export const CHILD_REASON = {
  CHILD_NOT_UNDER_18: 'CHILD_NOT_UNDER_18',
  CHILD_BORN_AFTER_SUBMISSION: 'CHILD_BORN_AFTER_SUBMISSION',
  CHILD_HAS_ID_CARD: 'CHILD_HAS_ID_CARD',
  PARENT_ACCOUNT_NOT_APPROVED: 'PARENT_ACCOUNT_NOT_APPROVED',
  RELATIONSHIP_UNKNOWN: 'RELATIONSHIP_UNKNOWN',
  BIRTH_CERT_NAME_MISMATCH: 'BIRTH_CERT_NAME_MISMATCH',
  BIRTH_CERT_DOB_MISMATCH: 'BIRTH_CERT_DOB_MISMATCH',
  BIRTH_CERT_GENDER_MISMATCH: 'BIRTH_CERT_GENDER_MISMATCH',
  GENDER_UNKNOWN: 'GENDER_UNKNOWN',
  PARENT_NOT_ON_BIRTH_CERT: 'PARENT_NOT_ON_BIRTH_CERT',
  PARENT_NAME_SPELLING: 'PARENT_NAME_SPELLING',
  GUARDIAN_NEEDS_DOCUMENT: 'GUARDIAN_NEEDS_DOCUMENT',
  GUARDIAN_REVIEW: 'GUARDIAN_REVIEW',
  PERSONAL_ID_INCONSISTENT: 'PERSONAL_ID_INCONSISTENT',
  HGD_RECORD_NOT_FOUND: 'HGD_RECORD_NOT_FOUND',
  HGD_AMBIGUOUS_MATCH: 'HGD_AMBIGUOUS_MATCH',
  HGD_RECORD_MISMATCH: 'HGD_RECORD_MISMATCH',
  HGD_NOT_LINKED_TO_PARENT: 'HGD_NOT_LINKED_TO_PARENT',
  HGD_NO_BHXH_CODE: 'HGD_NO_BHXH_CODE',
} as const;
const R = CHILD_REASON;

/** Read ports over HGD, wired at the composition root. */
export interface ChildRegistrationPorts {
  /** The matching engine; `householdCode` restricts the search to one household. */
  findPerson: FindPerson;
  findMemberByBhxhCode(bhxhCode: string): Promise<MemberRecord | null>;
  findMembersByIdNumber(idNumber: string): Promise<MemberRecord[]>;
}

export interface ChildFlowOptions {
  now?: () => Date;
}

/** Child registrations are decided for people under this age on the submission date (guidance letter, rule 1). */
export const CHILD_AGE_LIMIT = 18;

export type ChildOutcome = 'approved' | 'rejected' | 'review';

export async function decideChildRegistration(
  event: ChildRegistrationSubmitted,
  ports: ChildRegistrationPorts,
  opts: ChildFlowOptions = {},
): Promise<Decision> {
  const now = opts.now?.() ?? new Date();
  const { log, hgd } = await evaluateChildRegistration(event, ports);
  const verdict = log.verdict();
  const base = {
    kind: 'CHILD' as const,
    registrationId: event.registrationId,
    sourceEventId: event.eventId,
    decidedBy: 'AUTO' as const,
    operator: null,
  };
  if (verdict.outcome === 'approved') {
    const member = hgd.member!;
    return {
      outcome: 'approved' satisfies ChildOutcome,
      effects: [
        decisionEmit(
          { ...base, outcome: 'APPROVED', reasonCodes: [], bhxhCode: member.bhxhCode, caseId: null },
          now,
        ),
      ],
    };
  }
  if (verdict.outcome === 'rejected') {
    return {
      outcome: 'rejected' satisfies ChildOutcome,
      effects: [
        decisionEmit(
          { ...base, outcome: 'REJECTED', reasonCodes: verdict.codes, bhxhCode: null, caseId: null },
          now,
        ),
      ],
    };
  }
  const caseId = reviewCaseId('CHILD_REGISTRATION', event.registrationId);
  const candidates = hgd.member
    ? [
        { memberId: hgd.member.memberId, householdCode: hgd.member.householdCode, score: hgd.score ?? 0 },
        ...hgd.candidates.filter((c) => c.memberId !== hgd.member!.memberId),
      ]
    : hgd.candidates;
  return {
    outcome: 'review' satisfies ChildOutcome,
    effects: openReviewEffects(
      {
        reviewKind: 'CHILD_REGISTRATION',
        caseId,
        sourceEventId: event.eventId,
        registrationId: event.registrationId,
        reasonCodes: verdict.codes,
        request: event,
        candidates,
        evidence: {
          rules: log.results,
          hgd: {
            how: hgd.how,
            memberId: hgd.member?.memberId ?? null,
            parentHouseholdCode: hgd.parentHouseholdCode,
          },
        },
      },
      'CHILD',
      now,
    ),
  };
}

export interface ChildEvaluation {
  /** Every rule's result, in order, passes included. */
  log: RuleLog;
  hgd: HgdFinding;
}

/** Runs every rule (no short cut: VssID learns all failing reasons at once). */
export async function evaluateChildRegistration(
  event: ChildRegistrationSubmitted,
  ports: ChildRegistrationPorts,
): Promise<ChildEvaluation> {
  const log = new RuleLog();
  const { child, parent } = event;

  checkAge(event, log);
  if (child.idCardNumber) {
    log.fail(
      'child.noIdCard',
      R.CHILD_HAS_ID_CARD,
      'reject',
      'the child declares a CCCD/CMND of their own: register as 15+ instead',
    );
  } else log.pass('child.noIdCard');

  if (parent.accountStatus === 'APPROVED') log.pass('parent.accountApproved');
  else
    log.fail(
      'parent.accountApproved',
      R.PARENT_ACCOUNT_NOT_APPROVED,
      'reject',
      `account status is ${parent.accountStatus}`,
    );

  checkBirthCertificate(event, log);
  checkRelationship(event, log);

  if (child.personalIdNumber) {
    const problems = cccdConsistentWith(child.personalIdNumber, child.dateOfBirth, child.gender);
    if (problems.length > 0)
      log.fail('child.personalIdConsistent', R.PERSONAL_ID_INCONSISTENT, 'reject', problems.join('; '));
    else log.pass('child.personalIdConsistent');
  }

  const hgd = await checkManagedData(event, ports, log);
  return { log, hgd };
}

function checkAge(event: ChildRegistrationSubmitted, log: RuleLog): void {
  const age = safeAge(ageOn, event.child.dateOfBirth, event.submittedOn, 'child.dateOfBirth');
  if (age < 0) {
    log.fail(
      'child.under18',
      R.CHILD_BORN_AFTER_SUBMISSION,
      'reject',
      `born ${event.child.dateOfBirth}, submitted ${event.submittedOn}`,
    );
  } else if (age >= CHILD_AGE_LIMIT) {
    log.fail('child.under18', R.CHILD_NOT_UNDER_18, 'reject', `aged ${age} on ${event.submittedOn}`);
  } else log.pass('child.under18', `aged ${age} on ${event.submittedOn}`);
}

/** Name differences: clearly another name rejects; a spelling variant of the same name is for a human. */
function nameSeverity(a: NameAgreement): Severity | null {
  return a === 'same' ? null : a === 'different' ? 'reject' : 'review';
}

function checkBirthCertificate(event: ChildRegistrationSubmitted, log: RuleLog): void {
  const { child, birthCertificate: bc } = event;
  const name = compareNames(child.fullName, bc.fullName);
  const sev = nameSeverity(name);
  if (sev)
    log.fail(
      'birthCert.name',
      R.BIRTH_CERT_NAME_MISMATCH,
      sev,
      `declared '${child.fullName}', certificate '${bc.fullName}' (${name})`,
    );
  else log.pass('birthCert.name');

  if (child.dateOfBirth === bc.dateOfBirth) log.pass('birthCert.dateOfBirth');
  else
    log.fail(
      'birthCert.dateOfBirth',
      R.BIRTH_CERT_DOB_MISMATCH,
      'reject',
      `declared ${child.dateOfBirth}, certificate ${bc.dateOfBirth}`,
    );

  if (child.gender === 'UNKNOWN' || bc.gender === 'UNKNOWN') {
    log.fail(
      'birthCert.gender',
      R.GENDER_UNKNOWN,
      'review',
      `declared ${child.gender}, certificate ${bc.gender}`,
    );
  } else if (child.gender !== bc.gender) {
    log.fail(
      'birthCert.gender',
      R.BIRTH_CERT_GENDER_MISMATCH,
      'reject',
      `declared ${child.gender}, certificate ${bc.gender}`,
    );
  } else log.pass('birthCert.gender');
}

/**
 * A parent must be the father or mother the birth certificate names; a guardian is not on the certificate and
 * always goes to an operator with the guardianship document.
 */
function checkRelationship(event: ChildRegistrationSubmitted, log: RuleLog): void {
  const { relationship, parent, birthCertificate: bc } = event;
  if (relationship === 'GUARDIAN') {
    if (event.guardianshipDocumentRef && event.guardianshipDocumentRef.trim() !== '')
      log.pass('guardian.document');
    else
      log.fail(
        'guardian.document',
        R.GUARDIAN_NEEDS_DOCUMENT,
        'reject',
        'a guardian must reference the guardianship document',
      );
    log.fail('guardian.review', R.GUARDIAN_REVIEW, 'review', 'guardianship is checked by an operator');
    return;
  }
  if (relationship !== 'FATHER' && relationship !== 'MOTHER') {
    log.fail('parent.relationship', R.RELATIONSHIP_UNKNOWN, 'review', `relationship ${relationship}`);
    return;
  }
  const onCert = relationship === 'FATHER' ? bc.fatherName : bc.motherName;
  const role = relationship === 'FATHER' ? 'father' : 'mother';
  if (!onCert) {
    log.fail('parent.onBirthCert', R.PARENT_NOT_ON_BIRTH_CERT, 'reject', `the certificate names no ${role}`);
    return;
  }
  const a = compareNames(parent.fullName, onCert);
  if (a === 'same') log.pass('parent.onBirthCert');
  else if (a === 'different') {
    log.fail(
      'parent.onBirthCert',
      R.PARENT_NOT_ON_BIRTH_CERT,
      'reject',
      `account holder '${parent.fullName}', ${role} on certificate '${onCert}'`,
    );
  } else {
    log.fail(
      'parent.onBirthCert',
      R.PARENT_NAME_SPELLING,
      'review',
      `account holder '${parent.fullName}', ${role} on certificate '${onCert}' (${a})`,
    );
  }
}

export interface HgdFinding {
  member: MemberRecord | null;
  how: 'bhxh_code' | 'household_match' | 'national_match' | null;
  score: number | null;
  candidates: ReturnType<typeof reviewCandidates>;
  parentHouseholdCode: string | null;
}

/**
 * Managed data: the child's HGD record (by the BHXH code if declared, else by the matching engine in the parent's
 * household and then nationally) must agree with the declaration and be linked to the parent (same household, or
 * the parent named as father/mother on the record).
 */
async function checkManagedData(
  event: ChildRegistrationSubmitted,
  ports: ChildRegistrationPorts,
  log: RuleLog,
): Promise<HgdFinding> {
  const { child, parent, birthCertificate: bc } = event;
  const parentHouseholdCode = await parentHousehold(event, ports);
  const found: HgdFinding = { member: null, how: null, score: null, candidates: [], parentHouseholdCode };

  if (child.bhxhCode) {
    const m = await ports.findMemberByBhxhCode(child.bhxhCode);
    if (!m) {
      log.fail(
        'hgd.record',
        R.HGD_RECORD_NOT_FOUND,
        'reject',
        `no HGD member holds BHXH code ${child.bhxhCode}`,
      );
      return found;
    }
    found.member = m;
    found.how = 'bhxh_code';
  } else {
    const query: PersonQuery = {
      queryId: event.registrationId,
      fullName: child.fullName,
      dob: child.dateOfBirth,
      gender: toMatchGender(child.gender),
      idNumber: child.personalIdNumber,
      provinceCode: null,
      fatherName: bc.fatherName,
      motherName: bc.motherName,
    };
    let result: MatchResult | null = null;
    if (parentHouseholdCode) {
      result = await ports.findPerson(query, { householdCode: parentHouseholdCode });
      found.how = 'household_match';
    }
    if (!result || result.decision === 'no_match') {
      result = await ports.findPerson(query);
      found.how = 'national_match';
    }
    found.candidates = reviewCandidates(result.candidates);
    if (result.decision === 'no_match') {
      found.how = null;
      log.fail('hgd.record', R.HGD_RECORD_NOT_FOUND, 'reject', 'no HGD member matches the declaration');
      return found;
    }
    if (result.decision === 'review' || !result.best) {
      log.fail(
        'hgd.record',
        R.HGD_AMBIGUOUS_MATCH,
        'review',
        `${result.candidates.length} candidate(s), none clearly the child`,
      );
      return found;
    }
    found.member = result.best.member;
    found.score = scoreOf(result.best);
  }
  const m = found.member;
  log.pass('hgd.record', `member ${m.memberId} by ${found.how}`);

  // Found by the declared code: a disagreement means the code names another person (reject). Found by fuzzy
  // matching: the matcher tolerates typos, so a disagreement is for a human.
  const hard: Severity = found.how === 'bhxh_code' ? 'reject' : 'review';
  const problems: { severity: Severity; text: string }[] = [];
  const name = compareNames(child.fullName, m.fullName);
  if (name === 'different') problems.push({ severity: hard, text: `name '${m.fullName}' (${name})` });
  else if (name !== 'same') problems.push({ severity: 'review', text: `name '${m.fullName}' (${name})` });
  const dob = compareDobWithMember(child.dateOfBirth, m);
  if (dob === 'different') problems.push({ severity: hard, text: `date of birth ${m.dob ?? '-'}` });
  else if (dob === 'unknown') problems.push({ severity: 'review', text: 'no date of birth on record' });
  const gender = compareGenderWithMember(child.gender, m);
  if (gender === 'different') problems.push({ severity: hard, text: `gender ${m.gender ?? '-'}` });
  if (child.personalIdNumber && m.idNumber && m.idNumber !== child.personalIdNumber) {
    problems.push({ severity: hard, text: `personal ID number ${m.idNumber}` });
  }
  log.agreement(m.memberId, problems);

  const inHousehold = parentHouseholdCode !== null && m.householdCode === parentHouseholdCode;
  const namedParent =
    (event.relationship === 'FATHER' &&
      m.fatherName !== null &&
      compareNames(parent.fullName, m.fatherName) === 'same') ||
    (event.relationship === 'MOTHER' &&
      m.motherName !== null &&
      compareNames(parent.fullName, m.motherName) === 'same');
  if (inHousehold || namedParent)
    log.pass('hgd.linkedToParent', inHousehold ? 'same household' : 'named as parent on the record');
  else {
    log.fail(
      'hgd.linkedToParent',
      R.HGD_NOT_LINKED_TO_PARENT,
      'review',
      `member household ${m.householdCode ?? '-'}, parent household ${parentHouseholdCode ?? 'unknown'}, record names neither parent as the account holder`,
    );
  }

  if (m.bhxhCode) log.pass('hgd.bhxhCode');
  else log.fail('hgd.bhxhCode', R.HGD_NO_BHXH_CODE, 'review', `member ${m.memberId} has no BHXH code yet`);
  return found;
}

/** The parent's household: as VssID knows it, else from the parent's own HGD record (by BHXH code, then ID number). */
async function parentHousehold(
  event: ChildRegistrationSubmitted,
  ports: ChildRegistrationPorts,
): Promise<string | null> {
  const p = event.parent;
  if (p.householdCode) return p.householdCode;
  if (p.bhxhCode) {
    const m = await ports.findMemberByBhxhCode(p.bhxhCode);
    if (m?.householdCode) return m.householdCode;
  }
  const byId = await ports.findMembersByIdNumber(p.idNumber);
  const households = [...new Set(byId.map((m) => m.householdCode).filter((h): h is string => h !== null))];
  return households.length === 1 ? households[0]! : null;
}

function scoreOf(c: ScoredCandidate): number {
  return Math.round(c.score * 1000) / 1000;
}
