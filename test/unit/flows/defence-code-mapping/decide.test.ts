import { describe, expect, it } from 'vitest';
import type { CodeMapping, ReviewCase as ReviewCaseEvent } from '../../../../src/contracts/generated.js';
import type {
  ChangeCodeEffect,
  Effect,
  EmitEffect,
  OpenReviewEffect,
} from '../../../../src/domain/effects.js';
import {
  decideCodeMapping,
  REASON,
  type DefencePorts,
} from '../../../../src/flows/defence-code-mapping/decide.js';
import type { MatchResult, MemberRecord, ScoredCandidate } from '../../../../src/matching/types.js';
import { lookupEvent } from '../../../support/events.js';
import { member } from '../registration/fixtures.js';

const NOW = new Date('2026-05-01T10:00:00Z');
const M1 = member({
  memberId: 'M-1',
  fullName: 'Đặng Thị Thu Hà',
  householdCode: '4800000001',
  bhxhCode: '4812345678',
});
const M2 = member({
  memberId: 'M-2',
  fullName: 'Đặng Thị Thu Hà',
  householdCode: '4800000002',
  bhxhCode: '4812345679',
});
const scored = (m: MemberRecord, score: number): ScoredCandidate => ({
  memberId: m.memberId,
  score,
  evidence: [],
  member: m,
});

function ports(
  result: MatchResult,
  opts: { given?: Record<string, string[]>; holders?: MemberRecord[] } = {},
): DefencePorts {
  return {
    findPerson: async () => result,
    codeChanges: { codesGivenTo: async (id) => opts.given?.[id] ?? [] },
    hgd: {
      findMemberByBhxhCode: async (code) => (opts.holders ?? []).find((m) => m.bhxhCode === code) ?? null,
    },
  };
}

const match: MatchResult = {
  decision: 'match',
  best: scored(M1, 40),
  candidates: [scored(M1, 40), scored(M2, 10)],
  blockedCount: 2,
};
const kinds = (effects: Effect[]) =>
  effects.map((e) => (e.kind === 'emit' ? `emit:${String(e.topic)}` : e.kind));
const opened = (effects: Effect[]) => effects.find((e): e is OpenReviewEffect => e.kind === 'openReview');

describe('decideCodeMapping', () => {
  it('a clear match changes the code (guarded on the old code) and maps it to Defence and VssID', async () => {
    const event = lookupEvent(1);
    const d = await decideCodeMapping(event, ports(match), { bqpCodePattern: null, now: () => NOW });
    expect(d.outcome).toBe('match');
    expect(kinds(d.effects)).toEqual([
      'changeCode',
      'emit:defenceCodeMappingDecided',
      'emit:vssidCodeMappingDecided',
    ]);
    const change = d.effects[0] as ChangeCodeEffect;
    expect(change).toMatchObject({
      memberId: 'M-1',
      expectedOldCode: '4812345678',
      newCode: event.bqpCode,
      actor: 'auto',
      caseId: null,
      sourceEventId: event.eventId,
    });
    const mapping = (d.effects[1] as EmitEffect).record as CodeMapping;
    expect(mapping).toMatchObject({
      outcome: 'MAPPED',
      memberId: 'M-1',
      previousCode: '4812345678',
      decidedBy: 'AUTO',
    });
    // Effects are plain data: a JSON round trip keeps them whole (no callbacks inside).
    expect(JSON.parse(JSON.stringify(d.effects[0]))).toEqual(d.effects[0]);
  });

  it('an ambiguous result opens a review case with the candidates and tells operators', async () => {
    const result: MatchResult = {
      decision: 'review',
      candidates: [scored(M1, 20), scored(M2, 19)],
      blockedCount: 2,
    };
    const d = await decideCodeMapping(lookupEvent(2), ports(result), {
      bqpCodePattern: null,
      now: () => NOW,
    });
    expect(d.outcome).toBe('review');
    expect(kinds(d.effects)).toEqual(['openReview', 'emit:reviewCaseChanged']);
    expect(opened(d.effects)).toMatchObject({
      reasonCodes: [REASON.AMBIGUOUS_MATCH],
      reviewKind: 'DEFENCE_CODE_MAPPING',
    });
    expect(opened(d.effects)!.candidates.map((c) => c.memberId)).toEqual(['M-1', 'M-2']);
    const rc = (d.effects[1] as EmitEffect).record as ReviewCaseEvent;
    expect(rc).toMatchObject({ status: 'OPENED', caseId: opened(d.effects)!.caseId });
  });

  it('no match tells VssID only, with NOT_FOUND_IN_HGD', async () => {
    const d = await decideCodeMapping(
      lookupEvent(3),
      ports({ decision: 'no_match', candidates: [], blockedCount: 0 }),
      {
        bqpCodePattern: null,
        now: () => NOW,
      },
    );
    expect(d.outcome).toBe('no_match');
    expect(kinds(d.effects)).toEqual(['emit:vssidCodeMappingDecided']);
    expect((d.effects[0] as EmitEffect).record).toMatchObject({
      outcome: 'NO_MATCH',
      reasonCodes: [REASON.NOT_FOUND_IN_HGD],
    });
  });

  it('a member we already gave another BQP code goes to review (one person, one lifelong code)', async () => {
    const d = await decideCodeMapping(lookupEvent(4), ports(match, { given: { 'M-1': ['9700000001'] } }), {
      bqpCodePattern: null,
    });
    expect(d.outcome).toBe('review');
    expect(d.effects.some((e) => e.kind === 'changeCode')).toBe(false);
    expect(opened(d.effects)!.reasonCodes).toEqual([REASON.MEMBER_ALREADY_MAPPED]);
  });

  it('the same BQP code given to the same member earlier is not "another" code', async () => {
    const event = lookupEvent(5);
    const d = await decideCodeMapping(event, ports(match, { given: { 'M-1': [event.bqpCode] } }), {
      bqpCodePattern: null,
    });
    expect(d.outcome).toBe('match');
  });

  it('a BQP code another member holds goes to review with BQP_CODE_IN_USE', async () => {
    const event = lookupEvent(6);
    const holder = member({ memberId: 'M-9', fullName: 'Lê Văn Nam', bhxhCode: event.bqpCode });
    const d = await decideCodeMapping(event, ports(match, { holders: [holder] }), { bqpCodePattern: null });
    expect(d.outcome).toBe('review');
    expect(opened(d.effects)!.reasonCodes).toEqual([REASON.BQP_CODE_IN_USE]);
  });

  it('after a guard failure in the store it never changes the code again: review, HGD_CHANGED_CONCURRENTLY', async () => {
    const d = await decideCodeMapping(lookupEvent(7), ports(match), {
      bqpCodePattern: null,
      conflict: { kind: 'guard_failed', memberId: 'M-1' },
    });
    expect(d.outcome).toBe('review');
    expect(d.effects.some((e) => e.kind === 'changeCode')).toBe(false);
    expect(opened(d.effects)!.reasonCodes).toEqual([REASON.HGD_CHANGED_CONCURRENTLY]);
  });

  it('after a unique-code violation in the store: review, BQP_CODE_IN_USE', async () => {
    const event = lookupEvent(8);
    const d = await decideCodeMapping(event, ports(match), {
      bqpCodePattern: null,
      conflict: { kind: 'code_in_use', memberId: 'M-1', code: event.bqpCode },
    });
    expect(d.outcome).toBe('review');
    expect(opened(d.effects)!.reasonCodes).toEqual([REASON.BQP_CODE_IN_USE]);
  });

  it('a conflict does not turn "review" or "no match" into anything else', async () => {
    const review: MatchResult = { decision: 'review', candidates: [scored(M1, 20)], blockedCount: 1 };
    const d = await decideCodeMapping(lookupEvent(9), ports(review), {
      bqpCodePattern: null,
      conflict: { kind: 'guard_failed', memberId: 'M-1' },
    });
    expect(opened(d.effects)!.reasonCodes).toEqual([REASON.AMBIGUOUS_MATCH]);
  });

  it('the same event decides to the same ids (deterministic outputs)', async () => {
    const event = lookupEvent(10);
    const a = await decideCodeMapping(event, ports(match), { bqpCodePattern: null, now: () => NOW });
    const b = await decideCodeMapping(event, ports(match), { bqpCodePattern: null, now: () => NOW });
    expect(a).toEqual(b);
  });

  it('refuses a BQP code that is not 10 digits, or does not match the configured pattern', async () => {
    await expect(
      decideCodeMapping(lookupEvent(11, {}, '97123'), ports(match), { bqpCodePattern: null }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(
      decideCodeMapping(lookupEvent(12, {}, '0112345678'), ports(match), { bqpCodePattern: /^97/ }),
    ).rejects.toThrow(/BQP_CODE_PATTERN/);
    await expect(
      decideCodeMapping(lookupEvent(12, {}, '0112345678'), ports(match), { bqpCodePattern: /^97/ }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('a repeated request (same request, new event id) for a member already holding the code changes nothing and answers with the same mapping ids', async () => {
    const first = lookupEvent(13);
    const d1 = await decideCodeMapping(first, ports(match), { bqpCodePattern: null, now: () => NOW });
    const mapped = { ...M1, bhxhCode: first.bqpCode };
    const after: MatchResult = {
      ...match,
      best: scored(mapped, 40),
      candidates: [scored(mapped, 40), scored(M2, 10)],
    };
    const repeat = { ...first, eventId: '00000000-0000-4000-8000-000000000013' };
    const d2 = await decideCodeMapping(
      repeat,
      ports(after, { given: { 'M-1': [first.bqpCode] }, holders: [mapped] }),
      {
        bqpCodePattern: null,
        now: () => NOW,
      },
    );
    expect(d2.outcome).toBe('already_mapped');
    expect(d2.effects.some((e) => e.kind === 'changeCode')).toBe(false);
    const ids = (d: { effects: Effect[] }) =>
      d.effects.filter((e): e is EmitEffect => e.kind === 'emit').map((e) => e.messageId);
    expect(ids(d2)).toEqual(ids(d1));
    expect((d2.effects[0] as EmitEffect).record).toMatchObject({
      outcome: 'MAPPED',
      memberId: 'M-1',
      reasonCodes: ['ALREADY_MAPPED'],
    });
  });

  it('a repeated request that still needs a human finds the same review case', async () => {
    const review: MatchResult = {
      decision: 'review',
      candidates: [scored(M1, 20), scored(M2, 19)],
      blockedCount: 2,
    };
    const first = lookupEvent(14);
    const repeat = { ...first, eventId: '00000000-0000-4000-8000-000000000014' };
    const a = await decideCodeMapping(first, ports(review), { bqpCodePattern: null, now: () => NOW });
    const b = await decideCodeMapping(repeat, ports(review), { bqpCodePattern: null, now: () => NOW });
    expect(opened(b.effects)!.caseId).toBe(opened(a.effects)!.caseId);
  });
});
