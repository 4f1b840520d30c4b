import { describe, expect, it } from 'vitest';
import { posteriorOf } from '../../../src/matching/decide.js';
import { fromCounts } from '../../../src/matching/frequencies.js';
import { InMemoryCandidateSource } from '../../../src/matching/in-memory-source.js';
import { matchPerson, scoreCandidates } from '../../../src/matching/match.js';
import { expectedNamesakes } from '../../../src/matching/namesakes.js';
import { defaultParameters } from '../../../src/matching/parameters.js';
import type { MatchModel, MemberRecord, PersonQuery } from '../../../src/matching/types.js';

/**
 * The decision model, one rule per test: posterior = Bayes factor + log2 prior (1 / population), partial dates
 * as weak evidence, expected namesakes, corroboration. Name shares are set to realistic Vietnamese ones (Nguyễn
 * ≈ 38 %, the given name Liên ≈ 1 %) so the figures mean what they would on a real HGD.
 */
const frequencies = fromCounts(
  10_000,
  new Map([
    ['nguyen', 3800],
    ['tran', 1100],
    ['phung', 40],
  ]),
  new Map([
    ['lien', 100],
    ['tuyet', 60],
    ['khiem', 2],
  ]),
);
const model = (population: number): MatchModel => ({
  parameters: defaultParameters(),
  frequencies,
  population,
});

const member: MemberRecord = {
  memberId: 'M1',
  householdCode: 'H1',
  fullName: 'Nguyễn Thị Liên',
  dob: '1962-03-04',
  dobPrecision: 'day',
  gender: 'F',
  idNumber: null,
  bhxhCode: null,
  provinceCode: '01',
  wardCode: null,
  fatherName: null,
  motherName: null,
  relationToHead: null,
};
const query: PersonQuery = {
  fullName: 'Nguyễn Thị Liên',
  dob: '1962-03-04',
  gender: 'F',
  idNumber: null,
  provinceCode: '01',
  fatherName: null,
  motherName: null,
};
const yearOnly: MemberRecord = { ...member, dob: '1962', dobPrecision: 'year' };

describe('posterior = Bayes factor + log2 prior (prior odds 1 / population)', () => {
  it('the same pair auto-matches at 10k members and goes to review at 90M', () => {
    const small = scoreCandidates(query, [member], model(10_000));
    const national = scoreCandidates(query, [member], model(90_000_000));
    expect(small.decision).toBe('match');
    expect(national.decision).toBe('review');
    expect(national.refusal).toBe('probability');
    // Same Bayes factor; the score moves by exactly log2(90M / 10k) bits.
    expect(national.candidates[0]!.bayesFactor).toBe(small.candidates[0]!.bayesFactor);
    expect(small.candidates[0]!.score - national.candidates[0]!.score).toBeCloseTo(Math.log2(9000), 2);
  });

  it('states the probability: 2^s / (1 + Σ 2^s), so twins share it and neither auto-matches', () => {
    expect(posteriorOf(0, [{ score: 0 }])).toBeCloseTo(0.5, 9);
    expect(posteriorOf(10, [{ score: 10 }])).toBeCloseTo(1024 / 1025, 9);
    expect(posteriorOf(10, [{ score: 10 }, { score: 10 }])).toBeCloseTo(1024 / 2049, 9);
    const twin = { ...member, memberId: 'M2' };
    const r = scoreCandidates(query, [member, twin], model(10_000));
    expect(r.decision).toBe('review');
    expect(r.candidates[0]!.probability).toBeLessThan(0.5);
  });

  it('a household search takes the household as the population', async () => {
    const source = new InMemoryCandidateSource([
      member,
      { ...member, memberId: 'M2', fullName: 'Trần Văn Bình' },
    ]);
    const r = await matchPerson(query, source, model(90_000_000), { householdCode: 'H1' });
    expect(r.population).toBe(2);
    expect(r.decision).toBe('match');
  });
});

describe('partial dates are weak evidence', () => {
  const weight = (m: MemberRecord) =>
    scoreCandidates(query, [m], model(10_000)).candidates[0]!.evidence.find((e) => e.field === 'dob')!;

  it('a year-only or year-month date weighs less than a full one', () => {
    const day = weight(member);
    const month = weight({ ...member, dob: '1962-03', dobPrecision: 'month' });
    const year = weight(yearOnly);
    expect([day.level, month.level, year.level]).toEqual(['exact_day', 'exact_month', 'exact_year']);
    expect(year.weight).toBeLessThan(month.weight);
    expect(month.weight).toBeLessThan(day.weight);
  });

  it('a year-only HGD date never yields an automatic match on name alone, whatever the size or name', () => {
    const nameOnly: PersonQuery = { ...query, provinceCode: null, gender: null };
    for (const population of [10, 1_000, 10_000, 1_000_000, 90_000_000]) {
      for (const fullName of ['Nguyễn Thị Liên', 'Phùng Thị Khiêm']) {
        const r = scoreCandidates({ ...nameOnly, fullName }, [{ ...yearOnly, fullName }], model(population));
        expect(r.decision).not.toBe('match');
      }
    }
  });

  it('an ID number that agrees corroborates a year-only date', () => {
    const withId = { ...yearOnly, idNumber: '001162000123' };
    const r = scoreCandidates(
      { ...query, provinceCode: null, idNumber: '001162000123' },
      [withId],
      model(1_000_000),
    );
    expect(r.decision).toBe('match');
  });
});

describe('a year-month date agreeing on the month is moderate evidence', () => {
  const yearMonth: MemberRecord = { ...member, dob: '1962-03', dobPrecision: 'month', wardCode: '00123' };

  it('auto-matches with the same ward, not on name, month and province alone', () => {
    const alone = scoreCandidates(query, [yearMonth], model(10_000));
    expect(alone.candidates[0]!.evidence.find((e) => e.field === 'dob')!.level).toBe('exact_month');
    expect(alone.decision).toBe('review');
    expect(alone.refusal).toBe('uncorroborated');
    const sameWard = scoreCandidates({ ...query, wardCode: '00123' }, [yearMonth], model(10_000));
    expect(sameWard.decision).toBe('match');
    const otherWard = scoreCandidates({ ...query, wardCode: '00999' }, [yearMonth], model(10_000));
    expect(otherWard.decision).toBe('review');
  });

  it('no date of birth on one side is weak too: name and ward alone do not auto-match', () => {
    const r = scoreCandidates(
      { ...query, dob: null, wardCode: '00123' },
      [{ ...member, wardCode: '00123' }],
      model(200_000),
    );
    expect(r.candidates[0]!.evidence.find((e) => e.field === 'dob')!.level).toBe('missing');
    expect(r.decision).toBe('review');
    expect(r.refusal).toBe('uncorroborated');
  });

  it('a year-only date is not corroborated by the ward', () => {
    const r = scoreCandidates(
      { ...query, wardCode: '00123' },
      [{ ...yearOnly, wardCode: '00123' }],
      model(10_000),
    );
    expect(r.decision).toBe('review');
    expect(r.refusal).toBe('uncorroborated');
  });
});

describe('an ID number that agrees lifts a typo-like given-name veto', () => {
  const nam: MemberRecord = { ...member, fullName: 'Trần Văn Nam', gender: 'M', idNumber: '001062000123' };
  const typed: PersonQuery = { ...query, fullName: 'Trần Văn Nah', gender: 'M' };

  it('a 3-letter given name one letter off is vetoed without the ID and matched with it', () => {
    const without = scoreCandidates(typed, [{ ...nam, idNumber: null }], model(10_000));
    expect(without.candidates[0]!.evidence.find((e) => e.field === 'given_name')!.level).toBe('typo_short');
    expect(without.decision).toBe('review');
    expect(without.refusal).toBe('veto');
    const withId = scoreCandidates({ ...typed, idNumber: '001062000123' }, [nam], model(10_000));
    expect(withId.decision).toBe('match');
  });

  it('does not lift a given name that is plainly different (another person, or a wrong ID)', () => {
    const r = scoreCandidates(
      { ...query, fullName: 'Trần Văn Bình', gender: 'M', idNumber: '001062000123' },
      [nam],
      model(10_000),
    );
    expect(r.decision).toBe('review');
    expect(r.refusal).toBe('veto');
  });
});

describe('expected namesakes', () => {
  it('grows with the population and shrinks with the precision of the date', () => {
    const p = defaultParameters();
    const ev = (m: MemberRecord) => scoreCandidates(query, [m], model(1_000_000)).candidates[0]!.evidence;
    expect(expectedNamesakes(ev(member), p, 2_000_001)).toBeCloseTo(
      2 * expectedNamesakes(ev(member), p, 1_000_001),
      9,
    );
    expect(expectedNamesakes(ev(yearOnly), p, 1_000_000)).toBeGreaterThan(
      300 * expectedNamesakes(ev(member), p, 1_000_000),
    );
  });

  it('a common name with a year-only date in the same province is refused at 1M members: namesakes', () => {
    const r = scoreCandidates(query, [yearOnly], model(1_000_000));
    expect(r.candidates[0]!.namesakes).toBeGreaterThan(defaultParameters().thresholds.maxNamesakes);
    expect(r.decision).toBe('review');
  });

  it('the same declaration with a full date is not a namesake case', () => {
    const r = scoreCandidates(query, [member], model(1_000_000));
    expect(r.candidates[0]!.namesakes).toBeLessThan(0.001);
  });

  it('a rare name with a year-only date has few namesakes, yet needs an identifying field to auto-match', () => {
    const fullName = 'Phùng Thị Khiêm';
    const r = scoreCandidates({ ...query, fullName }, [{ ...yearOnly, fullName }], model(10_000));
    expect(r.candidates[0]!.namesakes).toBeLessThan(0.001);
    expect(r.decision).toBe('review');
    expect(r.refusal).toBe('uncorroborated');
    const mother = 'Lê Thị Hoa';
    const withMother = scoreCandidates(
      { ...query, fullName, motherName: mother },
      [{ ...yearOnly, fullName, motherName: mother }],
      model(10_000),
    );
    expect(withMother.decision).toBe('match');
  });
});
