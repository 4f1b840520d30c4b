import { describe, expect, it } from 'vitest';
import {
  auditActor,
  checkAction,
  MIN_REASON,
  ReviewRefused,
  type Operator,
  type ReviewAction,
} from '../../../../src/flows/review/actions.js';
import { reviewCase, reviewer } from './cases.js';

const supervisor = (id: string): Operator => ({ id, role: 'supervisor' });
const open = () =>
  reviewCase({
    caseId: 'RC-D-1',
    kind: 'DEFENCE_CODE_MAPPING',
    candidates: [{ memberId: 'M-1', householdCode: '0100098765', score: 12 }] as never,
  });

function refusal(fn: () => void): [string, string] | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (!(e instanceof ReviewRefused)) throw e;
    return [e.refusal, e.message];
  }
}

describe('checkAction: who may do what with a review case', () => {
  it('an operator without an identity is refused, even a blank one', () => {
    for (const id of ['', '   ']) {
      expect(refusal(() => checkAction(open(), { kind: 'no_match', note: null }, supervisor(id)))).toEqual([
        'ROLE_NOT_ALLOWED',
        'an authenticated operator is required',
      ]);
    }
  });

  it('a viewer cannot resolve', () => {
    expect(
      refusal(() => checkAction(open(), { kind: 'no_match', note: null }, { id: 'v', role: 'viewer' })),
    ).toEqual(['ROLE_NOT_ALLOWED', 'role viewer cannot resolve review cases']);
  });

  it('a resolved case is not open, and the refusal says how it was resolved', () => {
    const resolved = { ...open(), status: 'resolved', resolution: 'NO_MATCH', resolvedBy: 'op.a' } as never;
    expect(refusal(() => checkAction(resolved, { kind: 'no_match', note: null }, reviewer('a')))).toEqual([
      'CASE_NOT_OPEN',
      'review case RC-D-1 is already resolved (NO_MATCH by op.a)',
    ]);
    const unknown = { ...open(), status: 'resolved', resolution: null, resolvedBy: null } as never;
    expect(refusal(() => checkAction(unknown, { kind: 'no_match', note: null }, reviewer('a')))?.[1]).toBe(
      'review case RC-D-1 is already resolved (? by ?)',
    );
  });

  it('a reviewer may pick a candidate, not another member', () => {
    expect(
      refusal(() => checkAction(open(), { kind: 'member', memberId: 'M-1', note: null }, reviewer('a'))),
    ).toBeNull();
    expect(
      refusal(() => checkAction(open(), { kind: 'member', memberId: 'M-9', note: null }, reviewer('a')))?.[0],
    ).toBe('NOT_A_CANDIDATE');
  });

  it('an override is for supervisors, with a reason of at least MIN_REASON characters after trimming', () => {
    const override = (reason: string): ReviewAction => ({
      kind: 'member',
      memberId: 'M-9',
      note: null,
      override: { reason },
    });
    expect(refusal(() => checkAction(open(), override('x'.repeat(MIN_REASON)), reviewer('a')))).toEqual([
      'ROLE_NOT_ALLOWED',
      'only a supervisor can override the candidates',
    ]);
    expect(refusal(() => checkAction(open(), override('x'.repeat(MIN_REASON)), supervisor('s')))).toBeNull();
    expect(refusal(() => checkAction(open(), override('x'.repeat(MIN_REASON - 1)), supervisor('s')))).toEqual(
      ['OVERRIDE_REASON_REQUIRED', 'an override needs a written reason (10 characters or more)'],
    );
    expect(
      refusal(() => checkAction(open(), override(`  ${'x'.repeat(MIN_REASON - 1)}  `), supervisor('s')))?.[0],
    ).toBe('OVERRIDE_REASON_REQUIRED');
  });
});

describe('auditActor', () => {
  it('marks overrides apart from ordinary resolutions', () => {
    const s = supervisor('s');
    expect(auditActor({ kind: 'member', memberId: 'M-9', note: null, override: { reason: 'r' } }, s)).toBe(
      'operator-override:s',
    );
    expect(auditActor({ kind: 'member', memberId: 'M-1', note: null }, s)).toBe('operator:s');
    expect(auditActor({ kind: 'no_match', note: null }, s)).toBe('operator:s');
  });
});
