import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  computeNameFrequencies,
  EMPTY_FREQUENCIES,
  fromCounts,
  NameFrequencyCounter,
} from '../../../src/matching/frequencies.js';
import { keyHash } from '../../../src/matching/key-hash.js';
import { defaultParameters, loadParameters, validateParameters } from '../../../src/matching/parameters.js';
import { currentProvinceCode } from '../../../src/matching/province.js';

describe('name frequencies', () => {
  it('shares of folded family (regional pairs as one) and given names over the names counted', () => {
    const f = computeNameFrequencies([
      'Nguyễn Văn An',
      'NGUYEN Thi Binh',
      'Huỳnh An',
      'Hoàng Văn Bình',
      'An', // a given name alone: counted, no family name
      null,
      undefined,
      '',
      ' .. ', // no name at all: not counted
    ]);
    expect(f.total).toBe(5);
    expect(Object.fromEntries(f.family)).toEqual({ nguyen: 2 / 5, hoang: 2 / 5 });
    expect(Object.fromEntries(f.given)).toEqual({ an: 3 / 5, binh: 2 / 5 });
  });

  it('the counter adds up as it goes and gives the same shares', () => {
    const c = new NameFrequencyCounter();
    c.add('Lê An');
    c.add('Lê Bình');
    expect(c.total).toBe(2);
    expect(c.family.get('le')).toBe(2);
    expect(c.given.get('an')).toBe(1);
    expect(Object.fromEntries(c.toFrequencies().family)).toEqual({ le: 1 });
  });

  it('no names: shares of 0, never a division by zero', () => {
    const f = fromCounts(0, new Map([['le', 3]]), new Map([['an', 1]]));
    expect(f.family.get('le')).toBe(0);
    expect(f.given.get('an')).toBe(0);
    expect(EMPTY_FREQUENCIES).toMatchObject({ total: 0 });
    expect(EMPTY_FREQUENCIES.family.size + EMPTY_FREQUENCIES.given.size).toBe(0);
  });
});

describe('currentProvinceCode (provinces merged on 1 July 2025)', () => {
  it.each([
    ['a code merged into another', '02', '08'],
    ['a code kept', '01', '01'],
    ['a one-digit code is padded, then mapped', '2', '08'],
    ['spaces around', ' 10 ', '15'],
    ['an unknown code passes through', '99', '99'],
    ['an unknown one-digit code is padded', '9', '09'],
    ['an unknown longer code passes through', '123', '123'],
  ])('%s', (_l, code, expected) => {
    expect(currentProvinceCode(code)).toBe(expected);
  });
  it.each([null, undefined, '', '  '])('%j is no province', (code) => {
    expect(currentProvinceCode(code)).toBeNull();
  });
});

describe('keyHash', () => {
  it('the hashes stored in the key table never change between releases', () => {
    // Computed once with this implementation; a change would make every stored key unreachable until re-import.
    expect(keyHash('')).toBe('2478509974180311692');
    expect(keyHash('a')).toBe('-8636273695828960558');
    expect(keyHash('nguyen|an|1990')).toBe('-437695424877303002');
    expect(keyHash('fd:2015-06-10|00004')).toBe('1849203981557295243');
    expect(keyHash('Đức')).toBe('-1163720095883379855');
  });

  it('a signed 64-bit integer; distinct keys give distinct hashes, both halves depend on every character', () => {
    const seen = new Set<string>();
    const lows = new Set<bigint>();
    const highs = new Set<bigint>();
    for (let i = 0; i < 5000; i++) {
      const h = BigInt(keyHash(`key-${i}`));
      expect(h >= -(2n ** 63n) && h < 2n ** 63n).toBe(true);
      seen.add(h.toString());
      lows.add(BigInt.asUintN(32, h));
      highs.add(BigInt.asUintN(64, h) >> 32n);
    }
    expect(seen.size).toBe(5000);
    expect(lows.size).toBe(5000);
    expect(highs.size).toBe(5000);
  });
});

/** Parameters as loose JSON, to break them one field at a time. */
type Loose = {
  tfMinU?: unknown;
  thresholds?: Record<string, unknown>;
  fields: Record<string, { levels?: Record<string, unknown> }>;
};

describe('match parameters', () => {
  const valid = () => defaultParameters();
  const problems = (p: unknown) => {
    try {
      validateParameters(p);
      return [];
    } catch (e) {
      return (e as Error).message
        .split('\n')
        .slice(1)
        .map((l) => l.trim());
    }
  };

  it('the shipped parameters are valid and loaded when no file is given', () => {
    expect(problems(valid())).toEqual([]);
    expect(loadParameters()).toEqual(valid());
    expect(loadParameters('')).toEqual(valid());
  });

  it('a file is read and checked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'params-'));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ ...valid(), version: 'from-file' }));
    expect(loadParameters(good).version).toBe('from-file');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...valid(), tfMinU: 0 }));
    expect(() => loadParameters(bad)).toThrow(/tfMinU: expected a number > 0/);
  });

  it.each([null, 'x', 3])('%j is not an object', (p) => {
    expect(() => validateParameters(p)).toThrow(/^match parameters: not an object$/);
  });

  it('every problem is listed at once', () => {
    const p = valid() as unknown as Record<string, unknown>;
    delete p.version;
    p.tfMinU = -1;
    const fields = p.fields as Record<string, unknown>;
    delete fields.ward;
    expect(problems(p)).toEqual([
      'version: expected a string',
      'tfMinU: expected a number > 0',
      'fields.ward: missing',
    ]);
  });

  it.each([
    ['tfMinU not a number', (p: Loose) => (p.tfMinU = '0.1'), 'tfMinU: expected a number > 0'],
    ['tfMinU 0', (p: Loose) => (p.tfMinU = 0), 'tfMinU: expected a number > 0'],
    ['tfMinU NaN', (p: Loose) => (p.tfMinU = Number.NaN), 'tfMinU: expected a number > 0'],
    ['no thresholds', (p: Loose) => delete p.thresholds, 'thresholds: missing'],
    [
      'no minMatchProbability',
      (p: Loose) => delete p.thresholds!.minMatchProbability,
      'thresholds.minMatchProbability: expected a number',
    ],
    [
      'no reviewLog2Odds',
      (p: Loose) => delete p.thresholds!.reviewLog2Odds,
      'thresholds.reviewLog2Odds: expected a number',
    ],
    [
      'no maxNamesakes',
      (p: Loose) => (p.thresholds!.maxNamesakes = '1'),
      'thresholds.maxNamesakes: expected a number',
    ],
    [
      'no maxReviewCandidates',
      (p: Loose) => delete p.thresholds!.maxReviewCandidates,
      'thresholds.maxReviewCandidates: expected a number',
    ],
    [
      'a match probability of 0.5',
      (p: Loose) => (p.thresholds!.minMatchProbability = 0.5),
      'thresholds.minMatchProbability: expected 0.5 < p < 1',
    ],
    [
      'a match probability of 1',
      (p: Loose) => (p.thresholds!.minMatchProbability = 1),
      'thresholds.minMatchProbability: expected 0.5 < p < 1',
    ],
    ['a field missing', (p: Loose) => delete p.fields.dob, 'fields.dob: missing'],
    [
      'm of 0',
      (p: Loose) => (p.fields.gender!.levels!.x = { m: 0, u: 0.5 }),
      'fields.gender.levels.x.m: expected 0 < m ≤ 1',
    ],
    [
      'm above 1',
      (p: Loose) => (p.fields.gender!.levels!.x = { m: 1.01, u: 0.5 }),
      'fields.gender.levels.x.m: expected 0 < m ≤ 1',
    ],
    [
      'u of 0',
      (p: Loose) => (p.fields.gender!.levels!.x = { m: 0.5, u: 0 }),
      'fields.gender.levels.x.u: expected 0 < u ≤ 1',
    ],
    [
      'u above 1',
      (p: Loose) => (p.fields.gender!.levels!.x = { m: 0.5, u: 1.5 }),
      'fields.gender.levels.x.u: expected 0 < u ≤ 1',
    ],
  ])('%s', (_l, change, problem) => {
    const p = valid();
    change(p as unknown as Loose);
    expect(problems(p)).toEqual([problem]);
  });

  it.each([
    ['a match probability just above 0.5', (p: Loose) => (p.thresholds!.minMatchProbability = 0.5001)],
    ['a match probability just below 1', (p: Loose) => (p.thresholds!.minMatchProbability = 0.9999)],
    ['m and u of exactly 1', (p: Loose) => (p.fields.gender!.levels!.x = { m: 1, u: 1 })],
    ['a field without levels', (p: Loose) => delete p.fields.gender!.levels],
  ])('%s is accepted', (_l, change) => {
    const p = valid();
    change(p as unknown as Loose);
    expect(problems(p)).toEqual([]);
  });

  it('the shipped parameters are a fresh copy each time', () => {
    const a = defaultParameters();
    a.tfMinU = 42;
    expect(defaultParameters().tfMinU).not.toBe(42);
  });
});
