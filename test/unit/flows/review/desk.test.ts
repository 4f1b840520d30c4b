import { describe, expect, it } from 'vitest';
import type { ChangeCodeEffect, Conflict, Effect } from '../../../../src/domain/effects.js';
import { checkAction, ReviewRefused, type Operator } from '../../../../src/flows/review/actions.js';
import { ReviewDesk } from '../../../../src/flows/review/desk.js';
import { defenceRequestOf, verifiedArchiveOf } from '../../../../src/flows/review/requests.js';
import type { MemberRecord } from '../../../../src/matching/types.js';
import type { ReviewCase } from '../../../../src/ports/review-cases.js';
import { member } from '../registration/fixtures.js';
import { reviewCase, reviewer } from './cases.js';

const BQP = '9712345602';
const M1 = member({
  memberId: 'M-1',
  fullName: 'Trần Văn Bình',
  bhxhCode: '0133333333',
  householdCode: 'H1',
});
const M2 = member({
  memberId: 'M-2',
  fullName: 'Trần Văn Bình',
  bhxhCode: '0133333334',
  householdCode: 'H2',
});
const OUTSIDER = member({
  memberId: 'M-9',
  fullName: 'Trần Văn Bính',
  bhxhCode: '0133333339',
  householdCode: 'H9',
});
const supervisor: Operator = { id: 'sup', role: 'supervisor' };

const defenceCase = (over: Partial<ReviewCase> = {}) =>
  reviewCase({
    caseId: 'RC-D-1',
    kind: 'DEFENCE_CODE_MAPPING',
    subjectId: 'REQ-1',
    reasonCodes: ['AMBIGUOUS_MATCH'],
    request: { eventId: 'E-1', requestId: 'REQ-1', bqpCode: BQP, person: {} },
    candidates: [
      { memberId: 'M-1', householdCode: 'H1', score: 20 },
      { memberId: 'M-2', householdCode: 'H2', score: 19.5 },
    ],
    ...over,
  });

function desk(c: ReviewCase, opts: { given?: string[]; holder?: MemberRecord; conflict?: Conflict } = {}) {
  const applied: Effect[][] = [];
  let stored = c;
  const d = new ReviewDesk({
    cases: { list: async () => [stored], get: async (id) => (id === stored.caseId ? stored : null) },
    hgd: {
      getMember: async (id) => [M1, M2, OUTSIDER].find((m) => m.memberId === id) ?? null,
      findMemberByBhxhCode: async (code) => (opts.holder?.bhxhCode === code ? opts.holder : null),
    },
    codeChanges: { codesGivenTo: async () => opts.given ?? [] },
    effects: {
      apply: async (effects) => {
        if (opts.conflict) return { status: 'conflict', conflict: opts.conflict };
        applied.push(effects);
        stored = { ...stored, status: 'resolved' };
        return { status: 'applied' };
      },
    },
    clock: () => new Date('2026-05-01T00:00:00Z'),
  });
  return { d, applied };
}

const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    if (e instanceof ReviewRefused) return e.refusal;
    throw e;
  }
  return 'resolved';
};

describe('ReviewDesk.resolve (Defence cases)', () => {
  it('a reviewer picks a candidate: guarded code change with the operator as actor, case resolved, mappings out', async () => {
    const { d, applied } = desk(defenceCase());
    await d.resolve('RC-D-1', { kind: 'member', memberId: 'M-2', note: 'checked' }, reviewer('alice'));
    const effects = applied[0]!;
    const change = effects.find((e): e is ChangeCodeEffect => e.kind === 'changeCode')!;
    expect(change).toMatchObject({
      memberId: 'M-2',
      expectedOldCode: '0133333334',
      newCode: BQP,
      actor: 'operator:alice',
      caseId: 'RC-D-1',
    });
    expect(effects.map((e) => (e.kind === 'emit' ? e.topic : e.kind))).toEqual([
      'changeCode',
      'resolveReview',
      'reviewCaseChanged',
      'defenceCodeMappingDecided',
      'vssidCodeMappingDecided',
    ]);
  });

  it('a reviewer cannot choose a member outside the candidates', async () => {
    const { d, applied } = desk(defenceCase());
    expect(
      await refusal(d.resolve('RC-D-1', { kind: 'member', memberId: 'M-9', note: null }, reviewer('alice'))),
    ).toBe('NOT_A_CANDIDATE');
    expect(applied).toHaveLength(0);
  });

  it('a supervisor can, with a written reason, audited as an override', async () => {
    const { d, applied } = desk(defenceCase());
    const action = {
      kind: 'member' as const,
      memberId: 'M-9',
      note: null,
      override: { reason: 'HGD typo in the given name, checked with the ward' },
    };
    await d.resolve('RC-D-1', action, supervisor);
    const change = applied[0]!.find((e): e is ChangeCodeEffect => e.kind === 'changeCode')!;
    expect(change.actor).toBe('operator-override:sup');
    expect(change.evidence).toMatchObject({ override: { by: 'sup', reason: action.override.reason } });
  });

  it.each([
    [
      'a reviewer overriding',
      reviewer('alice'),
      { reason: 'because I say so, long enough' },
      'ROLE_NOT_ALLOWED',
    ],
    ['a supervisor without a reason', supervisor, { reason: ' ' }, 'OVERRIDE_REASON_REQUIRED'],
  ])('refuses %s', async (_t, op, override, code) => {
    const { d } = desk(defenceCase());
    expect(
      await refusal(d.resolve('RC-D-1', { kind: 'member', memberId: 'M-9', note: null, override }, op)),
    ).toBe(code);
  });

  it('a viewer cannot resolve at all', async () => {
    const { d } = desk(defenceCase());
    expect(
      await refusal(d.resolve('RC-D-1', { kind: 'no_match', note: null }, { id: 'v', role: 'viewer' })),
    ).toBe('ROLE_NOT_ALLOWED');
  });

  it('refuses an unknown case, a resolved case and an unknown member', async () => {
    expect(
      await refusal(desk(defenceCase()).d.resolve('nope', { kind: 'no_match', note: null }, reviewer('a'))),
    ).toBe('CASE_NOT_FOUND');
    expect(
      await refusal(
        desk(defenceCase({ status: 'resolved' })).d.resolve(
          'RC-D-1',
          { kind: 'no_match', note: null },
          reviewer('a'),
        ),
      ),
    ).toBe('CASE_NOT_OPEN');
    const withGhost = defenceCase({ candidates: [{ memberId: 'GHOST', householdCode: null, score: 1 }] });
    expect(
      await refusal(
        desk(withGhost).d.resolve('RC-D-1', { kind: 'member', memberId: 'GHOST', note: null }, reviewer('a')),
      ),
    ).toBe('MEMBER_NOT_FOUND');
  });

  it('keeps one lifelong code: a member we already gave another BQP code, or a code someone else holds, is refused', async () => {
    const given = desk(defenceCase(), { given: ['9700000001'] });
    expect(
      await refusal(
        given.d.resolve('RC-D-1', { kind: 'member', memberId: 'M-1', note: null }, reviewer('a')),
      ),
    ).toBe('CONFLICT');
    const held = desk(defenceCase(), { holder: member({ memberId: 'M-5', fullName: 'X', bhxhCode: BQP }) });
    expect(
      await refusal(held.d.resolve('RC-D-1', { kind: 'member', memberId: 'M-1', note: null }, reviewer('a'))),
    ).toBe('CONFLICT');
    expect(given.applied).toHaveLength(0);
    expect(held.applied).toHaveLength(0);
  });

  it.each([
    [{ kind: 'guard_failed', memberId: 'M-1' }, 'CONFLICT'],
    [{ kind: 'code_in_use', memberId: 'M-1', code: BQP }, 'CONFLICT'],
    [{ kind: 'case_not_open', caseId: 'RC-D-1' }, 'CASE_NOT_OPEN'],
  ] as [Conflict, string][])(
    'a conflict found by the store (%o) refuses the resolution and leaves the case open',
    async (conflict, code) => {
      const { d } = desk(defenceCase(), { conflict });
      expect(
        await refusal(d.resolve('RC-D-1', { kind: 'member', memberId: 'M-1', note: null }, reviewer('a'))),
      ).toBe(code);
    },
  );
});

describe('checkAction', () => {
  it('lets a reviewer say "no match" on an open case', () => {
    expect(() => checkAction(defenceCase(), { kind: 'no_match', note: null }, reviewer('a'))).not.toThrow();
  });
});

describe('stored requests are decoded, not cast', () => {
  it('reads the fields a Defence resolution needs', () => {
    expect(defenceRequestOf(defenceCase())).toEqual({ eventId: 'E-1', requestId: 'REQ-1', bqpCode: BQP });
  });

  it('refuses a stored request that lacks one, naming the field (never a value)', () => {
    const broken = defenceCase({ request: { eventId: 'E-1', requestId: 'REQ-1' } });
    expect(() => defenceRequestOf(broken)).toThrow(/lacks "bqpCode"/);
  });

  it('reads verified archive records, or null when the documents were not verified', () => {
    const rec = {
      kind: 'archive',
      registrationId: 'R',
      documentKind: 'FORM_01',
      sha256: 'a'.repeat(64),
      sizeBytes: 3,
      uri: 'archive://x',
      mediaType: 'application/pdf',
      retentionUntil: '2036-01-01',
    };
    const c = reviewCase({
      caseId: 'A',
      kind: 'ADULT_REGISTRATION',
      evidence: { archive: [rec, { ...rec, documentKind: 'ID_COPY' }] },
    });
    expect(verifiedArchiveOf(c)!.map((r) => r.documentKind)).toEqual(['FORM_01', 'ID_COPY']);
    expect(
      verifiedArchiveOf(reviewCase({ caseId: 'B', kind: 'ADULT_REGISTRATION', evidence: { archive: null } })),
    ).toBeNull();
    const bad = reviewCase({
      caseId: 'C',
      kind: 'ADULT_REGISTRATION',
      evidence: { archive: [rec, { ...rec, documentKind: 'SELFIE' }] },
    });
    expect(() => verifiedArchiveOf(bad)).toThrow(/unknown kind/);
  });
});

describe('ReviewDesk.reopen', () => {
  const resolved = () =>
    defenceCase({
      status: 'resolved',
      resolvedAt: new Date('2026-05-01T00:00:00Z'),
      resolution: 'no_match',
      resolvedBy: 'alice',
    });

  it('a supervisor reopens a resolved case with a reason: the case is opened again and operators are told', async () => {
    const { d, applied } = desk(resolved());
    await d.reopen('RC-D-1', supervisor, 'the ward found the person in another household');
    expect(applied[0]!.map((e) => (e.kind === 'emit' ? e.topic : e.kind))).toEqual([
      'reopenReview',
      'reviewCaseChanged',
    ]);
    expect(applied[0]![0]).toMatchObject({ kind: 'reopenReview', reopenedBy: 'sup' });
  });

  it.each([
    ['a reviewer', reviewer('alice'), 'the ward found the person in another household', 'ROLE_NOT_ALLOWED'],
    ['no written reason', supervisor, 'because', 'OVERRIDE_REASON_REQUIRED'],
  ])('refuses %s', async (_t, op, reason, code) => {
    expect(await refusal(desk(resolved()).d.reopen('RC-D-1', op, reason))).toBe(code);
  });

  it('refuses a case that is open', async () => {
    expect(
      await refusal(
        desk(defenceCase()).d.reopen('RC-D-1', supervisor, 'the ward found the person elsewhere'),
      ),
    ).toBe('CASE_NOT_RESOLVED');
  });
});

describe('ReviewDesk.reopen at its bounds', () => {
  const resolved = () =>
    defenceCase({
      status: 'resolved',
      resolvedAt: new Date('2026-05-01T00:00:00Z'),
      resolution: 'no_match',
      resolvedBy: 'alice',
    });

  it('a reason of exactly MIN_REASON characters is enough; the reason is stored trimmed', async () => {
    const { d, applied } = desk(resolved());
    await d.reopen('RC-D-1', supervisor, '  0123456789  ');
    expect(applied[0]![0]).toMatchObject({ kind: 'reopenReview', caseId: 'RC-D-1', reason: '0123456789' });
  });

  it('nine characters padded with spaces are not', async () => {
    expect(await refusal(desk(resolved()).d.reopen('RC-D-1', supervisor, '   012345678   '))).toBe(
      'OVERRIDE_REASON_REQUIRED',
    );
  });

  it('an unknown case is refused before anything is applied', async () => {
    const { d, applied } = desk(resolved());
    expect(await refusal(d.reopen('RC-D-404', supervisor, 'the ward found the person elsewhere'))).toBe(
      'CASE_NOT_FOUND',
    );
    expect(applied).toEqual([]);
  });

  it('a case resolved again meanwhile is refused (the store found it no longer resolved)', async () => {
    const conflict = { kind: 'case_not_resolved', caseId: 'RC-D-1' } as unknown as Conflict;
    expect(
      await refusal(
        desk(resolved(), { conflict }).d.reopen('RC-D-1', supervisor, 'the ward found the person elsewhere'),
      ),
    ).toBe('CASE_NOT_RESOLVED');
  });
});

describe('ReviewDesk.resolve of an unknown case, and the queue', () => {
  it('an unknown case is refused with CASE_NOT_FOUND', async () => {
    const { d, applied } = desk(defenceCase());
    expect(await refusal(d.resolve('RC-D-404', { kind: 'no_match', note: null }, reviewer('alice')))).toBe(
      'CASE_NOT_FOUND',
    );
    expect(applied).toEqual([]);
  });

  it('lists open cases by default and shows one case by id', async () => {
    const seen: unknown[] = [];
    const c = defenceCase();
    const d = new ReviewDesk({
      cases: {
        list: async (f) => (seen.push(f), [c]),
        get: async (id) => (id === c.caseId ? c : null),
      },
      hgd: { getMember: async () => null, findMemberByBhxhCode: async () => null },
      codeChanges: { codesGivenTo: async () => [] },
      effects: { apply: async () => ({ status: 'applied' }) },
    });
    expect(await d.list()).toEqual([c]);
    expect(await d.list({ status: 'resolved' } as never)).toEqual([c]);
    expect(seen).toEqual([{ status: 'open' }, { status: 'resolved' }]);
    expect(await d.show('RC-D-1')).toBe(c);
    expect(await d.show('RC-D-2')).toBeNull();
  });
});

describe('ReviewDesk: time and a case that vanishes', () => {
  /** A desk whose store can forget the case once the effects are applied, and with or without a clock. */
  function bare(c: ReviewCase, opts: { vanish?: boolean; clock?: () => Date; given?: string[] } = {}) {
    const applied: Effect[][] = [];
    const looked: string[] = [];
    let stored: ReviewCase | null = c;
    const d = new ReviewDesk({
      cases: { list: async () => [], get: async (id) => (stored && id === stored.caseId ? stored : null) },
      hgd: {
        getMember: async (id) => {
          looked.push(id);
          return [M1, M2, OUTSIDER].find((m) => m.memberId === id) ?? null;
        },
        findMemberByBhxhCode: async () => null,
      },
      codeChanges: { codesGivenTo: async () => opts.given ?? [] },
      effects: {
        apply: async (effects) => {
          applied.push(effects);
          stored = opts.vanish ? null : { ...stored!, status: 'resolved' };
          return { status: 'applied' };
        },
      },
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    return { d, applied, looked };
  }
  const resolvedCase = () =>
    defenceCase({ status: 'resolved', resolvedAt: new Date('2026-05-01T00:00:00Z'), resolution: 'no_match' });

  it('without a clock, the events carry the current time', async () => {
    const { d, applied } = bare(defenceCase());
    const before = Date.now();
    await d.resolve('RC-D-1', { kind: 'no_match', note: null }, reviewer('a'));
    const at = applied[0]!
      .filter((e) => e.kind === 'emit')
      .map((e) => (e.record as unknown as { occurredAt: Date }).occurredAt);
    expect(at.length).toBeGreaterThan(0);
    for (const t of at) {
      expect(t.getTime()).toBeGreaterThanOrEqual(before);
      expect(t.getTime()).toBeLessThanOrEqual(Date.now());
    }
    const again = bare(resolvedCase());
    await again.d.reopen('RC-D-1', supervisor, 'the ward found the person elsewhere');
    const reopened = again.applied[0]!.find((e) => e.kind === 'emit')!.record as unknown as {
      occurredAt: Date;
    };
    expect(reopened.occurredAt.getTime()).toBeGreaterThanOrEqual(before);
  });

  it('with a clock, its time', async () => {
    const { d, applied } = bare(defenceCase(), { clock: () => new Date('2027-01-02T03:04:05Z') });
    await d.resolve('RC-D-1', { kind: 'no_match', note: null }, reviewer('a'));
    const rec = applied[0]!.find((e) => e.kind === 'emit')!.record as unknown as { occurredAt: Date };
    expect(rec.occurredAt).toEqual(new Date('2027-01-02T03:04:05Z'));
  });

  it('a case gone from the store after the change is refused as not found (resolve and reopen)', async () => {
    expect(
      await refusal(
        bare(defenceCase(), { vanish: true }).d.resolve(
          'RC-D-1',
          { kind: 'no_match', note: null },
          reviewer('a'),
        ),
      ),
    ).toBe('CASE_NOT_FOUND');
    expect(
      await refusal(
        bare(resolvedCase(), { vanish: true }).d.reopen(
          'RC-D-1',
          supervisor,
          'the ward found the person elsewhere',
        ),
      ),
    ).toBe('CASE_NOT_FOUND');
  });

  it('"no match" looks up no member and checks no Defence rule', async () => {
    const { d, looked } = bare(defenceCase(), { given: ['9700000001'] });
    expect(await refusal(d.resolve('RC-D-1', { kind: 'no_match', note: null }, reviewer('a')))).toBe(
      'resolved',
    );
    expect(looked).toEqual([]);
  });
});
