import { describe, expect, it } from 'vitest';
import { generateHgd } from '../../../bench/generator/households.js';
import { generateQueries } from '../../../bench/generator/queries.js';
import { computeNameFrequencies } from '../../../src/matching/frequencies.js';
import { populationOf, scoreCandidates } from '../../../src/matching/match.js';
import { prepareName } from '../../../src/matching/normalise.js';
import { defaultParameters } from '../../../src/matching/parameters.js';
import { preparePerson } from '../../../src/matching/prepare.js';
import { scorePair, scorePairAtLeast } from '../../../src/matching/score.js';

const people = [...generateHgd({ seed: 7, members: 3000 })];
const members = people.map((p) => p.member);
const { queries } = generateQueries(people, { seed: 8, count: 150 });
const model = {
  parameters: defaultParameters(),
  frequencies: computeNameFrequencies(members.map((m) => m.fullName)),
};
const t = model.parameters.thresholds;
// The Bayes-factor floor `scoreCandidates` prunes at for this HGD size (posterior log2 odds = BF − log2 N).
const floor = t.reviewLog2Odds + Math.log2(members.length);

describe('scorePairAtLeast (early exit on hopeless candidates)', () => {
  it('returns scorePair exactly, or null only when scorePair is below the floor', () => {
    let dropped = 0;
    let kept = 0;
    for (const q of queries.map(preparePerson)) {
      for (const m of members.slice(0, 400).map(preparePerson)) {
        const full = scorePair(q, m, model);
        const pruned = scorePairAtLeast(q, m, model, floor);
        if (pruned === null) {
          expect(full.score).toBeLessThan(floor);
          dropped++;
        } else {
          expect(pruned).toEqual(full);
          kept++;
        }
      }
    }
    expect(dropped).toBeGreaterThan(kept);
  }, 30_000);

  it('lists exactly the candidates whose full score reaches the review threshold, best first', () => {
    // A review threshold far below the shipped one, over unblocked members, lists many borderline candidates: the
    // ones an over-eager early exit would lose.
    const t = { ...model.parameters.thresholds, reviewLog2Odds: -60, maxReviewCandidates: 2000 };
    const wide = { ...model, parameters: { ...model.parameters, thresholds: t } };
    const logPrior = -Math.log2(populationOf(wide));
    const pool = members.slice(0, 600);
    let listed = 0;
    for (const q of queries.slice(0, 40)) {
      const r = scoreCandidates(q, pool, wide);
      const pq = preparePerson(q);
      const expected = pool
        .map((m) => ({ memberId: m.memberId, score: scorePair(pq, preparePerson(m), wide).score + logPrior }))
        .filter((c) => c.score >= t.reviewLog2Odds)
        .sort((a, b) => b.score - a.score || (a.memberId < b.memberId ? -1 : 1));
      expect(r.candidates.map((c) => c.memberId)).toEqual(expected.map((c) => c.memberId));
      listed += expected.length;
    }
    expect(listed).toBeGreaterThan(200);
  });
});

describe('prepareName memo', () => {
  it('returns the same frozen result for the same text', () => {
    const a = prepareName('Nguyễn  Thị Hoà');
    const b = prepareName('Nguyễn  Thị Hoà');
    expect(a).toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a?.parts.middle)).toBe(true);
    expect(a?.parts).toEqual({
      tokens: ['nguyen', 'thi', 'hoa'],
      family: 'nguyen',
      middle: ['thi'],
      given: 'hoa',
    });
  });
});
