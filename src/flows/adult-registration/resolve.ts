import type { Effect } from '../../domain/effects.js';
import type { MemberRecord } from '../../matching/types.js';
import type { ReviewCase } from '../../ports/review-cases.js';
import { ReviewRefused, type Operator, type ReviewAction } from '../review/actions.js';
import { verifiedArchiveOf } from '../review/requests.js';
import { resolveRegistrationCase } from '../registration/outputs.js';

/**
 * An operator's decision on an adult registration. `member` approves with that HGD member's BHXH code and records
 * the archive entries verified when the case was opened (same transaction as the decision); it is refused when
 * the documents were not verified then. `no_match` rejects.
 */
export function resolveAdultCase(
  c: ReviewCase,
  action: ReviewAction,
  operator: Operator,
  member: MemberRecord | null,
  now: Date,
): Effect[] {
  return resolveRegistrationCase(c, action, operator, member, now, {
    kind: 'ADULT',
    onApprove: () => {
      const archive = verifiedArchiveOf(c);
      if (!archive) {
        throw new ReviewRefused(
          'NOT_APPROVABLE',
          `case ${c.caseId}: the documents were not verified when the case was opened; reject it (--no-match) and ask for a new submission`,
        );
      }
      return archive;
    },
  });
}
