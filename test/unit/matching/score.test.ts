import { describe, expect, it } from 'vitest';
import type { Comparison } from '../../../src/matching/compare.js';
import { fromCounts } from '../../../src/matching/frequencies.js';
import { defaultParameters } from '../../../src/matching/parameters.js';
import { preparePerson } from '../../../src/matching/prepare.js';
import { scorePair, scorePairAtLeast, weightOf } from '../../../src/matching/score.js';
import type { MatchModel, MemberRecord } from '../../../src/matching/types.js';

// Fellegi–Sunter weights (log2 m/u) on the shipped parameters, and the early exit of scorePairAtLeast, which may
// drop a candidate only when its full score is below the floor (score-pruning.test.ts checks that on 60,000 pairs
// outside the mutation runs; these are the boundary cases).

const parameters = defaultParameters();
const frequencies = fromCounts(
  100,
  new Map([
    ['nguyen', 38],
    ['tran', 11],
  ]),
  new Map([
    ['an', 2],
    ['hung', 1],
  ]),
);
const model: MatchModel = { parameters, frequencies };
const lp = (field: keyof typeof parameters.fields, level: string) => parameters.fields[field].levels[level]!;
const c = (field: Comparison['field'], level: string, tfValue?: string): Comparison =>
  tfValue === undefined ? { field, level } : { field, level, tfValue };

describe('weightOf', () => {
  it('log2 m/u of the level', () => {
    const l = lp('dob', 'exact_day');
    expect(weightOf(c('dob', 'exact_day'), model)).toBeCloseTo(Math.log2(l.m / l.u), 12);
    const g = lp('gender', 'different');
    expect(weightOf(c('gender', 'different'), model)).toBeCloseTo(Math.log2(g.m / g.u), 12);
    expect(weightOf(c('gender', 'different'), model)).toBeLessThan(0);
  });

  it('a missing value, an unknown level or field weighs nothing', () => {
    expect(weightOf(c('dob', 'missing'), model)).toBe(0);
    expect(weightOf(c('dob', 'no_such_level'), model)).toBe(0);
    const without = {
      ...model,
      parameters: { ...parameters, fields: { ...parameters.fields, ward: undefined } },
    };
    expect(weightOf(c('ward', 'exact'), without as unknown as MatchModel)).toBe(0);
  });

  it('an exact family or given name weighs by that name’s share of HGD members', () => {
    const fam = lp('family_name', 'exact');
    expect(weightOf(c('family_name', 'exact', 'nguyen'), model)).toBeCloseTo(Math.log2(fam.m / 0.38), 12);
    expect(weightOf(c('family_name', 'exact', 'tran'), model)).toBeCloseTo(Math.log2(fam.m / 0.11), 12);
    const giv = lp('given_name', 'exact');
    expect(weightOf(c('given_name', 'exact', 'an'), model)).toBeCloseTo(Math.log2(giv.m / 0.02), 12);
    // The given-name table is used for given names: 'nguyen' is no given name, so the floor applies.
    expect(weightOf(c('given_name', 'exact', 'nguyen'), model)).toBeCloseTo(
      Math.log2(giv.m / parameters.tfMinU),
      12,
    );
  });

  it('a rare or unseen name is bounded by tfMinU; without a value the level’s average u applies', () => {
    const fam = lp('family_name', 'exact');
    const rare = fromCounts(1_000_000, new Map([['la', 1]]), new Map());
    const m2 = { parameters, frequencies: rare };
    expect(weightOf(c('family_name', 'exact', 'la'), m2)).toBeCloseTo(
      Math.log2(fam.m / parameters.tfMinU),
      12,
    );
    expect(weightOf(c('family_name', 'exact', 'unseen'), m2)).toBeCloseTo(
      Math.log2(fam.m / parameters.tfMinU),
      12,
    );
    expect(weightOf(c('family_name', 'exact'), model)).toBeCloseTo(Math.log2(fam.m / fam.u), 12);
  });

  it('only term-frequency-adjusted levels use the name’s share', () => {
    const typo = lp('family_name', 'typo');
    expect(weightOf(c('family_name', 'typo', 'nguyen'), model)).toBeCloseTo(Math.log2(typo.m / typo.u), 12);
  });
});

describe('scorePair and scorePairAtLeast', () => {
  const member: MemberRecord = {
    memberId: 'M1',
    householdCode: 'H1',
    fullName: 'Nguyễn Văn An',
    dob: '1990-03-04',
    dobPrecision: 'day',
    gender: 'M',
    idNumber: '001090123456',
    bhxhCode: null,
    provinceCode: '01',
    wardCode: '00004',
    fatherName: null,
    motherName: null,
    relationToHead: null,
  };
  const m = preparePerson(member);
  const same = preparePerson({ ...member });
  const other = preparePerson({
    ...member,
    fullName: 'Trần Thị Hồng',
    dob: '1950-11-20',
    gender: 'F',
    idNumber: '001150999999',
    wardCode: '00099',
  });

  it('the score is the sum of the rounded field weights, every field listed', () => {
    const s = scorePair(same, m, model);
    expect(s.evidence.map((e) => e.field)).toHaveLength(10);
    const sum = s.evidence.reduce((a, e) => a + e.weight, 0);
    expect(s.score).toBeCloseTo(sum, 6);
    for (const e of s.evidence) expect(Math.round(e.weight * 1000) / 1000).toBe(e.weight);
    expect(s.score).toBeGreaterThan(20);
  });

  it('at or below its own score the floor changes nothing; above it by more than the slack, null', () => {
    const full = scorePair(same, m, model);
    expect(scorePairAtLeast(same, m, model, full.score)).toEqual(full);
    expect(scorePairAtLeast(same, m, model, -1000)).toEqual(full);
    expect(scorePairAtLeast(same, m, model, full.score + 1)).toBeNull();
  });

  it('a hopeless candidate is dropped early, one that can still reach the floor is scored', () => {
    const full = scorePair(other, m, model);
    expect(full.score).toBeLessThan(0);
    expect(scorePairAtLeast(other, m, model, full.score + 0.5)).toBeNull();
    expect(scorePairAtLeast(other, m, model, full.score - 0.5)).toEqual(full);
  });

  it('a candidate with rare names, whose exact-name weights exceed the level averages, is never dropped at its own score', () => {
    // Both names unseen in the frequencies: their exact-name weight is log2(m / tfMinU), above the level's average.
    // Every field agrees at its strongest level (parents' names too), so the bound on what is left is tight.
    const record = {
      ...member,
      fullName: 'Ksor Y Bhiăo',
      fatherName: 'Ksor Y Điêng',
      motherName: 'H Nơ Niê',
    };
    const rare = preparePerson(record);
    const full = scorePair(rare, preparePerson(record), model);
    expect(full.evidence.find((e) => e.field === 'family_name')?.weight).toBeCloseTo(
      Math.log2(lp('family_name', 'exact').m / parameters.tfMinU),
      2,
    );
    expect(scorePairAtLeast(rare, preparePerson(record), model, full.score - 0.01)).toEqual(full);
  });
});
