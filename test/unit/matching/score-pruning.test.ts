import { describe, expect, it } from 'vitest';
import { generateHgd } from '../../../bench/generator/households.js';
import { generateQueries } from '../../../bench/generator/queries.js';
import { computeNameFrequencies } from '../../../src/matching/frequencies.js';
import { InMemoryCandidateSource } from '../../../src/matching/in-memory-source.js';
import { matchPerson } from '../../../src/matching/match.js';
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

  it('never drops a candidate that reaches the floor (true members of the queries)', async () => {
    const source = new InMemoryCandidateSource(members);
    for (const q of queries.slice(0, 60)) {
      const r = await matchPerson(q, source, model);
      for (const c of r.candidates) expect(c.score).toBeGreaterThanOrEqual(t.reviewLog2Odds);
    }
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
