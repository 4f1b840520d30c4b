import { describe, expect, it } from 'vitest';
import { deterministicUuid } from '../../../../src/domain/ids.js';
import {
  openCase,
  reopenCase,
  resolveCase,
  reviewCandidates,
} from '../../../../src/flows/review/builders.js';
import type { ScoredCandidate } from '../../../../src/matching/types.js';

const NOW = new Date('2026-05-02T03:04:05Z');
const CANDIDATES = [
  { memberId: 'M-1', householdCode: '0100098765', score: 12.5, evidence: { why: 'name' } },
  { memberId: 'M-2', householdCode: null, score: 9, evidence: {} },
];
const VIEW = {
  caseId: 'RC-D-1',
  kind: 'DEFENCE_CODE_MAPPING' as const,
  subjectId: 'LK-1',
  reasonCodes: ['AMBIGUOUS_MATCH'],
  candidates: CANDIDATES,
};
const EVENT_CANDIDATES = [
  { memberId: 'M-1', householdCode: '0100098765', score: 12.5 },
  { memberId: 'M-2', householdCode: null, score: 9 },
];

describe('review builders: the stored case and the ReviewCase event', () => {
  it('reviewCandidates keeps the first `max`, with the household code and a rounded score', () => {
    const scored = Array.from({ length: 12 }, (_, i) => ({
      memberId: `M-${i}`,
      member: { householdCode: `01000987${String(i).padStart(2, '0')}` },
      score: 10 + i / 3,
      evidence: {},
    })) as unknown as ScoredCandidate[];
    expect(reviewCandidates(scored)).toHaveLength(10);
    expect(reviewCandidates(scored, 2)).toEqual([
      { memberId: 'M-0', householdCode: '0100098700', score: 10, evidence: {} },
      {
        memberId: 'M-1',
        householdCode: '0100098701',
        score: expect.closeTo(10.333, 2) as number,
        evidence: {},
      },
    ]);
  });

  it('openCase: the case to store and an OPENED event with the candidates without their evidence', () => {
    const [open, emit] = openCase(
      {
        reviewKind: 'DEFENCE_CODE_MAPPING',
        caseId: 'RC-D-1',
        sourceEventId: 'E-1',
        subjectId: 'LK-1',
        reasonCodes: ['AMBIGUOUS_MATCH'],
        request: { requestId: 'LK-1' },
        candidates: CANDIDATES,
        evidence: { hgd: 1 },
      },
      NOW,
    );
    expect(open).toEqual({
      kind: 'openReview',
      caseId: 'RC-D-1',
      reviewKind: 'DEFENCE_CODE_MAPPING',
      sourceEventId: 'E-1',
      subjectId: 'LK-1',
      reasonCodes: ['AMBIGUOUS_MATCH'],
      request: { requestId: 'LK-1' },
      candidates: CANDIDATES,
      evidence: { hgd: 1 },
    });
    const id = deterministicUuid('review-case', 'opened', 'RC-D-1');
    expect(emit).toEqual({
      kind: 'emit',
      topic: 'reviewCaseChanged',
      key: 'RC-D-1',
      messageId: id,
      record: {
        eventId: id,
        occurredAt: NOW,
        caseId: 'RC-D-1',
        kind: 'DEFENCE_CODE_MAPPING',
        status: 'OPENED',
        subjectId: 'LK-1',
        reasonCodes: ['AMBIGUOUS_MATCH'],
        candidates: EVENT_CANDIDATES,
        resolution: null,
        resolvedBy: null,
        note: null,
      },
    });
  });

  it('resolveCase: a member resolution names the member; no match says so', () => {
    const [resolve, emit] = resolveCase(
      VIEW,
      { resolution: 'member', memberId: 'M-2', operator: 'alice', note: 'ok' },
      NOW,
    );
    expect(resolve).toEqual({
      kind: 'resolveReview',
      caseId: 'RC-D-1',
      resolvedBy: 'alice',
      resolution: 'member',
      memberId: 'M-2',
      note: 'ok',
    });
    const id = deterministicUuid('review-case', 'resolved', 'RC-D-1');
    expect(emit).toEqual({
      kind: 'emit',
      topic: 'reviewCaseChanged',
      key: 'RC-D-1',
      messageId: id,
      record: {
        eventId: id,
        occurredAt: NOW,
        caseId: 'RC-D-1',
        kind: 'DEFENCE_CODE_MAPPING',
        status: 'RESOLVED',
        subjectId: 'LK-1',
        reasonCodes: ['AMBIGUOUS_MATCH'],
        candidates: EVENT_CANDIDATES,
        resolution: 'member:M-2',
        resolvedBy: 'alice',
        note: 'ok',
      },
    });
    const [, noMatch] = resolveCase(
      VIEW,
      { resolution: 'no_match', memberId: null, operator: 'bob', note: null },
      NOW,
    );
    expect(noMatch.record).toMatchObject({ resolution: 'no_match', resolvedBy: 'bob', note: null });
    expect(id).not.toBe(deterministicUuid('review-case', 'opened', 'RC-D-1'));
  });

  it('reopenCase: an OPENED event whose id differs per reopening (it carries the resolution time)', () => {
    const first = new Date('2026-05-01T00:00:00Z');
    const [reopen, emit] = reopenCase({ ...VIEW, resolvedAt: first }, 'sup', 'found elsewhere', NOW);
    expect(reopen).toEqual({
      kind: 'reopenReview',
      caseId: 'RC-D-1',
      reopenedBy: 'sup',
      reason: 'found elsewhere',
    });
    const id = deterministicUuid('review-case', 'reopened', 'RC-D-1', first.toISOString());
    expect(emit).toEqual({
      kind: 'emit',
      topic: 'reviewCaseChanged',
      key: 'RC-D-1',
      messageId: id,
      record: {
        eventId: id,
        occurredAt: NOW,
        caseId: 'RC-D-1',
        kind: 'DEFENCE_CODE_MAPPING',
        status: 'OPENED',
        subjectId: 'LK-1',
        reasonCodes: ['AMBIGUOUS_MATCH'],
        candidates: EVENT_CANDIDATES,
        resolution: null,
        resolvedBy: null,
        note: 'reopened by sup',
      },
    });
    const [, again] = reopenCase({ ...VIEW, resolvedAt: new Date('2026-06-01T00:00:00Z') }, 'sup', 'x', NOW);
    expect(again.messageId).not.toBe(id);
    const [, never] = reopenCase({ ...VIEW, resolvedAt: null }, 'sup', 'x', NOW);
    expect(never.messageId).toBe(deterministicUuid('review-case', 'reopened', 'RC-D-1', ''));
  });
});
