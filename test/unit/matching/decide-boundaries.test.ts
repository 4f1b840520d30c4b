import { describe, expect, it } from 'vitest';
import { decide, posteriorOf, posteriors, rank, vetoed } from '../../../src/matching/decide.js';
import type {
  FieldEvidence,
  MatchThresholds,
  MemberRecord,
  ScoredCandidate,
} from '../../../src/matching/types.js';

// The decision rule at each of its thresholds, one rule at a time: every case sits exactly on a threshold or just
// beside it, and every other rule is satisfied, so a case can only change outcome through the rule it names.

const member = (memberId: string): MemberRecord => ({
  memberId,
  householdCode: null,
  fullName: 'Nguyễn Văn A',
  dob: null,
  dobPrecision: 'day',
  gender: null,
  idNumber: null,
  bhxhCode: null,
  provinceCode: null,
  wardCode: null,
  fatherName: null,
  motherName: null,
  relationToHead: null,
});

const ev = (field: FieldEvidence['field'], level: string, weight = 1): FieldEvidence => ({
  field,
  level,
  weight,
});

/** A candidate with posterior log2 odds `score`, an explicit posterior probability and namesakes. */
function cand(
  id: string,
  score: number,
  o: { probability?: number; namesakes?: number; evidence?: FieldEvidence[] } = {},
): ScoredCandidate {
  return {
    memberId: id,
    score,
    evidence: o.evidence ?? [ev('given_name', 'exact'), ev('dob', 'exact_day')],
    member: member(id),
    ...(o.probability !== undefined ? { probability: o.probability } : {}),
    ...(o.namesakes !== undefined ? { namesakes: o.namesakes } : {}),
  };
}

const T: MatchThresholds = {
  minMatchProbability: 0.99,
  reviewLog2Odds: -10,
  maxNamesakes: 0.02,
  maxReviewCandidates: 3,
  vetoLevels: { given_name: ['different'], id_number: ['different'] },
  weakLevels: { dob: ['exact_year'] },
  corroborating: { id_number: ['exact'], father_name: ['exact'], ward: ['exact'] },
};

describe('match threshold: posterior probability of the best ≥ minMatchProbability', () => {
  it.each([
    ['exactly at the threshold', 0.99, 'match'],
    ['just below', 0.98999, 'review'],
    ['above', 0.9999, 'match'],
  ] as const)('%s → %s', (_l, probability, decision) => {
    const r = decide([cand('a', 20, { probability, namesakes: 0 })], T);
    expect(r.decision).toBe(decision);
    if (decision === 'review') expect(r.refusal).toBe('probability');
    else expect(r.best?.memberId).toBe('a');
  });

  it('without a given probability, the posterior is computed from the scores (rivals share it)', () => {
    // log2 odds 10 alone: 1024/1025 ≈ 0.99902 ≥ 0.99; with a rival at 4 it drops to 1024/(1+1024+16) ≈ 0.98367.
    expect(decide([cand('a', 10, { namesakes: 0 })], T).decision).toBe('match');
    const r = decide([cand('a', 10, { namesakes: 0 }), cand('b', 4)], T);
    expect(r).toMatchObject({ decision: 'review', refusal: 'probability' });
  });
});

describe('review threshold: posterior log2 odds ≥ reviewLog2Odds', () => {
  it.each([
    ['the best exactly at the review floor', -10, 'review'],
    ['the best just below', -10.001, 'no_match'],
  ] as const)('%s → %s', (_l, score, decision) => {
    const r = decide([cand('a', score)], T);
    expect(r.decision).toBe(decision);
    expect(r.candidates.map((c) => c.memberId)).toEqual(decision === 'review' ? ['a'] : []);
  });

  it('lists only candidates at or above the floor, best first', () => {
    const ranked = [cand('a', 5, { probability: 0.5 }), cand('b', -10), cand('c', -10.001), cand('d', -30)];
    const r = decide(ranked, T);
    expect(r.decision).toBe('review');
    expect(r.candidates.map((c) => c.memberId)).toEqual(['a', 'b']);
  });

  it('a match also lists its rivals above the floor, and none below', () => {
    const r = decide([cand('a', 30, { probability: 0.999, namesakes: 0 }), cand('b', -9), cand('c', -11)], T);
    expect(r.decision).toBe('match');
    expect(r.candidates.map((c) => c.memberId)).toEqual(['a', 'b']);
  });

  it('lists at most maxReviewCandidates', () => {
    const ranked = ['a', 'b', 'c', 'd', 'e'].map((id, i) => cand(id, 2 - i, { probability: 0.3 }));
    expect(decide(ranked, T).candidates.map((c) => c.memberId)).toEqual(['a', 'b', 'c']);
    expect(decide(ranked.slice(0, 3), T).candidates).toHaveLength(3);
  });
});

describe('veto: any evidence level listed in vetoLevels forbids a match', () => {
  it('one vetoed level among agreeing ones is enough', () => {
    const evidence = [ev('given_name', 'exact'), ev('dob', 'exact_day'), ev('id_number', 'different')];
    const r = decide([cand('a', 40, { probability: 0.9999, namesakes: 0, evidence })], T);
    expect(r).toMatchObject({ decision: 'review', refusal: 'veto' });
    expect(vetoed(cand('a', 40, { evidence }), T)).toBe(true);
  });

  it('a level named for another field does not veto', () => {
    // 'different' vetoes given_name and id_number, not dob.
    const evidence = [ev('given_name', 'exact'), ev('dob', 'different'), ev('id_number', 'exact')];
    expect(decide([cand('a', 40, { probability: 0.9999, namesakes: 0, evidence })], T).decision).toBe(
      'match',
    );
    expect(vetoed(cand('a', 40, { evidence }), T)).toBe(false);
  });

  it('no veto levels configured: nothing vetoes', () => {
    const evidence = [ev('given_name', 'different')];
    const t = { ...T, vetoLevels: undefined };
    expect(decide([cand('a', 40, { probability: 0.9999, namesakes: 0, evidence })], t).decision).toBe(
      'match',
    );
  });

  it('the veto is checked before corroboration and namesakes', () => {
    const evidence = [ev('given_name', 'different'), ev('dob', 'exact_year')];
    const r = decide([cand('a', 40, { probability: 0.9999, namesakes: 5, evidence })], T);
    expect(r.refusal).toBe('veto');
  });
});

describe('weak evidence needs a corroborating level', () => {
  const weak = [ev('given_name', 'exact'), ev('dob', 'exact_year')];
  it.each([
    ['weak date alone', weak, 'review', 'uncorroborated'],
    ['weak date + ID number', [...weak, ev('id_number', 'exact')], 'match', undefined],
    ['weak date + father', [...weak, ev('father_name', 'exact')], 'match', undefined],
    ['weak date + same ward', [...weak, ev('ward', 'exact')], 'match', undefined],
    [
      'weak date + a non-corroborating ID level',
      [...weak, ev('id_number', 'partial')],
      'review',
      'uncorroborated',
    ],
    ['full date, nothing else', [ev('given_name', 'exact'), ev('dob', 'exact_day')], 'match', undefined],
  ] as const)('%s → %s', (_l, evidence, decision, refusal) => {
    const r = decide([cand('a', 40, { probability: 0.9999, namesakes: 0, evidence: [...evidence] })], T);
    expect(r.decision).toBe(decision);
    expect(r.refusal).toBe(refusal);
  });

  it('no corroborating levels configured: weak evidence never auto-matches', () => {
    const t = { ...T, corroborating: undefined };
    const evidence = [...weak, ev('id_number', 'exact')];
    expect(decide([cand('a', 40, { probability: 0.9999, namesakes: 0, evidence })], t).refusal).toBe(
      'uncorroborated',
    );
  });

  it('no weak levels configured: a year-only date is not weak', () => {
    const t = { ...T, weakLevels: undefined };
    expect(decide([cand('a', 40, { probability: 0.9999, namesakes: 0, evidence: weak })], t).decision).toBe(
      'match',
    );
  });
});

describe('namesakes: expected namesakes ≤ maxNamesakes, or an identifying field agrees', () => {
  const plain = [ev('given_name', 'exact'), ev('dob', 'exact_day')];
  it.each([
    ['exactly at the limit', 0.02, plain, 'match', undefined],
    ['just above', 0.02001, plain, 'review', 'namesakes'],
    ['above, with the ID number', 3, [...plain, ev('id_number', 'exact')], 'match', undefined],
    ['above, with the father', 3, [...plain, ev('father_name', 'exact')], 'match', undefined],
    // The place already counts among the namesakes: the same ward does not identify.
    ['above, with only the same ward', 3, [...plain, ev('ward', 'exact')], 'review', 'namesakes'],
    ['not estimated', undefined, plain, 'match', undefined],
  ] as const)('%s → %s', (_l, namesakes, evidence, decision, refusal) => {
    const r = decide(
      [
        cand('a', 40, {
          probability: 0.9999,
          evidence: [...evidence],
          ...(namesakes !== undefined ? { namesakes } : {}),
        }),
      ],
      T,
    );
    expect(r.decision).toBe(decision);
    expect(r.refusal).toBe(refusal);
  });

  it('no corroborating levels configured: too many namesakes always refuse', () => {
    const t = { ...T, corroborating: undefined };
    const evidence = [...plain, ev('id_number', 'exact')];
    expect(decide([cand('a', 40, { probability: 0.9999, namesakes: 3, evidence })], t).refusal).toBe(
      'namesakes',
    );
  });
});

describe('no candidates', () => {
  it('is no_match with an empty list and no best', () => {
    expect(decide([], T)).toEqual({ decision: 'no_match', candidates: [] });
  });
});

describe('posterior arithmetic', () => {
  it('a single candidate: 2^s / (1 + 2^s)', () => {
    expect(posteriorOf(0, [{ score: 0 }])).toBeCloseTo(0.5, 12);
    expect(posteriorOf(3, [{ score: 3 }])).toBeCloseTo(8 / 9, 12);
    expect(posteriorOf(-2, [{ score: -2 }])).toBeCloseTo(0.25 / 1.25, 12);
  });

  it('rivals share the denominator', () => {
    const all = [{ score: 3 }, { score: 1 }];
    expect(posteriorOf(3, all)).toBeCloseTo(8 / 11, 12);
    expect(posteriorOf(1, all)).toBeCloseTo(2 / 11, 12);
    expect(posteriors(all)).toEqual([posteriorOf(3, all), posteriorOf(1, all)]);
    expect(posteriors(all)[0]).toBeCloseTo(8 / 11, 12);
  });

  it('huge scores do not overflow, negative ones do not lose the population term', () => {
    expect(posteriorOf(2000, [{ score: 2000 }])).toBeCloseTo(1, 12);
    expect(posteriors([{ score: 2000 }, { score: 1999 }])[0]).toBeCloseTo(2 / 3, 12);
    expect(posteriors([{ score: -3 }])[0]).toBeCloseTo(0.125 / 1.125, 12);
    expect(posteriors([])).toEqual([]);
  });
});

describe('rank', () => {
  it('best first, ties by member id', () => {
    const r = rank([cand('b', 1), cand('c', 2), cand('a', 1), cand('d', 1)]);
    expect(r.map((c) => c.memberId)).toEqual(['c', 'a', 'b', 'd']);
    expect(rank([cand('b', 1), cand('a', 1)]).map((c) => c.memberId)).toEqual(['a', 'b']);
    expect(rank([cand('a', 1), cand('b', 1)]).map((c) => c.memberId)).toEqual(['a', 'b']);
    // Whatever order the sort compares in.
    const ids = ['e', 'b', 'd', 'a', 'c'];
    expect(rank(ids.map((id) => cand(id, 1))).map((c) => c.memberId)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(rank([...ids].reverse().map((id) => cand(id, 1))).map((c) => c.memberId)).toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
    ]);
  });
});

describe('a veto lifted by an agreeing ID number: only the levels listed as liftable', () => {
  const t: MatchThresholds = {
    ...T,
    vetoLevels: { given_name: ['typo_short', 'different'], family_name: ['different'] },
    vetoLiftedBy: { id_number: ['exact'] },
    liftableVetoLevels: { given_name: ['typo_short'] },
  };
  const with_ = (...evidence: FieldEvidence[]) => cand('a', 40, { evidence });

  it('a liftable level with the ID agreeing: no veto; without the ID: veto', () => {
    expect(vetoed(with_(ev('given_name', 'typo_short'), ev('id_number', 'exact')), t)).toBe(false);
    expect(vetoed(with_(ev('given_name', 'typo_short'), ev('id_number', 'different')), t)).toBe(true);
  });

  it('a level not listed as liftable stays a veto, on a liftable field or another', () => {
    expect(vetoed(with_(ev('given_name', 'different'), ev('id_number', 'exact')), t)).toBe(true);
    expect(vetoed(with_(ev('family_name', 'different'), ev('id_number', 'exact')), t)).toBe(true);
  });

  it('no liftable levels configured: an agreeing ID lifts nothing', () => {
    const none = { ...t, liftableVetoLevels: undefined };
    expect(vetoed(with_(ev('given_name', 'typo_short'), ev('id_number', 'exact')), none)).toBe(true);
  });
});
