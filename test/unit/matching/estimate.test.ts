import { describe, expect, it } from 'vitest';
import { generateHgd } from '../../../bench/generator/households.js';
import { generateQueries } from '../../../bench/generator/queries.js';
import { estimationBlockingKeys, queryBlockingKeys } from '../../../src/matching/blocking.js';
import { estimateParameters, type EstimateOptions } from '../../../src/matching/estimate.js';
import { computeNameFrequencies } from '../../../src/matching/frequencies.js';
import { InMemoryCandidateSource } from '../../../src/matching/in-memory-source.js';
import { defaultParameters } from '../../../src/matching/parameters.js';
import { preparePerson, type PreparedPerson } from '../../../src/matching/prepare.js';
import type { MemberRecord, PersonQuery } from '../../../src/matching/types.js';
import { queryOfMember } from '../../support/member-query.js';

// Parameter estimation on unlabelled data (`vss-bridge match estimate`), on the project's generator: a sample of
// generated HGD members, and declarations that are exact copies of some of them, each blocked with its own member
// and three others. What the estimate should find is known by construction: a quarter of the candidate pairs are
// the same person, and those agree on the ID number while the others do not.

const people = [...generateHgd({ seed: 5, members: 400 })].map((p) => p.member);
const asQuery = (m: MemberRecord): PersonQuery => queryOfMember(m);
const withId = people.filter((m) => m.idNumber !== null);
const candidates = withId.slice(0, 240).map((m, i) => ({
  query: asQuery(m),
  // The true member, three others, and the true member again (a duplicate row counts once).
  members: [
    m,
    withId[(i + 97) % withId.length]!,
    withId[(i + 211) % withId.length]!,
    withId[(i + 307) % withId.length]!,
    m,
  ],
}));
const base = defaultParameters();
const options = (over: Partial<EstimateOptions> = {}): EstimateOptions => ({
  base,
  members: people,
  frequencies: computeNameFrequencies(people.map((m) => m.fullName)),
  candidates,
  hgdMembers: 1_000_000,
  uPairs: 5000,
  minAnchors: 50,
  ...over,
});

const levels = (p: ReturnType<typeof estimateParameters>['parameters'], field: string) =>
  p.fields[field as 'dob']!.levels;

/** Each test runs the estimate itself, so a mutation run knows which tests read which part of it. */
const estimate = () => {
  const report = estimateParameters(options());
  return { report, p: report.parameters };
};

describe('estimateParameters', () => {
  it('counts the pairs it used: u pairs as asked, each candidate member once per declaration', () => {
    const { report, p } = estimate();
    expect(report.uPairs).toBe(5000);
    expect(report.emPairs).toBe(240 * 4);
    expect(p.provenance).toMatchObject({
      data: 'unspecified',
      hgdMembers: 1_000_000,
      memberSample: 400,
      uPairs: 5000,
      declarations: 240,
      emPairs: 960,
      emBlockedOn: ['given_name', 'dob', 'province', 'gender', 'ward'],
      frequenciesOver: 400,
    });
    expect(report.iterations).toBeGreaterThan(0);
    expect(report.iterations).toBeLessThanOrEqual(50);
  });

  it('finds the share of candidate pairs that are the same person (a quarter here)', () => {
    const { report, p } = estimate();
    expect(report.lambda).toBeGreaterThan(0.2);
    expect(report.lambda).toBeLessThan(0.3);
    expect((p.provenance as { emLambda: number }).emLambda).toBeCloseTo(report.lambda, 3);
  });

  it('the same person agrees on the ID number, two members drawn at random do not', () => {
    const { p } = estimate();
    const id = levels(p, 'id_number');
    expect(id.exact!.m).toBeGreaterThan(0.95);
    expect(id.exact!.u).toBeLessThan(0.01);
    // Anchors: pairs agreeing on the ID number (240 of them), enough for the blocked-on fields' m.
    expect((p.provenance as { anchorPairs: number }).anchorPairs).toBe(240);
    // The copies agree on the date at the precision the record holds (older people often have a year only).
    const dob = levels(p, 'dob');
    expect(dob.exact_day!.m + dob.exact_month!.m + dob.exact_year!.m).toBeGreaterThan(0.99);
    expect(dob.different!.m).toBeLessThan(0.01);
    expect(dob.different!.u).toBeGreaterThan(0.9);
    expect(levels(p, 'given_name').exact!.m).toBeGreaterThan(0.9);
    expect(levels(p, 'family_name').exact!.m).toBeGreaterThan(levels(p, 'family_name').exact!.u);
  });

  it('m and u of every field are shares that add up to 1 (to the 4 significant digits kept)', () => {
    const { p } = estimate();
    for (const [field, fp] of Object.entries(p.fields)) {
      const ls = Object.values(fp.levels);
      expect(ls.length, field).toBeGreaterThan(0);
      const sum = (k: 'm' | 'u') => ls.reduce((a, l) => a + l[k], 0);
      expect(sum('m'), field).toBeCloseTo(1, 2);
      expect(sum('u'), field).toBeCloseTo(1, 2);
      for (const l of ls) {
        expect(l.m).toBeGreaterThan(0);
        expect(l.u).toBeGreaterThan(0);
      }
    }
  });

  it('keeps the decision rule of the base parameters and says when and how it estimated', () => {
    const { p } = estimate();
    expect(p.thresholds).toEqual(base.thresholds);
    expect(p.tfMinU).toBe(base.tfMinU);
    expect(p.version).toMatch(/^estimated-\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(p.version).toBe(`estimated-${String(p.provenance?.['estimatedAt']).slice(0, 19)}Z`);
    expect(p.method).toMatch(
      /^u from 5000 random HGD member pairs; m by EM over 960 unlabelled candidate pairs \(240 declarations, \d+ iterations\); add-0\.5 smoothing/,
    );
    expect(base.version).toBe(defaultParameters().version); // the base is not changed
  });

  it('the birth-year concentration is the sum of the squared shares of each year', () => {
    const { p } = estimate();
    const dated = people.filter((m) => m.dob !== null);
    const byYear = new Map<string, number>();
    for (const m of dated) {
      const y = /(\d{4})/.exec(m.dob!)![1]!;
      byYear.set(y, (byYear.get(y) ?? 0) + 1);
    }
    const expected = [...byYear.values()].reduce((a, c) => a + (c / dated.length) ** 2, 0);
    expect(p.dobSameYearShare).toBeCloseTo(expected, 4);
  });

  it('is deterministic for a seed', () => {
    const { report, p } = estimate();
    const again = estimateParameters(options());
    expect(again.parameters.fields).toEqual(p.fields);
    expect(again.lambda).toBe(report.lambda);
  });

  it('asks for no more u pairs than the sample has', () => {
    const r = estimateParameters(
      options({ members: people.slice(0, 10), uPairs: 1000, label: 'ten members' }),
    );
    expect(r.uPairs).toBe(45);
    expect(r.parameters.provenance).toMatchObject({ data: 'ten members', memberSample: 10, uPairs: 45 });
  });

  it('without enough anchor pairs, the blocked-on fields keep the m the first pass gives them', () => {
    const { p } = estimate();
    const r = estimateParameters(options({ minAnchors: 10_000 }));
    expect((r.parameters.provenance as { anchorPairs: number }).anchorPairs).toBe(240);
    expect(r.parameters.fields.dob.levels).not.toEqual(p.fields.dob.levels);
  });

  it('no dated member: the base birth-year share is kept', () => {
    const undated = people.slice(0, 30).map((m) => ({ ...m, dob: null, dobPrecision: null }));
    const r = estimateParameters(options({ members: undated, candidates: [] }));
    expect(r.parameters.dobSameYearShare).toBe(base.dobSameYearShare);
    expect(r.emPairs).toBe(0);
  });

  it('a level no pair fell into keeps a small weight (add-smoothing), never zero', () => {
    const r = estimateParameters(options({ members: withId, candidates: [] }));
    for (const fp of Object.values(r.parameters.fields))
      for (const l of Object.values(fp.levels)) expect(l.u).toBeGreaterThan(0);
    // The ID number, every member holding one: 5000 random pairs, none the same person: u(exact) is smoothing / (5000 + smoothing × levels).
    const n = Object.keys(r.parameters.fields.id_number.levels).length;
    expect(r.parameters.fields.id_number.levels.exact!.u).toBeCloseTo(0.5 / (5000 + 0.5 * n), 6);
  });

  it('the birth-year concentration of a skewed sample: three quarters in one year give 0.75² + 0.25²', () => {
    const skewed = withId.slice(0, 40).map((m, i) => ({
      ...m,
      dob: i < 30 ? '1990-05-01' : '1991-05-01',
      dobPrecision: 'day' as const,
    }));
    const r = estimateParameters(options({ members: skewed, candidates: [], uPairs: 100 }));
    expect(r.parameters.dobSameYearShare).toBe(0.625);
  });

  it("the ID number's m from pairs agreeing on full date, both names and province (when there are enough)", () => {
    const { p } = estimate();
    const agreeing = candidates.filter(
      ({ query }) => /^\d{4}-\d{2}-\d{2}$/.test(query.dob ?? '') && query.provinceCode !== null,
    ).length;
    expect(agreeing).toBeGreaterThan(50);
    expect((p.provenance as { idAnchorPairs: number }).idAnchorPairs).toBe(agreeing);
    // Every such pair agrees on the ID: m(exact) is as close to 1 as the smoothing allows.
    expect(levels(p, 'id_number').exact!.m).toBeGreaterThan(0.999);
    const few = estimateParameters(options({ minAnchors: agreeing + 1 }));
    expect((few.parameters.provenance as { idAnchorPairs: number }).idAnchorPairs).toBe(agreeing);
    expect(few.parameters.fields.id_number.levels.exact!.m).not.toBe(levels(p, 'id_number').exact!.m);
  });

  it('another seed draws other u pairs; seed 0 is seed 1, the default', () => {
    const u = (seed?: number) =>
      estimateParameters(options({ candidates: [], ...(seed === undefined ? {} : { seed }) })).parameters
        .fields.given_name.levels;
    expect(u(7)).not.toEqual(u(1));
    expect(u(0)).toEqual(u(1));
    expect(u()).toEqual(u(1));
  });
});

// The EM's candidate pairs (`vss-bridge match estimate`): found by the name and ID keys only. A pair found by a
// full-date key (`d:`, `e:`, `w:`) agrees on its date because that is how it was found; with the date as evidence in
// the EM's second pass, such namesakes-by-date pass for matches and pull the m of the fields they differ on towards
// u. On the project's generator: a household HGD and declarations with their known errors, blocked both ways.
describe('estimateParameters on the candidates of the estimation keys', () => {
  const hgd = [...generateHgd({ seed: 11, members: 12_000 })];
  const hgdMembers = hgd.map((p) => p.member);
  const { queries } = generateQueries(hgd, { seed: 12, count: 1500 });
  const source = new InMemoryCandidateSource(hgdMembers);
  const run = (keys: (p: PreparedPerson) => string[]) =>
    estimateParameters({
      base,
      members: hgdMembers,
      frequencies: computeNameFrequencies(hgdMembers.map((m) => m.fullName)),
      candidates: queries.map((query) => ({
        query,
        members: source.findCandidatesSync(keys(preparePerson(query))),
      })),
      hgdMembers: hgdMembers.length,
      uPairs: 20_000,
    });
  const bits = (r: ReturnType<typeof run>, field: 'father_name' | 'mother_name', level: string) => {
    const l = r.parameters.fields[field].levels[level]!;
    return Math.log2(l.m / l.u);
  };

  it("a differing parent's name weighs strongly against with the estimation keys, barely with the full-date keys", () => {
    const est = run(estimationBlockingKeys);
    // The same keys plus the full-date ones (both genders in g:, as the estimation keys).
    const all = run((p) => queryBlockingKeys(p, { anyGender: true }));
    expect(est.emPairs).toBeLessThan(all.emPairs);
    // The same person's father's name almost always agrees: its m(different) is far below its u.
    expect(bits(est, 'father_name', 'different')).toBeLessThan(-8);
    expect(bits(est, 'mother_name', 'different')).toBeLessThan(-8);
    // With the date-found pairs in the EM, the match class absorbs namesakes whose parents differ.
    expect(bits(all, 'father_name', 'different')).toBeGreaterThan(-6);
    expect(est.lambda).toBeLessThan(all.lambda);
  }, 120_000);
});
