import type { Effect } from '../../domain/effects.js';
import type { MemberRecord } from '../../matching/types.js';
import type { ReviewCase } from '../../ports/review-cases.js';
import type { Operator, ReviewAction } from '../review/actions.js';
import { resolveRegistrationCase } from '../registration/outputs.js';

/**
 * An operator's decision on a child registration: `member` approves with that HGD member's BHXH code (the
 * operator has checked the documents and the link to the parent); `no_match` rejects.
 */
export function resolveChildCase(
  c: ReviewCase,
  action: ReviewAction,
  operator: Operator,
  member: MemberRecord | null,
  now: Date,
): Effect[] {
  return resolveRegistrationCase(c, action, operator, member, now, { kind: 'CHILD' });
}
