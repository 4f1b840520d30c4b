/**
 * Rule 4 of the guidance letter: a person aged 15 or over with a CCCD, CMND or passport registers for
 * e-transactions; the signed paper form 01 and an e-copy of the ID document are archived. The bridge checks the
 * age, the ID number, that both documents are really in the archive with the declared digest and size (and are
 * of an allowed type), and that HGD knows the person as declared; on approval it records the archive entries in
 * the same transaction as the decision.
 */
import type { AdultRegistrationSubmitted, DocumentRef } from '../../contracts/generated.js';
import { ageOn, cccdConsistentWith, isCmnd, isPassport, parseCccd } from '../../domain/identifiers.js';
import { reviewCaseId } from '../../domain/ids.js';
import type { MemberRecord, PersonQuery } from '../../matching/types.js';
import type { ArchiveEffect, Decision } from '../../domain/effects.js';
import { compareDobWithMember, compareGenderWithMember, compareNames } from '../registration/identity.js';
import { decisionEmit, openReviewEffects } from '../registration/outputs.js';
import { RuleLog, safeAge, type Severity } from '../registration/rules.js';
import type { FindPerson } from '../../ports/hgd.js';
import { reviewCandidates } from '../review/builders.js';
import { toMatchGender } from '../shared.js';
import { allowedMediaType, contentMatchesMediaType, parseArchiveUri, retentionUntil } from './documents.js';
import type { DocumentStore } from '../../ports/documents.js';

export const ADULT_REASON = {
  AGE_UNDER_15: 'AGE_UNDER_15',
  ID_KIND_UNKNOWN: 'ID_KIND_UNKNOWN',
  ID_NUMBER_INVALID: 'ID_NUMBER_INVALID',
  ID_NUMBER_INCONSISTENT: 'ID_NUMBER_INCONSISTENT',
  DOCUMENT_MISSING: 'DOCUMENT_MISSING',
  DOCUMENT_PATH_INVALID: 'DOCUMENT_PATH_INVALID',
  DOCUMENT_MEDIA_TYPE_NOT_ALLOWED: 'DOCUMENT_MEDIA_TYPE_NOT_ALLOWED',
  DOCUMENT_NOT_FOUND: 'DOCUMENT_NOT_FOUND',
  DOCUMENT_SIZE_MISMATCH: 'DOCUMENT_SIZE_MISMATCH',
  DOCUMENT_HASH_MISMATCH: 'DOCUMENT_HASH_MISMATCH',
  DOCUMENT_CONTENT_MISMATCH: 'DOCUMENT_CONTENT_MISMATCH',
  DOCUMENT_UNREADABLE: 'DOCUMENT_UNREADABLE',
  DOCUMENTS_NOT_DISTINCT: 'DOCUMENTS_NOT_DISTINCT',
  HGD_RECORD_NOT_FOUND: 'HGD_RECORD_NOT_FOUND',
  HGD_FOUND_BY_MATCHING_ONLY: 'HGD_FOUND_BY_MATCHING_ONLY',
  HGD_AMBIGUOUS_ID_NUMBER: 'HGD_AMBIGUOUS_ID_NUMBER',
  HGD_IDENTIFIERS_CONFLICT: 'HGD_IDENTIFIERS_CONFLICT',
  HGD_RECORD_MISMATCH: 'HGD_RECORD_MISMATCH',
  HGD_NO_BHXH_CODE: 'HGD_NO_BHXH_CODE',
} as const;
const R = ADULT_REASON;

/** Guidance letter rule 4 applies from this age on the submission date. */
export const ADULT_MIN_AGE = 15;

export type DocumentKind = 'FORM_01' | 'ID_COPY';

export interface AdultRegistrationPorts {
  documents: DocumentStore;
  findMemberByBhxhCode(bhxhCode: string): Promise<MemberRecord | null>;
  findMembersByIdNumber(idNumber: string): Promise<MemberRecord[]>;
  /** The matching engine, used only to propose candidates to an operator (never to approve). */
  findPerson: FindPerson;
}

export interface AdultFlowOptions {
  /** ARCHIVE_RETENTION_YEARS: how long archive records are kept after the submission date. */
  retentionYears: number;
  now?: () => Date;
}

/** What the evidence of a review case keeps so an operator's approval can record the archive without re-reading. */
export interface AdultCaseEvidence {
  rules: RuleLog['results'];
  /** The archive records to write on approval: null when the documents could not be verified. */
  archive: ArchiveEffect[] | null;
  hgd: { memberIds: string[]; how: string | null };
}

export async function decideAdultRegistration(
  event: AdultRegistrationSubmitted,
  ports: AdultRegistrationPorts,
  opts: AdultFlowOptions,
): Promise<Decision> {
  const now = opts.now?.() ?? new Date();
  const { log, archive, hgd } = await evaluateAdultRegistration(event, ports, opts);
  const verdict = log.verdict();
  const base = {
    kind: 'ADULT' as const,
    registrationId: event.registrationId,
    sourceEventId: event.eventId,
    decidedBy: 'AUTO' as const,
    operator: null,
  };
  if (verdict.outcome === 'approved') {
    return {
      outcome: 'approved',
      effects: [
        ...archive!,
        decisionEmit(
          { ...base, outcome: 'APPROVED', reasonCodes: [], bhxhCode: hgd.member!.bhxhCode, caseId: null },
          now,
        ),
      ],
    };
  }
  if (verdict.outcome === 'rejected') {
    return {
      outcome: 'rejected',
      effects: [
        decisionEmit(
          { ...base, outcome: 'REJECTED', reasonCodes: verdict.codes, bhxhCode: null, caseId: null },
          now,
        ),
      ],
    };
  }
  const evidence: AdultCaseEvidence = {
    rules: log.results,
    archive,
    hgd: { memberIds: hgd.members.map((m) => m.memberId), how: hgd.how },
  };
  return {
    outcome: 'review',
    effects: openReviewEffects(
      {
        reviewKind: 'ADULT_REGISTRATION',
        caseId: reviewCaseId('ADULT_REGISTRATION', event.registrationId),
        sourceEventId: event.eventId,
        registrationId: event.registrationId,
        reasonCodes: verdict.codes,
        request: event,
        candidates: hgd.candidates,
        evidence,
      },
      'ADULT',
      now,
    ),
  };
}

export interface AdultEvaluation {
  /** Every rule's result, in order, passes included. */
  log: RuleLog;
  /** The archive records to write on approval; null when the documents did not all verify. */
  archive: ArchiveEffect[] | null;
  hgd: HgdFinding;
}

/** Runs every rule (no short cut: VssID learns all failing reasons at once). */
export async function evaluateAdultRegistration(
  event: AdultRegistrationSubmitted,
  ports: AdultRegistrationPorts,
  opts: Pick<AdultFlowOptions, 'retentionYears'>,
): Promise<AdultEvaluation> {
  const log = new RuleLog();
  const { person } = event;
  const age = safeAge(ageOn, person.dateOfBirth, event.submittedOn, 'person.dateOfBirth');
  if (age >= ADULT_MIN_AGE) log.pass('person.age15', `aged ${age} on ${event.submittedOn}`);
  else
    log.fail(
      'person.age15',
      R.AGE_UNDER_15,
      'reject',
      `aged ${age} on ${event.submittedOn}: register through a parent`,
    );

  checkIdNumber(event, log);
  const archive = await checkDocuments(event, ports.documents, opts.retentionYears, log);
  const hgd = await checkManagedData(event, ports, log);
  return { log, archive, hgd };
}

function checkIdNumber(event: AdultRegistrationSubmitted, log: RuleLog): void {
  const { kind, number } = event.idDocument;
  const { dateOfBirth, gender } = event.person;
  switch (kind) {
    case 'CCCD': {
      if (!parseCccd(number))
        return log.fail('id.format', R.ID_NUMBER_INVALID, 'reject', 'a CCCD is 12 digits, province 001–096');
      log.pass('id.format');
      const problems = cccdConsistentWith(number, dateOfBirth, gender);
      if (problems.length > 0)
        log.fail('id.consistent', R.ID_NUMBER_INCONSISTENT, 'reject', problems.join('; '));
      else log.pass('id.consistent');
      return;
    }
    case 'CMND':
      // A 12-digit CMND (2012–2016) has the CCCD layout, but older ones were issued by police codes: format only.
      if (isCmnd(number)) log.pass('id.format');
      else log.fail('id.format', R.ID_NUMBER_INVALID, 'reject', 'a CMND is 9 or 12 digits');
      return;
    case 'PASSPORT':
      if (isPassport(number)) log.pass('id.format');
      else
        log.fail(
          'id.format',
          R.ID_NUMBER_INVALID,
          'reject',
          'a passport number is one capital letter and 7 digits',
        );
      return;
    default:
      log.fail('id.format', R.ID_KIND_UNKNOWN, 'reject', `document kind ${kind}`);
  }
}

/**
 * Both documents must be in the archive as declared. Returns the archive records to write on approval, or null
 * when a document could not be verified.
 */
async function checkDocuments(
  event: AdultRegistrationSubmitted,
  store: DocumentStore,
  retentionYears: number,
  log: RuleLog,
): Promise<ArchiveEffect[] | null> {
  const docs: [DocumentKind, DocumentRef][] = [
    ['FORM_01', event.form01],
    ['ID_COPY', event.idCopy],
  ];
  const records: ArchiveEffect[] = [];
  for (const [kind, ref] of docs) {
    const rule = `document.${kind}`;
    const fail = (code: string, severity: Severity, detail: string) =>
      log.fail(rule, `${code}:${kind}`, severity, detail);
    if (!ref || ref.uri.trim() === '') {
      fail(R.DOCUMENT_MISSING, 'reject', 'no document reference');
      continue;
    }
    const mediaType = allowedMediaType(ref.mediaType);
    if (!mediaType) {
      fail(
        R.DOCUMENT_MEDIA_TYPE_NOT_ALLOWED,
        'reject',
        `media type '${ref.mediaType}' is not one of the allowed types`,
      );
      continue;
    }
    const parsed = parseArchiveUri(ref.uri);
    if (!parsed.ok) {
      fail(R.DOCUMENT_PATH_INVALID, 'reject', `'${ref.uri.slice(0, 200)}': ${parsed.problem}`);
      continue;
    }
    const found = await store.inspect(parsed.key, { expectedSize: ref.sizeBytes });
    if (found.status === 'not_found') {
      fail(R.DOCUMENT_NOT_FOUND, 'reject', `${parsed.canonicalUri} is not in the archive`);
      continue;
    }
    if (found.status === 'outside_root') {
      fail(R.DOCUMENT_PATH_INVALID, 'reject', `${parsed.canonicalUri} resolves outside the archive`);
      continue;
    }
    if (found.status === 'unreadable') {
      fail(R.DOCUMENT_UNREADABLE, 'review', `${parsed.canonicalUri}: ${found.detail}`);
      continue;
    }
    if (found.sizeBytes !== ref.sizeBytes) {
      fail(
        R.DOCUMENT_SIZE_MISMATCH,
        'reject',
        `declared ${ref.sizeBytes} bytes, archive holds ${found.sizeBytes}`,
      );
      continue;
    }
    if (found.sha256 === null || found.sha256 !== ref.sha256.toLowerCase()) {
      fail(
        R.DOCUMENT_HASH_MISMATCH,
        'reject',
        `declared sha256 ${ref.sha256.toLowerCase()}, archive holds ${found.sha256 ?? '?'}`,
      );
      continue;
    }
    if (!contentMatchesMediaType(found.head, mediaType)) {
      fail(R.DOCUMENT_CONTENT_MISMATCH, 'reject', `the bytes are not ${mediaType}`);
      continue;
    }
    log.pass(rule, parsed.canonicalUri);
    records.push({
      kind: 'archive',
      registrationId: event.registrationId,
      documentKind: kind,
      sha256: found.sha256,
      sizeBytes: found.sizeBytes,
      uri: parsed.canonicalUri,
      mediaType,
      retentionUntil: retentionUntil(event.submittedOn, retentionYears),
    });
  }
  if (records.length < docs.length) return null;
  const [form, copy] = records as [ArchiveEffect, ArchiveEffect];
  if (form.uri === copy.uri || form.sha256 === copy.sha256) {
    log.fail(
      'documents.distinct',
      R.DOCUMENTS_NOT_DISTINCT,
      'reject',
      'form 01 and the ID copy are the same file',
    );
    return null;
  }
  log.pass('documents.distinct');
  return records;
}

export interface HgdFinding {
  member: MemberRecord | null;
  members: MemberRecord[];
  how: 'id_number' | 'bhxh_code' | 'matching' | null;
  candidates: { memberId: string; householdCode: string | null; score: number; evidence?: unknown }[];
}

/**
 * HGD must know the person by an identifier (ID number or BHXH code) and agree with the declaration. A person
 * found only by fuzzy matching (HGD may still hold an old CMND) is proposed to an operator, never approved.
 */
async function checkManagedData(
  event: AdultRegistrationSubmitted,
  ports: AdultRegistrationPorts,
  log: RuleLog,
): Promise<HgdFinding> {
  const { person, idDocument } = event;
  const byId = await ports.findMembersByIdNumber(idDocument.number);
  const byCode = person.bhxhCode ? await ports.findMemberByBhxhCode(person.bhxhCode) : null;
  const found: HgdFinding = { member: null, members: [], how: null, candidates: [] };
  const asCandidates = (ms: MemberRecord[]) =>
    ms.map((m) => ({ memberId: m.memberId, householdCode: m.householdCode, score: 0 }));

  if (byId.length > 1) {
    found.members = byId;
    found.candidates = asCandidates(byId);
    log.fail(
      'hgd.record',
      R.HGD_AMBIGUOUS_ID_NUMBER,
      'review',
      `${byId.length} HGD members hold ID number ${idDocument.number}`,
    );
    return found;
  }
  const idMember = byId[0] ?? null;
  if (idMember && byCode && idMember.memberId !== byCode.memberId) {
    found.members = [idMember, byCode];
    found.candidates = asCandidates(found.members);
    log.fail(
      'hgd.record',
      R.HGD_IDENTIFIERS_CONFLICT,
      'review',
      `ID number names ${idMember.memberId}, BHXH code names ${byCode.memberId}`,
    );
    return found;
  }
  const m = idMember ?? byCode;
  if (!m) {
    const query: PersonQuery = {
      queryId: event.registrationId,
      fullName: person.fullName,
      dob: person.dateOfBirth,
      gender: toMatchGender(person.gender),
      idNumber: idDocument.kind === 'PASSPORT' ? null : idDocument.number,
      provinceCode: person.provinceCode,
      fatherName: null,
      motherName: null,
    };
    const result = await ports.findPerson(query);
    if (result.decision === 'no_match') {
      log.fail(
        'hgd.record',
        R.HGD_RECORD_NOT_FOUND,
        'reject',
        `no HGD member by ID number${person.bhxhCode ? ' or BHXH code' : ''}, and none similar`,
      );
      return found;
    }
    found.how = 'matching';
    found.members = result.candidates.map((c) => c.member);
    found.candidates = reviewCandidates(result.candidates);
    log.fail(
      'hgd.record',
      R.HGD_FOUND_BY_MATCHING_ONLY,
      'review',
      `not found by identifier; ${result.candidates.length} similar member(s)`,
    );
    return found;
  }
  found.member = m;
  found.members = [m];
  found.how = idMember ? 'id_number' : 'bhxh_code';
  found.candidates = asCandidates([m]);
  log.pass('hgd.record', `member ${m.memberId} by ${found.how}`);

  const problems: { severity: Severity; text: string }[] = [];
  const name = compareNames(person.fullName, m.fullName);
  if (name === 'different') problems.push({ severity: 'reject', text: `name '${m.fullName}'` });
  else if (name !== 'same') problems.push({ severity: 'review', text: `name '${m.fullName}' (${name})` });
  const dob = compareDobWithMember(person.dateOfBirth, m);
  if (dob === 'different') problems.push({ severity: 'reject', text: `date of birth ${m.dob ?? '-'}` });
  else if (dob === 'unknown') problems.push({ severity: 'review', text: 'no date of birth on record' });
  if (compareGenderWithMember(person.gender, m) === 'different')
    problems.push({ severity: 'reject', text: `gender ${m.gender ?? '-'}` });
  if (person.bhxhCode && m.bhxhCode && person.bhxhCode !== m.bhxhCode) {
    problems.push({
      severity: 'review',
      text: `declared BHXH code ${person.bhxhCode}, record holds ${m.bhxhCode}`,
    });
  }
  // Found by BHXH code with another ID number on record: HGD may still hold an old CMND. For a human.
  if (!idMember && m.idNumber && m.idNumber !== idDocument.number) {
    problems.push({ severity: 'review', text: `ID number on record ${m.idNumber}` });
  }
  log.agreement(m.memberId, problems);
  if (m.bhxhCode) log.pass('hgd.bhxhCode');
  else log.fail('hgd.bhxhCode', R.HGD_NO_BHXH_CODE, 'review', `member ${m.memberId} has no BHXH code yet`);
  return found;
}
