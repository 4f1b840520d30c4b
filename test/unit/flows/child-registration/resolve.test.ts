import { describe, expect, it } from 'vitest';
import { reviewCase, reviewer } from '../review/cases.js';
import type { RegistrationDecision, ReviewCase } from '../../../../src/contracts/generated.js';
import { resolveChildCase } from '../../../../src/flows/child-registration/resolve.js';
import type { EmitEffect, ResolveReviewEffect } from '../../../../src/domain/effects.js';
import { childEvent, HGD_MEMBERS } from '../registration/fixtures.js';
import { decisionEmit } from '../../../../src/flows/registration/outputs.js';
import { deterministicUuid } from '../../../../src/domain/ids.js';

const NOW = new Date('2026-03-03T08:00:00Z');
const request = JSON.parse(JSON.stringify(childEvent())) as unknown;
const c = reviewCase({
  kind: 'CHILD_REGISTRATION',
  caseId: 'RC-C-1',
  subjectId: 'REG-1',
  reasonCodes: ['GUARDIAN_REVIEW'],
  candidates: [{ memberId: 'C-1', householdCode: '0100000001', score: 12.5 }],
  request,
});
const C1 = HGD_MEMBERS.find((m) => m.memberId === 'C-1')!;
const records = (effects: { kind: string }[]) =>
  effects.filter((e): e is EmitEffect => e.kind === 'emit').map((e) => e.record);

describe('resolveChildCase', () => {
  it('--member approves with that member BHXH code, decided by the operator', () => {
    const effects = resolveChildCase(
      c,
      { kind: 'member', memberId: 'C-1', note: 'saw the papers' },
      reviewer('alice'),
      C1,
      NOW,
    );
    const resolve = effects.find((e): e is ResolveReviewEffect => e.kind === 'resolveReview');
    expect(resolve).toMatchObject({
      caseId: 'RC-C-1',
      resolution: 'member',
      memberId: 'C-1',
      resolvedBy: 'alice',
    });
    const [rc, decision] = records(effects) as [ReviewCase, RegistrationDecision];
    expect(rc).toMatchObject({
      status: 'RESOLVED',
      kind: 'CHILD_REGISTRATION',
      resolution: 'member:C-1',
      resolvedBy: 'alice',
      note: 'saw the papers',
    });
    expect(effects.map((e) => e.kind)).toEqual(['resolveReview', 'emit', 'emit']);
    expect(decision.reasonCodes).toEqual([]);
    expect(decision).toMatchObject({
      outcome: 'APPROVED',
      bhxhCode: '0112345001',
      decidedBy: 'OPERATOR',
      operator: 'alice',
      caseId: 'RC-C-1',
      kind: 'CHILD',
    });
  });

  it('--no-match rejects with REJECTED_BY_OPERATOR', () => {
    const effects = resolveChildCase(c, { kind: 'no_match', note: null }, reviewer('bob'), null, NOW);
    const decision = records(effects).find((r) => 'outcome' in r) as RegistrationDecision;
    expect(decision).toMatchObject({
      outcome: 'REJECTED',
      reasonCodes: ['REJECTED_BY_OPERATOR'],
      decidedBy: 'OPERATOR',
      operator: 'bob',
    });
  });

  it('refuses an unknown member or one without a BHXH code, each with its refusal code', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as { refusal?: string; code?: string }).refusal + '/' + (e as { code?: string }).code;
      }
      return 'accepted';
    };
    expect(
      code(() =>
        resolveChildCase(c, { kind: 'member', memberId: 'X', note: null }, reviewer('a'), null, NOW),
      ),
    ).toBe('MEMBER_NOT_FOUND/INVALID_REQUEST');
    expect(
      code(() =>
        resolveChildCase(
          c,
          { kind: 'member', memberId: 'C-1', note: null },
          reviewer('a'),
          { ...C1, bhxhCode: null },
          NOW,
        ),
      ),
    ).toBe('NOT_APPROVABLE/INVALID_REQUEST');
  });

  it('refuses an unknown member or one without a BHXH code', () => {
    expect(() =>
      resolveChildCase(c, { kind: 'member', memberId: 'X', note: null }, reviewer('a'), null, NOW),
    ).toThrow(/not found/);
    expect(() =>
      resolveChildCase(
        c,
        { kind: 'member', memberId: 'C-1', note: null },
        reviewer('a'),
        { ...C1, bhxhCode: null },
        NOW,
      ),
    ).toThrow(/no BHXH code/);
  });

  it('the operator decision has another id than the automatic IN_REVIEW decision', () => {
    const effects = resolveChildCase(c, { kind: 'no_match', note: null }, reviewer('bob'), null, NOW);
    const ids = effects.filter((e): e is EmitEffect => e.kind === 'emit').map((e) => e.messageId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('--no-match resolves the case as no_match, with the operator and the note', () => {
    const effects = resolveChildCase(
      c,
      { kind: 'no_match', note: 'not the child' },
      reviewer('bob'),
      null,
      NOW,
    );
    expect(effects.find((e) => e.kind === 'resolveReview')).toEqual({
      kind: 'resolveReview',
      caseId: 'RC-C-1',
      resolution: 'no_match',
      memberId: null,
      resolvedBy: 'bob',
      note: 'not the child',
    });
    const rc = records(effects).find((r) => 'status' in r) as ReviewCase;
    expect(rc).toMatchObject({
      status: 'RESOLVED',
      resolution: 'no_match',
      resolvedBy: 'bob',
      note: 'not the child',
    });
  });

  it('the decision ids are those of the registration: automatic by registration, operator by registration and case', () => {
    const [auto, op, opNoCase] = [
      decisionEmit({ ...fields, decidedBy: 'AUTO', operator: null }, NOW),
      decisionEmit(fields, NOW),
      decisionEmit({ ...fields, caseId: null }, NOW),
    ];
    expect(auto.messageId).toBe(deterministicUuid('registration-decision', 'REG-1'));
    expect(op.messageId).toBe(deterministicUuid('registration-decision', 'REG-1', 'operator', 'RC-C-1'));
    expect(opNoCase.messageId).toBe(deterministicUuid('registration-decision', 'REG-1', 'operator', ''));
    expect(op).toMatchObject({ kind: 'emit', topic: 'registrationDecided', key: 'REG-1' });
    expect((op.record as RegistrationDecision).eventId).toBe(op.messageId);
  });
});

const fields = {
  kind: 'CHILD' as const,
  registrationId: 'REG-1',
  sourceEventId: 'E-1',
  outcome: 'APPROVED' as const,
  reasonCodes: [],
  bhxhCode: '0112345001',
  caseId: 'RC-C-1',
  decidedBy: 'OPERATOR' as const,
  operator: 'alice',
};
