import type { CodeLookupFailed, ReviewCase } from '../../contracts/generated.js';
import { PermanentError } from '../../domain/errors.js';
import { deterministicUuid } from '../../domain/ids.js';
import type { MemberRecord } from '../../matching/types.js';
import type { Effect } from '../../runtime/effects.js';
import { mappingEmits, noMatchEmit, REASON } from './decide.js';

export type ReviewAction =
  | { kind: 'member'; memberId: string; operator: string; note: string | null }
  | { kind: 'no_match'; operator: string; note: string | null };

export interface OpenCase {
  caseId: string;
  subjectId: string;
  reasonCodes: string[];
  /** The stored request (a CodeLookupFailed as JSON). */
  request: unknown;
  candidates: { memberId: string; householdCode: string | null; score: number }[];
}

/**
 * An operator's decision on a Defence review case: the same guarded code change and the same events as an
 * automatic match, with the operator recorded in the audit and on the outputs.
 */
export function resolveDefenceCase(
  c: OpenCase,
  action: ReviewAction,
  member: MemberRecord | null,
  now: Date,
): Effect[] {
  const request = c.request as CodeLookupFailed;
  const resolvedEvent = (resolution: string, memberId: string | null): Effect => {
    const eventId = deterministicUuid('review-case', 'resolved', c.caseId);
    const record: ReviewCase = {
      eventId,
      occurredAt: now,
      caseId: c.caseId,
      kind: 'DEFENCE_CODE_MAPPING',
      status: 'RESOLVED',
      subjectId: c.subjectId,
      reasonCodes: c.reasonCodes,
      candidates: c.candidates.map(({ memberId: m, householdCode, score }) => ({
        memberId: m,
        householdCode,
        score,
      })),
      resolution: memberId ? `member:${memberId}` : resolution,
      resolvedBy: action.operator,
      note: action.note,
    };
    return { kind: 'emit', topic: 'reviewCaseChanged', key: c.caseId, messageId: eventId, record };
  };
  const resolve = (resolution: string, memberId: string | null): Effect => ({
    kind: 'resolveReview',
    caseId: c.caseId,
    resolvedBy: action.operator,
    resolution,
    memberId,
    note: action.note,
  });

  if (action.kind === 'no_match') {
    return [
      resolve('no_match', null),
      noMatchEmit(request, now, 'OPERATOR', action.operator, c.caseId, [REASON.REJECTED_BY_OPERATOR]),
      resolvedEvent('no_match', null),
    ];
  }
  if (!member) throw new PermanentError('INVALID_REQUEST', `member ${action.memberId} not found in HGD`);
  const score = c.candidates.find((x) => x.memberId === member.memberId)?.score ?? null;
  return [
    {
      kind: 'changeCode',
      memberId: member.memberId,
      householdCode: member.householdCode,
      expectedOldCode: member.bhxhCode,
      newCode: request.bqpCode,
      sourceEventId: `${request.eventId}#${c.caseId}`,
      caseId: c.caseId,
      actor: `operator:${action.operator}`,
      score,
      evidence: { resolvedFrom: c.caseId, reasonCodes: c.reasonCodes, note: action.note },
      onChanged: [
        resolve('member', member.memberId),
        ...mappingEmits(request, now, {
          memberId: member.memberId,
          householdCode: member.householdCode,
          previousCode: member.bhxhCode,
          score,
          decidedBy: 'OPERATOR',
          operator: action.operator,
          caseId: c.caseId,
        }),
        resolvedEvent('member', member.memberId),
      ],
      // Leave the case open and tell the operator: nothing is overwritten.
      onConflict: (reason) => {
        throw new PermanentError(
          'INVALID_REQUEST',
          reason === 'code_in_use'
            ? `BQP code is already held by another HGD member; case ${c.caseId} stays open`
            : reason === 'already_mapped'
              ? `member ${member.memberId} already received another BQP code; case ${c.caseId} stays open`
              : `member ${member.memberId} changed since it was read; try again`,
        );
      },
    },
  ];
}
