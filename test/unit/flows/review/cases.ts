import type { ReviewCase } from '../../../../src/ports/review-cases.js';
import type { Operator } from '../../../../src/flows/review/actions.js';

/** A stored review case with defaults for every field a test does not care about. */
export function reviewCase(p: Partial<ReviewCase> & Pick<ReviewCase, 'caseId' | 'kind'>): ReviewCase {
  return {
    sourceEventId: 'E-1',
    subjectId: 'S-1',
    status: 'open',
    reasonCodes: [],
    request: {},
    candidates: [],
    evidence: {},
    openedAt: new Date('2026-03-01T00:00:00Z'),
    resolvedAt: null,
    resolvedBy: null,
    resolution: null,
    resolutionMemberId: null,
    note: null,
    ...p,
  };
}

export const reviewer = (id: string): Operator => ({ id, role: 'reviewer' });
