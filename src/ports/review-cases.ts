import type { ReviewCandidate, ReviewKind } from '../domain/effects.js';

/** A review case as the core sees it (camelCase; the stored row shape stays inside the database connector). */
export interface ReviewCase {
  caseId: string;
  kind: ReviewKind;
  sourceEventId: string;
  subjectId: string;
  status: 'open' | 'resolved';
  reasonCodes: string[];
  /** The event that opened the case, as stored JSON: decode it with the review flow's typed decoders. */
  request: unknown;
  candidates: ReviewCandidate[];
  evidence: unknown;
  openedAt: Date;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  resolution: string | null;
  resolutionMemberId: string | null;
  note: string | null;
}

export interface ReviewCaseFilter {
  status?: 'open' | 'resolved' | 'all';
  kind?: ReviewKind | string;
  limit?: number;
}

export interface ReviewCaseReads {
  list(filter: ReviewCaseFilter): Promise<ReviewCase[]>;
  get(caseId: string): Promise<ReviewCase | null>;
}
