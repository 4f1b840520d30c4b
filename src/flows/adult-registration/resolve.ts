import { PermanentError } from '../../domain/errors.js';
import type { MemberRecord } from '../../matching/types.js';
import type { ArchiveEffect, Effect } from '../../runtime/effects.js';
import type { ReviewAction } from '../defence-code-mapping/resolve.js';
import { resolveRegistrationCase, type OpenCaseView } from '../registration/outputs.js';
import type { AdultCaseEvidence } from './decide.js';

export interface AdultCase extends OpenCaseView {
  /** The submitted event as JSON. */
  request: unknown;
  /** The evidence stored when the case was opened (AdultCaseEvidence as JSON). */
  evidence: unknown;
}

/**
 * An operator's decision on an adult registration. `member` approves with that HGD member's BHXH code and records
 * the archive entries verified when the case was opened (same transaction as the decision); it is refused when
 * the documents were not verified then. `no_match` rejects.
 */
export function resolveAdultCase(
  c: AdultCase,
  action: ReviewAction,
  member: MemberRecord | null,
  now: Date,
): Effect[] {
  return resolveRegistrationCase(c, action, member, now, {
    kind: 'ADULT',
    reviewKind: 'ADULT_REGISTRATION',
    onApprove: () => {
      const archive = archiveOf(c.evidence);
      if (!archive) {
        throw new PermanentError(
          'INVALID_REQUEST',
          `case ${c.caseId}: the documents were not verified when the case was opened; reject it (--no-match) and ask for a new submission`,
        );
      }
      return archive;
    },
  });
}

function archiveOf(evidence: unknown): ArchiveEffect[] | null {
  const a = (evidence as Partial<AdultCaseEvidence> | null)?.archive;
  if (!Array.isArray(a) || a.length !== 2) return null;
  return a.map((r) => ({ ...r, kind: 'archive' as const }));
}
