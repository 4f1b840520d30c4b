/**
 * The outputs of the registration flows: RegistrationDecision to VssID and review-case events for operators,
 * each with a deterministic id derived from the source event (and case), so a duplicate publish is recognisable.
 */
import type {
  RegistrationDecision,
  RegistrationKind,
  RegistrationOutcome,
} from '../../contracts/generated.js';
import type { Effect, EmitEffect, OpenReviewEffect } from '../../domain/effects.js';
import { deterministicUuid } from '../../domain/ids.js';
import type { MemberRecord } from '../../matching/types.js';
import type { ReviewCase } from '../../ports/review-cases.js';
import { ReviewRefused, type Operator, type ReviewAction } from '../review/actions.js';
import { openCase, resolveCase, type CaseOpening } from '../review/builders.js';
import { registrationRequestOf } from '../review/requests.js';

export type ReviewKind = 'CHILD_REGISTRATION' | 'ADULT_REGISTRATION';

export interface DecisionFields {
  kind: RegistrationKind;
  registrationId: string;
  sourceEventId: string;
  outcome: RegistrationOutcome;
  reasonCodes: string[];
  bhxhCode: string | null;
  caseId: string | null;
  decidedBy: 'AUTO' | 'OPERATOR';
  operator: string | null;
}

/**
 * RegistrationDecision, keyed by registration id. The automatic decision (including IN_REVIEW) and an operator's
 * later decision on the same case get distinct ids; both are derived from the registration id (the business key).
 */
export function decisionEmit(f: DecisionFields, now: Date): EmitEffect {
  // Keyed by the registration: the same registration submitted again under a new event id gets one decision.
  const eventId =
    f.decidedBy === 'OPERATOR'
      ? deterministicUuid('registration-decision', f.registrationId, 'operator', f.caseId ?? '')
      : deterministicUuid('registration-decision', f.registrationId);
  const record: RegistrationDecision = {
    eventId,
    occurredAt: now,
    registrationId: f.registrationId,
    sourceEventId: f.sourceEventId,
    kind: f.kind,
    outcome: f.outcome,
    reasonCodes: f.reasonCodes,
    bhxhCode: f.bhxhCode,
    caseId: f.caseId,
    decidedBy: f.decidedBy,
    operator: f.operator,
  };
  return { kind: 'emit', topic: 'registrationDecided', key: f.registrationId, messageId: eventId, record };
}

export interface ReviewOpening extends Omit<CaseOpening, 'reviewKind' | 'subjectId'> {
  reviewKind: ReviewKind;
  registrationId: string;
}

/** Opens the case, tells operators (ReviewCase OPENED) and tells VssID the registration is IN_REVIEW. */
export function openReviewEffects(
  o: ReviewOpening,
  kind: RegistrationKind,
  now: Date,
): [OpenReviewEffect, EmitEffect, EmitEffect] {
  const { registrationId, ...opening } = o;
  return [
    ...openCase({ ...opening, subjectId: registrationId }, now),
    decisionEmit(
      {
        kind,
        registrationId,
        sourceEventId: o.sourceEventId,
        outcome: 'IN_REVIEW',
        reasonCodes: o.reasonCodes,
        bhxhCode: null,
        caseId: o.caseId,
        decidedBy: 'AUTO',
        operator: null,
      },
      now,
    ),
  ];
}

/** Reason code of every operator rejection (the same code as the defence flow's). */
export const REJECTED_BY_OPERATOR = 'REJECTED_BY_OPERATOR';

/**
 * An operator's decision on a registration review case, shared by the child and adult flows: `member` approves
 * with that HGD member's BHXH code (plus `onApprove`'s effects, e.g. archive records), `no_match` rejects. Both
 * resolve the case and emit a RegistrationDecision decided by the operator.
 */
export function resolveRegistrationCase(
  c: ReviewCase,
  action: ReviewAction,
  operator: Operator,
  member: MemberRecord | null,
  now: Date,
  opts: { kind: RegistrationKind; onApprove?: () => Effect[] },
): Effect[] {
  const request = registrationRequestOf(c);
  const base = {
    kind: opts.kind,
    registrationId: request.registrationId,
    sourceEventId: request.eventId,
    caseId: c.caseId,
    decidedBy: 'OPERATOR' as const,
    operator: operator.id,
  };
  if (action.kind === 'no_match') {
    return [
      ...resolveCase(
        c,
        { resolution: 'no_match', memberId: null, operator: operator.id, note: action.note },
        now,
      ),
      decisionEmit(
        { ...base, outcome: 'REJECTED', reasonCodes: [REJECTED_BY_OPERATOR], bhxhCode: null },
        now,
      ),
    ];
  }
  if (!member) throw new ReviewRefused('MEMBER_NOT_FOUND', `member ${action.memberId} not found in HGD`);
  if (!member.bhxhCode) {
    throw new ReviewRefused(
      'NOT_APPROVABLE',
      `member ${member.memberId} has no BHXH code: an approval must carry one`,
    );
  }
  return [
    ...(opts.onApprove?.() ?? []),
    ...resolveCase(
      c,
      { resolution: 'member', memberId: member.memberId, operator: operator.id, note: action.note },
      now,
    ),
    decisionEmit({ ...base, outcome: 'APPROVED', reasonCodes: [], bhxhCode: member.bhxhCode }, now),
  ];
}
