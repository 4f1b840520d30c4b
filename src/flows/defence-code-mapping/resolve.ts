import type { Effect } from '../../domain/effects.js';
import type { MemberRecord } from '../../matching/types.js';
import type { CodeChangeLog, HgdReads } from '../../ports/hgd.js';
import type { ReviewCase } from '../../ports/review-cases.js';
import { auditActor, ReviewRefused, type Operator, type ReviewAction } from '../review/actions.js';
import { resolveCase } from '../review/builders.js';
import { defenceRequestOf } from '../review/requests.js';
import { mappingEmits, noMatchEmit, REASON } from './decide.js';

/**
 * An operator's decision on a Defence review case: the same guarded code change and the same events as an
 * automatic match, with the operator recorded in the audit and on the outputs. A conflict in the store (the member
 * changed, the code is held by someone else, the case was resolved meanwhile) refuses the resolution and leaves
 * the case open: nothing is overwritten.
 */
export function resolveDefenceCase(
  c: ReviewCase,
  action: ReviewAction,
  operator: Operator,
  member: MemberRecord | null,
  now: Date,
): Effect[] {
  const request = defenceRequestOf(c);
  if (action.kind === 'no_match') {
    return [
      ...resolveCase(
        c,
        { resolution: 'no_match', memberId: null, operator: operator.id, note: action.note },
        now,
      ),
      noMatchEmit(request, now, 'OPERATOR', operator.id, c.caseId, [REASON.REJECTED_BY_OPERATOR]),
    ];
  }
  if (!member) throw new ReviewRefused('MEMBER_NOT_FOUND', `member ${action.memberId} not found in HGD`);
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
      actor: auditActor(action, operator),
      score,
      evidence: {
        resolvedFrom: c.caseId,
        reasonCodes: c.reasonCodes,
        note: action.note,
        ...(action.override ? { override: { by: operator.id, reason: action.override.reason } } : {}),
      },
    },
    ...resolveCase(
      c,
      { resolution: 'member', memberId: member.memberId, operator: operator.id, note: action.note },
      now,
    ),
    ...mappingEmits(request, now, {
      memberId: member.memberId,
      householdCode: member.householdCode,
      previousCode: member.bhxhCode,
      score,
      decidedBy: 'OPERATOR',
      operator: operator.id,
      caseId: c.caseId,
    }),
  ];
}

/**
 * The lifelong-code rule for an operator's choice, read before anything is written: a member we already gave
 * another BQP code, or a BQP code another member holds, is refused (the store still guards against a concurrent
 * writer).
 */
export async function checkDefenceResolution(
  c: ReviewCase,
  member: MemberRecord,
  ports: { codeChanges: CodeChangeLog; hgd: Pick<HgdReads, 'findMemberByBhxhCode'> },
): Promise<void> {
  const { bqpCode } = defenceRequestOf(c);
  const given = await ports.codeChanges.codesGivenTo(member.memberId);
  if (given.some((code) => code !== bqpCode)) {
    throw new ReviewRefused(
      'CONFLICT',
      `member ${member.memberId} already received another BQP code; case ${c.caseId} stays open`,
    );
  }
  const holder = await ports.hgd.findMemberByBhxhCode(bqpCode);
  if (holder && holder.memberId !== member.memberId) {
    throw new ReviewRefused(
      'CONFLICT',
      `the BQP code is already held by HGD member ${holder.memberId}; case ${c.caseId} stays open`,
    );
  }
}
