import type { ChildRegistrationSubmitted } from '../../contracts/generated.js';
import { PermanentError } from '../../domain/errors.js';
import type { MemberRecord } from '../../matching/types.js';
import type { Effect } from '../../runtime/effects.js';
import type { ReviewAction } from '../defence-code-mapping/resolve.js';
import {
  decisionEmit,
  REJECTED_BY_OPERATOR,
  resolveReviewEffects,
  type OpenCaseView,
} from '../registration/outputs.js';

/** A review case as the resolver reads it back: the stored request is the submitted event as JSON. */
export interface ChildCase extends OpenCaseView {
  request: unknown;
}

/**
 * An operator's decision on a child registration: `member` approves with that HGD member's BHXH code (the
 * operator has checked the documents and the link to the parent); `no_match` rejects.
 */
export function resolveChildCase(
  c: ChildCase,
  action: ReviewAction,
  member: MemberRecord | null,
  now: Date,
): Effect[] {
  const request = c.request as Pick<ChildRegistrationSubmitted, 'eventId' | 'registrationId'>;
  const base = {
    kind: 'CHILD' as const,
    registrationId: request.registrationId,
    sourceEventId: request.eventId,
    caseId: c.caseId,
    decidedBy: 'OPERATOR' as const,
    operator: action.operator,
  };
  if (action.kind === 'no_match') {
    return [
      ...resolveReviewEffects(
        c,
        'CHILD_REGISTRATION',
        { resolution: 'no_match', memberId: null, operator: action.operator, note: action.note },
        now,
      ),
      decisionEmit(
        { ...base, outcome: 'REJECTED', reasonCodes: [REJECTED_BY_OPERATOR], bhxhCode: null },
        now,
      ),
    ];
  }
  if (!member) throw new PermanentError('INVALID_REQUEST', `member ${action.memberId} not found in HGD`);
  if (!member.bhxhCode) {
    throw new PermanentError(
      'INVALID_REQUEST',
      `member ${member.memberId} has no BHXH code: an approval must carry one`,
    );
  }
  return [
    ...resolveReviewEffects(
      c,
      'CHILD_REGISTRATION',
      { resolution: 'member', memberId: member.memberId, operator: action.operator, note: action.note },
      now,
    ),
    decisionEmit({ ...base, outcome: 'APPROVED', reasonCodes: [], bhxhCode: member.bhxhCode }, now),
  ];
}
