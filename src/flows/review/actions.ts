/**
 * What an operator may do with a review case, and who may do it. The identity comes from the caller's credential
 * (never from a request body); the rules here are the same for the CLI, the HTTP API and the console.
 */
import { PermanentError } from '../../domain/errors.js';
import type { ReviewCase } from '../../ports/review-cases.js';

export type OperatorRole = 'viewer' | 'reviewer' | 'supervisor';

export interface Operator {
  /** Stable identity from the credential (local account name or OIDC subject/e-mail). */
  id: string;
  role: OperatorRole;
}

export type ReviewAction =
  | {
      kind: 'member';
      memberId: string;
      note: string | null;
      /** A member outside the case's candidates: supervisors only, with a written reason, audited as an override. */
      override?: { reason: string };
    }
  | { kind: 'no_match'; note: string | null };

/** Why a resolution was refused; the HTTP layer maps each to a status (404, 403, 409, 422). */
export type RefusalCode =
  | 'CASE_NOT_FOUND'
  | 'CASE_NOT_OPEN'
  | 'ROLE_NOT_ALLOWED'
  | 'NOT_A_CANDIDATE'
  | 'OVERRIDE_REASON_REQUIRED'
  | 'MEMBER_NOT_FOUND'
  | 'NOT_APPROVABLE'
  | 'CONFLICT'
  | 'CASE_NOT_RESOLVED'
  | 'STORED_CASE_INVALID';

/** The shortest written reason an override or a reopening accepts: a sentence, not a shrug. */
export const MIN_REASON = 10;

export class ReviewRefused extends PermanentError {
  constructor(
    readonly refusal: RefusalCode,
    message: string,
  ) {
    super('INVALID_REQUEST', message);
  }
}

/** Checks role, case state and candidate membership; throws ReviewRefused. */
export function checkAction(c: ReviewCase, action: ReviewAction, operator: Operator): void {
  if (!operator.id.trim())
    throw new ReviewRefused('ROLE_NOT_ALLOWED', 'an authenticated operator is required');
  if (operator.role === 'viewer') {
    throw new ReviewRefused('ROLE_NOT_ALLOWED', `role viewer cannot resolve review cases`);
  }
  if (c.status !== 'open') {
    throw new ReviewRefused(
      'CASE_NOT_OPEN',
      `review case ${c.caseId} is already resolved (${c.resolution ?? '?'} by ${c.resolvedBy ?? '?'})`,
    );
  }
  if (action.kind !== 'member') return;
  const isCandidate = c.candidates.some((x) => x.memberId === action.memberId);
  if (action.override) {
    if (operator.role !== 'supervisor') {
      throw new ReviewRefused('ROLE_NOT_ALLOWED', 'only a supervisor can override the candidates');
    }
    if (action.override.reason.trim().length < MIN_REASON) {
      throw new ReviewRefused(
        'OVERRIDE_REASON_REQUIRED',
        'an override needs a written reason (10 characters or more)',
      );
    }
    return;
  }
  if (!isCandidate) {
    throw new ReviewRefused(
      'NOT_A_CANDIDATE',
      `member ${action.memberId} is not among the candidates of case ${c.caseId}; a supervisor can override with a reason`,
    );
  }
}

/** The actor recorded in the audit of a code change made by a resolution. */
export function auditActor(action: ReviewAction, operator: Operator): string {
  return action.kind === 'member' && action.override
    ? `operator-override:${operator.id}`
    : `operator:${operator.id}`;
}
