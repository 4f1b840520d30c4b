import { describe, expect, it } from 'vitest';
import type { CodeMapping } from '../../../../src/contracts/generated.js';
import type { ChangeCodeEffect, EmitEffect } from '../../../../src/domain/effects.js';
import {
  checkDefenceResolution,
  resolveDefenceCase,
} from '../../../../src/flows/defence-code-mapping/resolve.js';
import { ReviewRefused, type Operator } from '../../../../src/flows/review/actions.js';
import { member } from '../registration/fixtures.js';
import { reviewCase } from '../review/cases.js';

// An operator's decision on a Defence case, as effects: "no match" tells VssID; a member gets the same guarded change
// and mappings as an automatic match, with the operator recorded.

const NOW = new Date('2026-05-01T00:00:00Z');
const BQP = '9712345602';
const alice: Operator = { id: 'alice', role: 'reviewer' };
const M1 = member({
  memberId: 'M-1',
  fullName: 'Trần Văn Bình',
  bhxhCode: '0133333333',
  householdCode: 'H1',
});
const M3 = member({
  memberId: 'M-3',
  fullName: 'Trần Văn Bình',
  bhxhCode: '0133333335',
  householdCode: 'H3',
});
const c = reviewCase({
  caseId: 'RC-D-7',
  kind: 'DEFENCE_CODE_MAPPING',
  subjectId: 'REQ-7',
  reasonCodes: ['AMBIGUOUS_MATCH'],
  request: { eventId: 'E-7', requestId: 'REQ-7', bqpCode: BQP, person: {} },
  candidates: [{ memberId: 'M-1', householdCode: 'H1', score: 20.5 }],
});

describe('resolveDefenceCase', () => {
  it('no match: the case is resolved and VssID is told NO_MATCH, rejected by the operator', () => {
    const effects = resolveDefenceCase(c, { kind: 'no_match', note: 'not our soldier' }, alice, null, NOW);
    expect(effects.filter((e) => e.kind !== 'emit').map((e) => e.kind)).toEqual(['resolveReview']);
    expect(effects[0]).toMatchObject({
      kind: 'resolveReview',
      caseId: 'RC-D-7',
      resolution: 'no_match',
      memberId: null,
      resolvedBy: 'alice',
      note: 'not our soldier',
    });
    const vssid = effects.filter(
      (e): e is EmitEffect => e.kind === 'emit' && e.topic === 'vssidCodeMappingDecided',
    );
    expect(vssid).toHaveLength(1);
    expect(vssid[0]!.record).toMatchObject({
      outcome: 'NO_MATCH',
      requestId: 'REQ-7',
      bqpCode: BQP,
      decidedBy: 'OPERATOR',
      operator: 'alice',
      caseId: 'RC-D-7',
      reasonCodes: ['REJECTED_BY_OPERATOR'],
    } satisfies Partial<CodeMapping>);
  });

  it('a candidate: guarded change with its score, the case resolved, both mappings by the operator', () => {
    const effects = resolveDefenceCase(c, { kind: 'member', memberId: 'M-1', note: null }, alice, M1, NOW);
    const change = effects.find((e): e is ChangeCodeEffect => e.kind === 'changeCode');
    expect(change).toMatchObject({
      memberId: 'M-1',
      expectedOldCode: '0133333333',
      newCode: BQP,
      sourceEventId: 'E-7#RC-D-7',
      caseId: 'RC-D-7',
      actor: 'operator:alice',
      score: 20.5,
      evidence: { resolvedFrom: 'RC-D-7', reasonCodes: ['AMBIGUOUS_MATCH'], note: null },
    });
    expect(change?.evidence).not.toHaveProperty('override');
    const maps = effects
      .filter((e): e is EmitEffect => e.kind === 'emit' && e.topic !== 'reviewCaseChanged')
      .map((e) => e.record as CodeMapping);
    expect(
      maps.map((m) => [m.outcome, m.memberId, m.previousCode, m.score, m.decidedBy, m.operator]),
    ).toEqual([
      ['MAPPED', 'M-1', '0133333333', 20.5, 'OPERATOR', 'alice'],
      ['MAPPED', 'M-1', '0133333333', 20.5, 'OPERATOR', 'alice'],
    ]);
  });

  it('a supervisor override outside the candidates: no score, the override in the evidence', () => {
    const sup: Operator = { id: 'sup', role: 'supervisor' };
    const effects = resolveDefenceCase(
      c,
      { kind: 'member', memberId: 'M-3', note: null, override: { reason: 'checked the paper file' } },
      sup,
      M3,
      NOW,
    );
    const change = effects.find((e): e is ChangeCodeEffect => e.kind === 'changeCode');
    expect(change?.score).toBeNull();
    expect(change?.evidence).toMatchObject({ override: { by: 'sup', reason: 'checked the paper file' } });
  });

  it('a member HGD no longer has is refused', () => {
    expect(() =>
      resolveDefenceCase(c, { kind: 'member', memberId: 'M-404', note: null }, alice, null, NOW),
    ).toThrow(ReviewRefused);
  });
});

describe('resolveDefenceCase: the case resolved to the member', () => {
  it('names the member, the operator and the note', () => {
    const effects = resolveDefenceCase(
      c,
      { kind: 'member', memberId: 'M-1', note: 'checked' },
      alice,
      M1,
      NOW,
    );
    expect(effects.find((e) => e.kind === 'resolveReview')).toEqual({
      kind: 'resolveReview',
      caseId: 'RC-D-7',
      resolution: 'member',
      memberId: 'M-1',
      resolvedBy: 'alice',
      note: 'checked',
    });
  });
});

describe('checkDefenceResolution: one lifelong code, read before anything is written', () => {
  const ports = (given: string[], holder: ReturnType<typeof member> | null) => ({
    codeChanges: { codesGivenTo: async () => given },
    hgd: { findMemberByBhxhCode: async () => holder },
  });
  const check = async (given: string[], holder: ReturnType<typeof member> | null) => {
    try {
      await checkDefenceResolution(c, M1, ports(given, holder));
      return 'allowed';
    } catch (e) {
      return e instanceof ReviewRefused ? e.refusal : String(e);
    }
  };
  it.each([
    ['a member never given a code', [], null, 'allowed'],
    ['a member given this very code before (a repeat)', [BQP], null, 'allowed'],
    ['a member given another code', ['9700000001'], null, 'CONFLICT'],
    ['another code among this one', [BQP, '9700000001'], null, 'CONFLICT'],
    ['the code held by the member itself', [], 'self', 'allowed'],
    ['the code held by another member', [], 'other', 'CONFLICT'],
  ] as const)('%s: %s', async (_l, given, who, expected) => {
    const holder =
      who === 'self' ? { ...M1, bhxhCode: BQP } : who === 'other' ? { ...M3, bhxhCode: BQP } : null;
    expect(await check([...given], holder)).toBe(expected);
  });
});
