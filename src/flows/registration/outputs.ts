/**
 * The outputs of the registration flows: RegistrationDecision to VssID and review-case events for operators,
 * each with a deterministic id derived from the source event (and case), so a duplicate publish is recognisable.
 */
import type {
  RegistrationDecision,
  RegistrationKind,
  RegistrationOutcome,
  ReviewCase,
} from '../../contracts/generated.js';
import { deterministicUuid } from '../../domain/ids.js';
import { PermanentError } from '../../domain/errors.js';
import type { MemberRecord } from '../../matching/types.js';
import type { Effect, EmitEffect, OpenReviewEffect, ResolveReviewEffect } from '../../runtime/effects.js';
import type { ReviewAction } from '../defence-code-mapping/resolve.js';

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
 * later decision on the same case get distinct ids.
 */
export function decisionEmit(f: DecisionFields, now: Date): EmitEffect {
  const eventId =
    f.decidedBy === 'OPERATOR'
      ? deterministicUuid('registration-decision', f.sourceEventId, 'operator', f.caseId ?? '')
      : deterministicUuid('registration-decision', f.sourceEventId);
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

export interface ReviewOpening {
  reviewKind: ReviewKind;
  caseId: string;
  sourceEventId: string;
  registrationId: string;
  reasonCodes: string[];
  request: unknown;
  candidates: OpenReviewEffect['candidates'];
  evidence: unknown;
}

/** Opens the case, tells operators (ReviewCase OPENED) and tells VssID the registration is IN_REVIEW. */
export function openReviewEffects(
  o: ReviewOpening,
  kind: RegistrationKind,
  now: Date,
): [OpenReviewEffect, EmitEffect, EmitEffect] {
  const eventId = deterministicUuid('review-case', 'opened', o.caseId);
  const record: ReviewCase = {
    eventId,
    occurredAt: now,
    caseId: o.caseId,
    kind: o.reviewKind,
    status: 'OPENED',
    subjectId: o.registrationId,
    reasonCodes: o.reasonCodes,
    candidates: o.candidates.map(({ memberId, householdCode, score }) => ({
      memberId,
      householdCode,
      score,
    })),
    resolution: null,
    resolvedBy: null,
    note: null,
  };
  return [
    {
      kind: 'openReview',
      caseId: o.caseId,
      reviewKind: o.reviewKind,
      sourceEventId: o.sourceEventId,
      subjectId: o.registrationId,
      reasonCodes: o.reasonCodes,
      request: o.request,
      candidates: o.candidates,
      evidence: o.evidence,
    },
    { kind: 'emit', topic: 'reviewCaseChanged', key: o.caseId, messageId: eventId, record },
    decisionEmit(
      {
        kind,
        registrationId: o.registrationId,
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

export interface OpenCaseView {
  caseId: string;
  subjectId: string;
  reasonCodes: string[];
  candidates: { memberId: string; householdCode: string | null; score: number }[];
}

/** Marks the case resolved and tells operators (ReviewCase RESOLVED). */
export function resolveReviewEffects(
  c: OpenCaseView,
  reviewKind: ReviewKind,
  r: { resolution: 'member' | 'no_match'; memberId: string | null; operator: string; note: string | null },
  now: Date,
): [ResolveReviewEffect, EmitEffect] {
  const eventId = deterministicUuid('review-case', 'resolved', c.caseId);
  const record: ReviewCase = {
    eventId,
    occurredAt: now,
    caseId: c.caseId,
    kind: reviewKind,
    status: 'RESOLVED',
    subjectId: c.subjectId,
    reasonCodes: c.reasonCodes,
    candidates: c.candidates.map(({ memberId, householdCode, score }) => ({
      memberId,
      householdCode,
      score,
    })),
    resolution: r.memberId ? `member:${r.memberId}` : r.resolution,
    resolvedBy: r.operator,
    note: r.note,
  };
  return [
    {
      kind: 'resolveReview',
      caseId: c.caseId,
      resolvedBy: r.operator,
      resolution: r.resolution,
      memberId: r.memberId,
      note: r.note,
    },
    { kind: 'emit', topic: 'reviewCaseChanged', key: c.caseId, messageId: eventId, record },
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
  c: OpenCaseView & { request: unknown },
  action: ReviewAction,
  member: MemberRecord | null,
  now: Date,
  opts: { kind: 'CHILD' | 'ADULT'; reviewKind: ReviewKind; onApprove?: () => Effect[] },
): Effect[] {
  const request = c.request as { eventId: string; registrationId: string };
  const base = {
    kind: opts.kind,
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
        opts.reviewKind,
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
    ...(opts.onApprove?.() ?? []),
    ...resolveReviewEffects(
      c,
      opts.reviewKind,
      { resolution: 'member', memberId: member.memberId, operator: action.operator, note: action.note },
      now,
    ),
    decisionEmit({ ...base, outcome: 'APPROVED', reasonCodes: [], bhxhCode: member.bhxhCode }, now),
  ];
}
