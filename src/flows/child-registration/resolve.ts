import type { MemberRecord } from '../../matching/types.js';
import type { Effect } from '../../runtime/effects.js';
import type { ReviewAction } from '../defence-code-mapping/resolve.js';
import { resolveRegistrationCase, type OpenCaseView } from '../registration/outputs.js';

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
  return resolveRegistrationCase(c, action, member, now, { kind: 'CHILD', reviewKind: 'CHILD_REGISTRATION' });
}
