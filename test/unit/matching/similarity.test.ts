import { describe, expect, it } from 'vitest';
import { isTypo, jaroWinkler, tokenSetSimilarity } from '../../../src/matching/similarity.js';

describe('jaroWinkler', () => {
  // Reference values of the Jaro–Winkler literature (Winkler 1990; prefix scale 0.1, prefix up to 4).
  it.each([
    ['MARTHA', 'MARHTA', 0.9611], // one transposition, prefix 3
    ['DWAYNE', 'DUANE', 0.84], // no transposition, prefix 1
    ['DIXON', 'DICKSONX', 0.8133], // matches only inside the window, prefix 2
    ['JELLYFISH', 'SMELLYFISH', 0.8963], // no common prefix
    ['CRATE', 'TRACE', 0.7333], // a letter outside the window does not match
  ])('%s / %s ≈ %d', (a, b, expected) => {
    expect(jaroWinkler(a, b)).toBeCloseTo(expected, 4);
    expect(jaroWinkler(b, a)).toBeCloseTo(expected, 4);
  });

  it('identical strings score 1, two empty ones 0, one empty 0, nothing in common 0', () => {
    expect(jaroWinkler('hung', 'hung')).toBe(1);
    expect(jaroWinkler('', '')).toBe(0);
    expect(jaroWinkler('', 'an')).toBe(0);
    expect(jaroWinkler('an', '')).toBe(0);
    expect(jaroWinkler('abc', 'xyz')).toBe(0);
  });

  it('the prefix bonus counts at most 4 characters', () => {
    // Same Jaro, a common prefix of 4 and of 6: the same score.
    const four = jaroWinkler('abcdxy', 'abcdyx');
    const jaro = (1 + 1 + (6 - 1) / 6) / 3;
    expect(four).toBeCloseTo(jaro + 4 * 0.1 * (1 - jaro), 10);
    expect(jaroWinkler('abcdefxy', 'abcdefyx')).toBeCloseTo(((1 + 1 + 7 / 8) / 3) * 0.6 + 0.4, 10);
  });

  it('a single-letter pair: equal letters 1, different 0; the window is never negative', () => {
    expect(jaroWinkler('a', 'a')).toBe(1);
    expect(jaroWinkler('a', 'b')).toBe(0);
    expect(jaroWinkler('ab', 'ba')).toBe(0); // window 0: no letter matches across positions
  });

  it('a letter of the second string is matched once only', () => {
    // 'aa' vs 'a': one match; Jaro (1/2 + 1 + 1) / 3, prefix 1.
    const jaro = (1 / 2 + 1 + 1) / 3;
    expect(jaroWinkler('aa', 'a')).toBeCloseTo(jaro + 0.1 * (1 - jaro), 10);
  });
});

describe('tokenSetSimilarity (Jaccard)', () => {
  it.each([
    [[], [], 1],
    [['an'], [], 0],
    [[], ['an'], 0],
    [['van', 'an'], ['an', 'van'], 1],
    [['van', 'an'], ['an'], 0.5],
    [['van', 'an', 'an'], ['an', 'thi'], 1 / 3],
    [['a', 'b', 'c'], ['b', 'c', 'd'], 0.5],
  ])('%j vs %j → %d', (a, b, expected) => {
    expect(tokenSetSimilarity(a, b)).toBeCloseTo(expected, 10);
  });
});

describe('isTypo: one slip', () => {
  it.each([
    ['equal is no typo', 'hung', 'hung', false],
    ['empty is no typo', '', 'a', false],
    ['empty on the other side', 'a', '', false],
    ['one substitution', 'hung', 'hang', true],
    ['one insertion', 'hung', 'hungg', true],
    ['two neighbours swapped', 'hung', 'hnug', true],
    ['two neighbours swapped at the end', 'hung', 'hugn', true],
    ['two neighbours swapped at the start', 'hung', 'uhng', true],
    ['swapped, and another difference after', 'hungxy', 'hnugxz', false],
    ['two letters apart swapped (short)', 'abcd', 'cbad', false],
    ['two edits on a short word', 'hung', 'hxnx', false],
    ['two edits on a long word, Jaro–Winkler ≥ 0.9', 'nguyenx', 'nguyeny1', true],
    ['two edits on a long word, Jaro–Winkler < 0.9', 'abcdefg', 'xbcdefy', false],
    ['three edits', 'nguyen', 'ngxxxn', false],
    ['three edits on a long word, Jaro–Winkler ≥ 0.9', 'nguyenthanhxyz', 'nguyenthanhabc', false],
    ['two substitutions at the end of a long word', 'phuongthao', 'phuongthxy', true],
    ['two substitutions on a 7-letter word, Jaro–Winkler < 0.9', 'phuongg', 'phuonhh', false],
    ['two edits where the shorter has 4 letters', 'abcd', 'abcdxy', false],
  ])('%s', (_l, a, b, expected) => {
    expect(isTypo(a, b)).toBe(expected);
  });
});
