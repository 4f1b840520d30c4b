/**
 * Rule 3 of the guidance letter: for staff of units under BHXH Bộ Quốc phòng and their relatives, when the
 * BHXH-code lookup returns nothing, search the person among HGD household members and change the BHXH code
 * in HGD to the code issued by BHXH BQP. A wrong automatic match changes the wrong person's code, so only
 * the matcher's `match` (high score AND clear lead) changes a code; anything ambiguous goes to a human.
 */
import type { CodeLookupFailed, CodeMapping } from '../../contracts/generated.js';
import type { Conflict, Decision, Effect, EmitEffect } from '../../domain/effects.js';
import { PermanentError } from '../../domain/errors.js';
import { deterministicUuid, reviewCaseId } from '../../domain/ids.js';
import type { MemberRecord, ScoredCandidate } from '../../matching/types.js';
import type { CodeChangeLog, FindPerson, HgdReads } from '../../ports/hgd.js';
import { openCase, reviewCandidates } from '../review/builders.js';
import type { DefenceCaseRequest } from '../review/requests.js';
import { round, toMatchGender } from '../shared.js';

export const REASON = {
  NOT_FOUND_IN_HGD: 'NOT_FOUND_IN_HGD',
  AMBIGUOUS_MATCH: 'AMBIGUOUS_MATCH',
  BQP_CODE_IN_USE: 'BQP_CODE_IN_USE',
  HGD_CHANGED_CONCURRENTLY: 'HGD_CHANGED_CONCURRENTLY',
  MEMBER_ALREADY_MAPPED: 'MEMBER_ALREADY_MAPPED',
  REJECTED_BY_OPERATOR: 'REJECTED_BY_OPERATOR',
  /** The member already holds the requested BQP code: nothing changes, the mapping is answered again. */
  ALREADY_MAPPED: 'ALREADY_MAPPED',
} as const;

/** The reason a review case names when the store found a conflict the flow's reads could not see. */
export const CONFLICT_REASON: Record<Conflict['kind'], string> = {
  code_in_use: REASON.BQP_CODE_IN_USE,
  guard_failed: REASON.HGD_CHANGED_CONCURRENTLY,
  case_not_open: REASON.HGD_CHANGED_CONCURRENTLY,
  case_not_resolved: REASON.HGD_CHANGED_CONCURRENTLY,
};

/** What the Defence flow reads: the matcher, the audit of earlier code changes, and HGD by code. */
export interface DefencePorts {
  findPerson: FindPerson;
  codeChanges: CodeChangeLog;
  hgd: Pick<HgdReads, 'findMemberByBhxhCode'>;
}

export interface DefenceFlowOptions {
  /** Optional rule for BQP-issued codes (docs/contracts.md: no published prefix; off by default). */
  bqpCodePattern: RegExp | null;
  now?: () => Date;
  /**
   * Set when a first attempt's code change met a conflict in the store (docs/adr/0003-conflicts.md): the flow then
   * never changes a code automatically, it opens a review case naming the conflict.
   */
  conflict?: Conflict | undefined;
}

const BHXH_CODE = /^\d{10}$/;

export function validateBqpCode(code: string, pattern: RegExp | null): void {
  if (!BHXH_CODE.test(code)) {
    throw new PermanentError('VALIDATION_FAILED', 'bqpCode: expected 10 digits');
  }
  if (pattern && !pattern.test(code)) {
    throw new PermanentError(
      'VALIDATION_FAILED',
      `bqpCode: does not match BQP_CODE_PATTERN ${pattern.source}`,
    );
  }
}

export async function decideCodeMapping(
  event: CodeLookupFailed,
  ports: DefencePorts,
  opts: DefenceFlowOptions,
): Promise<Decision> {
  validateBqpCode(event.bqpCode, opts.bqpCodePattern);
  const now = opts.now?.() ?? new Date();
  const p = event.person;
  const result = await ports.findPerson({
    queryId: event.requestId,
    fullName: p.fullName,
    dob: p.dateOfBirth.value || null,
    gender: toMatchGender(p.gender),
    idNumber: p.idNumber,
    provinceCode: p.provinceCode,
    wardCode: p.wardCode,
    fatherName: p.fatherName,
    motherName: p.motherName,
  });
  // One case per request: a retry of the same request under a new event id finds the same case.
  const caseId = reviewCaseId('DEFENCE_CODE_MAPPING', event.requestId);
  const holder = await ports.hgd.findMemberByBhxhCode(event.bqpCode);
  const top = result.best ?? result.candidates[0];
  if (holder && top && holder.memberId === top.memberId && result.decision !== 'no_match') {
    // Idempotent by business key (member, BQP code): a repeated request changes nothing and writes no audit row;
    // the answer carries the same ids as the first mapping, so downstream sees one mapping.
    return {
      outcome: 'already_mapped',
      effects: mappingEmits(
        event,
        now,
        {
          memberId: holder.memberId,
          householdCode: holder.householdCode,
          previousCode: null,
          score: round(top.score),
          decidedBy: 'AUTO',
          operator: null,
          caseId: null,
        },
        [REASON.ALREADY_MAPPED],
      ),
    };
  }

  if (result.decision === 'match' && result.best) {
    const best = result.best;
    const refusal = await autoChangeRefusal(event, best, ports, opts.conflict, holder);
    if (refusal) {
      return { outcome: 'review', effects: openReview(event, now, caseId, result.candidates, [refusal]) };
    }
    return {
      outcome: 'match',
      effects: [
        {
          kind: 'changeCode',
          memberId: best.memberId,
          householdCode: best.member.householdCode,
          expectedOldCode: best.member.bhxhCode,
          newCode: event.bqpCode,
          sourceEventId: event.eventId,
          caseId: null,
          actor: 'auto',
          score: round(best.score),
          evidence: best.evidence,
        },
        ...mappingEmits(event, now, {
          memberId: best.memberId,
          householdCode: best.member.householdCode,
          previousCode: best.member.bhxhCode,
          score: round(best.score),
          decidedBy: 'AUTO',
          operator: null,
          caseId: null,
        }),
      ],
    };
  }
  if (result.decision === 'review') {
    return {
      outcome: 'review',
      effects: openReview(event, now, caseId, result.candidates, [REASON.AMBIGUOUS_MATCH]),
    };
  }
  return {
    outcome: 'no_match',
    effects: [noMatchEmit(event, now, 'AUTO', null, null, [REASON.NOT_FOUND_IN_HGD])],
  };
}

/**
 * Why a clear match must still not change the code automatically, or null when it may. One person keeps one
 * lifelong code: a member we already gave another BQP code, or a BQP code another member holds, needs a human; and
 * after a conflict in the store the flow never retries a change on its own.
 */
export async function autoChangeRefusal(
  event: CodeLookupFailed,
  best: ScoredCandidate,
  ports: DefencePorts,
  conflict: Conflict | undefined,
  holder: MemberRecord | null,
): Promise<string | null> {
  if (conflict) return CONFLICT_REASON[conflict.kind];
  const given = await ports.codeChanges.codesGivenTo(best.memberId);
  if (given.some((code) => code !== event.bqpCode)) return REASON.MEMBER_ALREADY_MAPPED;
  if (holder && holder.memberId !== best.memberId) return REASON.BQP_CODE_IN_USE;
  return null;
}

interface MappingFields {
  memberId: string;
  householdCode: string | null;
  previousCode: string | null;
  score: number | null;
  decidedBy: 'AUTO' | 'OPERATOR';
  operator: string | null;
  caseId: string | null;
}

/**
 * CodeMapping to the Defence registry and to VssID: the same record, distinct deterministic ids per topic. The id
 * is derived from the business key (member, BQP code), so however many requests lead to the same mapping (retries
 * under new event ids, an operator confirming it), each topic carries it once.
 */
export function mappingEmits(
  event: DefenceCaseRequest,
  now: Date,
  f: MappingFields,
  reasonCodes: string[] = [],
): EmitEffect[] {
  return (['defenceCodeMappingDecided', 'vssidCodeMappingDecided'] as const).map((topic) => {
    const eventId = deterministicUuid('code-mapping', topic, 'mapped', f.memberId, event.bqpCode);
    const record: CodeMapping = {
      eventId,
      occurredAt: now,
      requestId: event.requestId,
      sourceEventId: event.eventId,
      outcome: 'MAPPED',
      bqpCode: event.bqpCode,
      memberId: f.memberId,
      householdCode: f.householdCode,
      previousCode: f.previousCode,
      score: f.score,
      decidedBy: f.decidedBy,
      operator: f.operator,
      caseId: f.caseId,
      reasonCodes,
      evidenceRef: f.caseId ? `review-case:${f.caseId}` : `code-change:${event.eventId}`,
    };
    return { kind: 'emit', topic, key: event.bqpCode, messageId: eventId, record };
  });
}

/** No member found: VssID learns the outcome so the registration can tell the person. */
export function noMatchEmit(
  event: DefenceCaseRequest,
  now: Date,
  decidedBy: 'AUTO' | 'OPERATOR',
  operator: string | null,
  caseId: string | null,
  reasonCodes: string[],
): EmitEffect {
  // Keyed by the request: a retry of the same request under a new event id gets the same answer id.
  const eventId = deterministicUuid(
    'code-mapping',
    'vssidCodeMappingDecided',
    'no-match',
    event.requestId,
    caseId ?? '',
  );
  const record: CodeMapping = {
    eventId,
    occurredAt: now,
    requestId: event.requestId,
    sourceEventId: event.eventId,
    outcome: 'NO_MATCH',
    bqpCode: event.bqpCode,
    memberId: null,
    householdCode: null,
    previousCode: null,
    score: null,
    decidedBy,
    operator,
    caseId,
    reasonCodes,
    evidenceRef: caseId ? `review-case:${caseId}` : null,
  };
  return { kind: 'emit', topic: 'vssidCodeMappingDecided', key: event.bqpCode, messageId: eventId, record };
}

export function openReview(
  event: CodeLookupFailed,
  now: Date,
  caseId: string,
  candidates: ScoredCandidate[],
  reasonCodes: string[],
): Effect[] {
  return openCase(
    {
      reviewKind: 'DEFENCE_CODE_MAPPING',
      caseId,
      sourceEventId: event.eventId,
      subjectId: event.requestId,
      reasonCodes,
      request: event,
      candidates: reviewCandidates(candidates),
      evidence: { bqpCode: event.bqpCode, bqpUnit: event.bqpUnit, staffRelation: event.staffRelation },
    },
    now,
  );
}
