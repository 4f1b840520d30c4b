import { describe, expect, it } from 'vitest';
import { DEFAULT_SAME_YEAR_SHARE, expectedNamesakes } from '../../../src/matching/namesakes.js';
import {
  basicNormalise,
  familyRepresentative,
  foldName,
  prepareName,
  spellingRepresentative,
  splitName,
} from '../../../src/matching/normalise.js';
import type { FieldEvidence, MatchParameters } from '../../../src/matching/types.js';

describe('basicNormalise', () => {
  it.each([
    ['punctuation becomes a space', 'Nguyễn,Văn.Đức', 'nguyễn văn đức'],
    ['hyphen and apostrophe are kept', "H'Hen Niê-Ktla", "h'hen niê-ktla"],
    ['no-break and zero-width spaces are spaces', 'Văn\u00a0Đức\u200bAn', 'văn đức an'],
    ['tabs and new lines', '\tVăn\n Đức ', 'văn đức'],
    ['digits are kept', 'Nguyễn Văn 2', 'nguyễn văn 2'],
    ['NFD in, NFC out', 'Đức'.normalize('NFD'), 'đức'],
  ])('%s', (_l, input, expected) => {
    expect(basicNormalise(input)).toBe(expected);
  });
});

describe('foldName: separators', () => {
  it.each([
    ['an apostrophe separates tokens', "H'Hen", 'h hen'],
    ['a hyphen separates tokens', 'Niê-Ktla', 'nie ktla'],
    ['punctuation separates tokens', 'Văn.Đức', 'van duc'],
    ['ð (lower-case eth) is d', 'ðức', 'duc'],
    ['digits are kept', 'An 2', 'an 2'],
  ])('%s', (_l, input, expected) => {
    expect(foldName(input)).toBe(expected);
  });
});

describe('spellingRepresentative: final y after a consonant-only onset reads as i', () => {
  it.each([
    ['ly', 'li'],
    ['ky', 'ki'],
    ['quy', 'qui'],
    ['my', 'mi'],
    ['ty', 'ti'],
    ['hy', 'hi'],
    ['sy', 'si'],
    ['vy', 'vi'],
  ])('%s → %s', (a, b) => {
    expect(spellingRepresentative(a)).toBe(b);
  });
  it.each(['y', 'thy', 'ny', 'uy', 'huy', 'lyy', 'xly', 'li'])('%s unchanged', (a) => {
    expect(spellingRepresentative(a)).toBe(a);
  });
});

describe('familyRepresentative: regional pairs', () => {
  it.each([
    ['huynh', 'hoang'],
    ['hoang', 'hoang'],
    ['vo', 'vu'],
    ['vu', 'vu'],
    ['nguyen', 'nguyen'],
  ])('%s → %s', (a, b) => {
    expect(familyRepresentative(a)).toBe(b);
  });
});

describe('splitName', () => {
  it('no token', () => {
    expect(splitName('')).toEqual({ tokens: [], family: '', middle: [], given: '' });
  });
  it('one token is a given name', () => {
    expect(splitName('an')).toEqual({ tokens: ['an'], family: '', middle: [], given: 'an' });
  });
  it('two tokens: family and given', () => {
    expect(splitName('le an')).toEqual({ tokens: ['le', 'an'], family: 'le', middle: [], given: 'an' });
  });
  it('middle names between; empty tokens dropped', () => {
    expect(splitName('nguyen  thi ngoc anh')).toEqual({
      tokens: ['nguyen', 'thi', 'ngoc', 'anh'],
      family: 'nguyen',
      middle: ['thi', 'ngoc'],
      given: 'anh',
    });
  });
});

describe('prepareName', () => {
  it('null, undefined and a name with no letters are no name', () => {
    expect(prepareName(null)).toBeNull();
    expect(prepareName(undefined)).toBeNull();
    expect(prepareName(' .,; ')).toBeNull();
  });
  it('keeps the raw text, both forms and both splits', () => {
    const n = prepareName('Lê Thị Thuỷ')!;
    expect(n.raw).toBe('Lê Thị Thuỷ');
    expect(n.canonical).toBe('lê thị thủy');
    expect(n.folded).toBe('le thi thuy');
    expect(n.parts).toMatchObject({ family: 'le', middle: ['thi'], given: 'thuy' });
    expect(n.canonicalParts).toMatchObject({ family: 'lê', middle: ['thị'], given: 'thủy' });
  });
  it('the same text gives the same, frozen, result', () => {
    const a = prepareName('Trần Văn Bảy')!;
    expect(prepareName('Trần Văn Bảy')).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.parts)).toBe(true);
    expect(Object.isFrozen(a.parts.tokens)).toBe(true);
    expect(Object.isFrozen(a.canonicalParts.middle)).toBe(true);
  });
});

describe('expectedNamesakes', () => {
  const level = (m: number, u: number) => ({ m, u });
  const parameters = {
    version: 't',
    method: 't',
    tfMinU: 1e-6,
    thresholds: {},
    dobSameYearShare: 0.02,
    fields: {
      family_name: { levels: { exact: level(0.9, 0.1) } },
      given_name: { levels: { exact: level(0.8, 0.01) } },
      middle_name: { levels: { exact: level(0.7, 0.2) } },
      gender: { levels: { same: level(0.99, 0.5) } },
      province: { levels: { same: level(0.9, 0.05) } },
      ward: { levels: { same: level(0.9, 0.2) } },
      id_number: { levels: { exact: level(0.9, 1e-6) } },
      father_name: { levels: { exact: level(0.9, 0.001) } },
    },
  } as unknown as MatchParameters;
  const w = (m: number, u: number) => Math.log2(m / u);
  const ev = (field: string, lvl: string, weight: number): FieldEvidence =>
    ({ field, level: lvl, weight }) as FieldEvidence;

  it('population − 1 times the product of u over agreeing descriptive fields (u read back from the weight)', () => {
    const evidence = [
      ev('family_name', 'exact', w(0.9, 0.1)),
      ev('given_name', 'exact', w(0.8, 0.01)),
      ev('gender', 'same', w(0.99, 0.5)),
    ];
    expect(expectedNamesakes(evidence, parameters, 1001)).toBeCloseTo(1000 * 0.1 * 0.01 * 0.5, 10);
  });

  it('a term-frequency-adjusted weight gives that name its own share', () => {
    // "Nguyễn": u = 0.38 at scoring time, not the level's 0.1.
    const evidence = [ev('family_name', 'exact', w(0.9, 0.38))];
    expect(expectedNamesakes(evidence, parameters, 101)).toBeCloseTo(100 * 0.38, 10);
  });

  it('disagreeing or neutral levels (weight ≤ 0), identifying fields and unknown levels do not narrow the count', () => {
    const evidence = [
      ev('family_name', 'exact', 0),
      ev('middle_name', 'exact', -2),
      ev('id_number', 'exact', w(0.9, 1e-6)),
      ev('father_name', 'exact', w(0.9, 0.001)),
      ev('ward', 'nowhere', 3),
      ev('province', 'same', w(0.9, 0.05)),
    ];
    expect(expectedNamesakes(evidence, parameters, 1001)).toBeCloseTo(1000 * 0.05, 10);
  });

  it.each([
    ['exact_day', 0.02 / 365.25],
    ['swapped_day_month', 0.02 / 365.25],
    ['year_pm1_same_date', (3 * 0.02) / 365.25],
    ['exact_month', 0.02 / 12],
    ['exact_year', 0.02],
    ['same_year_one_part', 0.02],
    ['same_year_only', 0.02],
    ['year_pm1_year_only', 3 * 0.02],
    ['year_pm1_other_date', 3 * 0.02],
    ['another_level', 1],
  ])('a date agreeing at %s lets that share through', (lvl, share) => {
    expect(expectedNamesakes([ev('dob', lvl, 5)], parameters, 1_000_001)).toBeCloseTo(1_000_000 * share, 6);
  });

  it('without an estimated same-year share, the default applies', () => {
    const p = { ...parameters, dobSameYearShare: undefined } as unknown as MatchParameters;
    expect(expectedNamesakes([ev('dob', 'exact_year', 5)], p, 1001)).toBeCloseTo(
      1000 * DEFAULT_SAME_YEAR_SHARE,
      10,
    );
  });

  it('a population of one or none has no namesakes', () => {
    expect(expectedNamesakes([], parameters, 1)).toBe(0);
    expect(expectedNamesakes([], parameters, 0)).toBe(0);
    expect(expectedNamesakes([], parameters, 2)).toBe(1);
  });
});
