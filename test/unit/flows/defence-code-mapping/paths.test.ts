import { describe, expect, it } from 'vitest';
import type { CodeMapping } from '../../../../src/contracts/generated.js';
import type { Effect, EmitEffect, OpenReviewEffect } from '../../../../src/domain/effects.js';
import {
  decideCodeMapping,
  mappingEmits,
  noMatchEmit,
  type DefencePorts,
} from '../../../../src/flows/defence-code-mapping/decide.js';
import { deterministicUuid, reviewCaseId } from '../../../../src/domain/ids.js';
import type {
  MatchResult,
  MemberRecord,
  PersonQuery,
  ScoredCandidate,
} from '../../../../src/matching/types.js';
import { lookupEvent } from '../../../support/events.js';
import { member } from '../registration/fixtures.js';

// Each path of the Defence decision on its own, with the matcher's answer given (the flow's port), so a case can only
// change outcome through the rule it names.

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
) {
  const queries: PersonQuery[] = [];
  const p: DefencePorts = {
    findPerson: async (q) => {
      queries.push(q);
      return result;
    },
    codeChanges: { codesGivenTo: async (id) => opts.given?.[id] ?? [] },
    hgd: {
      findMemberByBhxhCode: async (code) => (opts.holders ?? []).find((m) => m.bhxhCode === code) ?? null,
    },
  };
  return { ports: p, queries };
}
const opts = { bqpCodePattern: null, now: () => new Date('2026-05-01T10:00:00Z') };
const kinds = (effects: Effect[]) => effects.map((e) => e.kind);
const mappings = (effects: Effect[]) =>
  effects.filter((e): e is EmitEffect => e.kind === 'emit').map((e) => e.record as CodeMapping);

describe('the query the flow asks the matcher', () => {
  it('sends the declared identity, with an empty date of birth as none', async () => {
    const e = lookupEvent(1, { dateOfBirth: { value: '', precision: 'YEAR' }, idNumber: '048192001234' });
    const { ports: p, queries } = ports({ decision: 'no_match', candidates: [], blockedCount: 0 });
    await decideCodeMapping(e, p, opts);
    expect(queries).toEqual([
      {
        queryId: e.requestId,
        fullName: e.person.fullName,
        dob: null,
        gender: 'F',
        idNumber: '048192001234',
        provinceCode: '48',
        wardCode: null,
        fatherName: null,
        motherName: null,
      },
    ]);
  });

  it('a declared date of birth is passed on as it is', async () => {
    const e = lookupEvent(1);
    const { ports: p, queries } = ports({ decision: 'no_match', candidates: [], blockedCount: 0 });
    await decideCodeMapping(e, p, opts);
    expect(queries[0]?.dob).toBe('1992-05-17');
  });
});

describe('already mapped: the member found already holds the requested BQP code', () => {
  it('the matcher unsure (review), its top candidate holds the code: answered again, nothing changes', async () => {
    const e = lookupEvent(2, {}, '9700000002');
    const holder = { ...M1, bhxhCode: '9700000002' };
    const result: MatchResult = {
      decision: 'review',
      candidates: [scored(holder, 5.4321), scored(M2, 4)],
      blockedCount: 2,
    };
    const d = await decideCodeMapping(e, ports(result, { holders: [holder] }).ports, opts);
    expect(d.outcome).toBe('already_mapped');
    expect(kinds(d.effects)).toEqual(['emit', 'emit']);
    expect(mappings(d.effects)[0]).toMatchObject({
      memberId: 'M-1',
      previousCode: null,
      score: 5.432,
      reasonCodes: ['ALREADY_MAPPED'],
      decidedBy: 'AUTO',
      operator: null,
    });
  });

  it('the holder is not the member found: not "already mapped"', async () => {
    const e = lookupEvent(3, {}, '9700000003');
    const holder = { ...M2, bhxhCode: '9700000003' };
    const result: MatchResult = {
      decision: 'review',
      candidates: [scored(M1, 5), scored(holder, 4)],
      blockedCount: 2,
    };
    const d = await decideCodeMapping(e, ports(result, { holders: [holder] }).ports, opts);
    expect(d.outcome).toBe('review');
  });

  it('a holder but no match at all: not "already mapped"', async () => {
    const e = lookupEvent(4, {}, '9700000004');
    const holder = { ...M1, bhxhCode: '9700000004' };
    const result: MatchResult = { decision: 'no_match', candidates: [scored(holder, -20)], blockedCount: 1 };
    const d = await decideCodeMapping(e, ports(result, { holders: [holder] }).ports, opts);
    expect(d.outcome).toBe('no_match');
    expect(mappings(d.effects)).toEqual([
      expect.objectContaining({ outcome: 'NO_MATCH', decidedBy: 'AUTO', operator: null, memberId: null }),
    ]);
  });
});

describe('a review decision never changes a code', () => {
  it('review with a best candidate set is still a review', async () => {
    const e = lookupEvent(5);
    const result: MatchResult = {
      decision: 'review',
      best: scored(M1, 40),
      candidates: [scored(M1, 40), scored(M2, 39)],
      blockedCount: 2,
    };
    const d = await decideCodeMapping(e, ports(result).ports, opts);
    expect(d.outcome).toBe('review');
    expect(kinds(d.effects)).not.toContain('changeCode');
    expect(d.effects.find((x): x is OpenReviewEffect => x.kind === 'openReview')?.reasonCodes).toEqual([
      'AMBIGUOUS_MATCH',
    ]);
  });

  it('a match without a best candidate is not a change', async () => {
    const e = lookupEvent(6);
    const result = { decision: 'match', candidates: [scored(M1, 40)], blockedCount: 1 } as MatchResult;
    const d = await decideCodeMapping(e, ports(result).ports, opts);
    expect(kinds(d.effects)).not.toContain('changeCode');
  });
});

describe('the ids of the answers: derived from the business key, stable across releases', () => {
  const request = { eventId: 'E-7', requestId: 'REQ-7', bqpCode: '9700000007' };
  const NOW = new Date('2026-05-01T10:00:00Z');
  const fields = {
    memberId: 'M-1',
    householdCode: '4800000001',
    previousCode: null,
    score: 12,
    decidedBy: 'AUTO' as const,
    operator: null,
    caseId: null,
  };

  it('a mapping: one record per topic, keyed by member and BQP code, with no reason codes by default', () => {
    const [defence, vssid] = mappingEmits(request, NOW, fields);
    expect(defence).toMatchObject({ topic: 'defenceCodeMappingDecided', key: '9700000007' });
    expect(vssid).toMatchObject({ topic: 'vssidCodeMappingDecided', key: '9700000007' });
    expect(defence!.messageId).toBe(
      deterministicUuid('code-mapping', 'defenceCodeMappingDecided', 'mapped', 'M-1', '9700000007'),
    );
    expect(vssid!.messageId).toBe(
      deterministicUuid('code-mapping', 'vssidCodeMappingDecided', 'mapped', 'M-1', '9700000007'),
    );
    expect(defence!.record).toMatchObject({
      reasonCodes: [],
      evidenceRef: 'code-change:E-7',
      requestId: 'REQ-7',
      sourceEventId: 'E-7',
      outcome: 'MAPPED',
    });
    const [, byOperator] = mappingEmits(request, NOW, { ...fields, caseId: 'RC-D-1' }, ['X']);
    expect(byOperator!.record).toMatchObject({ reasonCodes: ['X'], evidenceRef: 'review-case:RC-D-1' });
    expect(byOperator!.messageId).toBe(vssid!.messageId);
  });

  it('no match: keyed by the request and the case (none: empty)', () => {
    const auto = noMatchEmit(request, NOW, 'AUTO', null, null, ['NO_CANDIDATE']);
    const op = noMatchEmit(request, NOW, 'OPERATOR', 'alice', 'RC-D-1', []);
    expect(auto.messageId).toBe(
      deterministicUuid('code-mapping', 'vssidCodeMappingDecided', 'no-match', 'REQ-7', ''),
    );
    expect(op.messageId).toBe(
      deterministicUuid('code-mapping', 'vssidCodeMappingDecided', 'no-match', 'REQ-7', 'RC-D-1'),
    );
    expect(auto.record).toMatchObject({
      outcome: 'NO_MATCH',
      evidenceRef: null,
      reasonCodes: ['NO_CANDIDATE'],
    });
    expect(op.record).toMatchObject({
      evidenceRef: 'review-case:RC-D-1',
      operator: 'alice',
      decidedBy: 'OPERATOR',
    });
  });

  it('the review case of a request is named after the request', async () => {
    const e = lookupEvent(8);
    const result: MatchResult = {
      decision: 'review',
      candidates: [scored(M1, 5), scored(M2, 4)],
      blockedCount: 2,
    };
    const d = await decideCodeMapping(e, ports(result).ports, opts);
    const open = d.effects.find((x): x is OpenReviewEffect => x.kind === 'openReview')!;
    expect(open.caseId).toBe(reviewCaseId('DEFENCE_CODE_MAPPING', e.requestId));
    expect(open.evidence).toEqual({ bqpCode: e.bqpCode, bqpUnit: e.bqpUnit, staffRelation: e.staffRelation });
  });
});
