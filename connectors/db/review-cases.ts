import type { Knex } from 'knex';
import type { ReviewKind } from '../../src/domain/effects.js';
import type { ReviewCase, ReviewCaseFilter, ReviewCaseReads } from '../../src/ports/review-cases.js';

/** Row type of bridge.review_cases (stays inside this connector; the core sees `ReviewCase`). */
export interface ReviewCaseRow {
  case_id: string;
  kind: string;
  event_id: string;
  subject_id: string;
  status: 'open' | 'resolved';
  reason_codes: string[];
  request: unknown;
  candidates: ReviewCase['candidates'];
  evidence: unknown;
  opened_at: Date;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolution: string | null;
  resolution_member_id: string | null;
  note: string | null;
}

export function reviewCaseFromRow(r: ReviewCaseRow): ReviewCase {
  return {
    caseId: r.case_id,
    kind: r.kind as ReviewKind,
    sourceEventId: r.event_id,
    subjectId: r.subject_id,
    status: r.status,
    reasonCodes: r.reason_codes,
    request: r.request,
    candidates: r.candidates,
    evidence: r.evidence,
    openedAt: r.opened_at,
    resolvedAt: r.resolved_at,
    resolvedBy: r.resolved_by,
    resolution: r.resolution,
    resolutionMemberId: r.resolution_member_id,
    note: r.note,
  };
}

export class PgReviewCases implements ReviewCaseReads {
  constructor(private readonly knex: Knex) {}

  async list(filter: ReviewCaseFilter): Promise<ReviewCase[]> {
    const q = this.knex<ReviewCaseRow>('bridge.review_cases')
      .orderBy('opened_at', 'asc')
      .limit(filter.limit ?? 100);
    if (filter.status && filter.status !== 'all') q.where({ status: filter.status });
    if (filter.kind) q.where({ kind: filter.kind });
    return (await q).map(reviewCaseFromRow);
  }

  async get(caseId: string): Promise<ReviewCase | null> {
    const row = await this.knex<ReviewCaseRow>('bridge.review_cases').where({ case_id: caseId }).first();
    return row ? reviewCaseFromRow(row) : null;
  }
}
