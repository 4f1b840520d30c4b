/**
 * The one pair of builders every review kind uses: open a case (the stored case + a ReviewCase OPENED event for
 * operators) and resolve it (the case closed + ReviewCase RESOLVED). Ids are deterministic per case, so a duplicate
 * publish is recognisable downstream.
 */
import type { ReviewCase as ReviewCaseEvent } from '../../contracts/generated.js';
import type {
  EmitEffect,
  ReopenReviewEffect,
  OpenReviewEffect,
  ResolveReviewEffect,
  ReviewCandidate,
  ReviewKind,
} from '../../domain/effects.js';
import { deterministicUuid } from '../../domain/ids.js';
import type { ScoredCandidate } from '../../matching/types.js';
import { round } from '../shared.js';

/** Candidates as stored in a case and sent in ReviewCase events (ids and scores; evidence kept in the database). */
export function reviewCandidates(candidates: ScoredCandidate[], max = 10): ReviewCandidate[] {
  return candidates.slice(0, max).map((c) => ({
    memberId: c.memberId,
    householdCode: c.member.householdCode,
    score: round(c.score),
    evidence: c.evidence,
  }));
}

export interface CaseOpening {
  reviewKind: ReviewKind;
  caseId: string;
  sourceEventId: string;
  /** Registration id or request id: what the case is about, as upstream names it. */
  subjectId: string;
  reasonCodes: string[];
  request: unknown;
  candidates: ReviewCandidate[];
  evidence: unknown;
}

export function openCase(o: CaseOpening, now: Date): [OpenReviewEffect, EmitEffect] {
  const eventId = deterministicUuid('review-case', 'opened', o.caseId);
  const record: ReviewCaseEvent = {
    eventId,
    occurredAt: now,
    caseId: o.caseId,
    kind: o.reviewKind,
    status: 'OPENED',
    subjectId: o.subjectId,
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
      subjectId: o.subjectId,
      reasonCodes: o.reasonCodes,
      request: o.request,
      candidates: o.candidates,
      evidence: o.evidence,
    },
    { kind: 'emit', topic: 'reviewCaseChanged', key: o.caseId, messageId: eventId, record },
  ];
}

/** The parts of an open case the resolution events repeat. */
export interface CaseView {
  caseId: string;
  kind: ReviewKind;
  subjectId: string;
  reasonCodes: string[];
  candidates: ReviewCandidate[];
}

export interface CaseResolution {
  resolution: 'member' | 'no_match';
  memberId: string | null;
  operator: string;
  note: string | null;
}

export function resolveCase(c: CaseView, r: CaseResolution, now: Date): [ResolveReviewEffect, EmitEffect] {
  const eventId = deterministicUuid('review-case', 'resolved', c.caseId);
  const record: ReviewCaseEvent = {
    eventId,
    occurredAt: now,
    caseId: c.caseId,
    kind: c.kind,
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

/** Opens a resolved case again; the OPENED event's id is distinct per reopening (it carries the resolution time). */
export function reopenCase(
  c: CaseView & { resolvedAt: Date | null },
  operator: string,
  reason: string,
  now: Date,
): [ReopenReviewEffect, EmitEffect] {
  const eventId = deterministicUuid('review-case', 'reopened', c.caseId, c.resolvedAt?.toISOString() ?? '');
  const record: ReviewCaseEvent = {
    eventId,
    occurredAt: now,
    caseId: c.caseId,
    kind: c.kind,
    status: 'OPENED',
    subjectId: c.subjectId,
    reasonCodes: c.reasonCodes,
    candidates: c.candidates.map(({ memberId, householdCode, score }) => ({
      memberId,
      householdCode,
      score,
    })),
    resolution: null,
    resolvedBy: null,
    note: `reopened by ${operator}`,
  };
  return [
    { kind: 'reopenReview', caseId: c.caseId, reopenedBy: operator, reason },
    { kind: 'emit', topic: 'reviewCaseChanged', key: c.caseId, messageId: eventId, record },
  ];
}
