import { describe, expect, it } from 'vitest';
import { formatDob, parseDob } from '../../../src/matching/dob.js';

describe('parseDob', () => {
  it.each([
    ['a full ISO date', '2015-06-10', undefined, { year: 2015, month: 6, day: 10, precision: 'day' }],
    ['one-digit month and day', '2015-6-1', undefined, { year: 2015, month: 6, day: 1, precision: 'day' }],
    ['year and month', '2015-06', undefined, { year: 2015, month: 6, day: null, precision: 'month' }],
    ['year only', '2015', undefined, { year: 2015, month: null, day: null, precision: 'year' }],
    ["HGD's DD/MM/YYYY", '10/06/2015', undefined, { year: 2015, month: 6, day: 10, precision: 'day' }],
    ['spaces around', ' 2015-06-10 ', undefined, { year: 2015, month: 6, day: 10, precision: 'day' }],
    ['flagged year-only', '01/01/1950', 'year', { year: 1950, month: null, day: null, precision: 'year' }],
    [
      'flagged month on a full date',
      '1950-03-01',
      'month',
      { year: 1950, month: 3, day: null, precision: 'month' },
    ],
    [
      'a finer flag never adds precision',
      '1950-03',
      'day',
      { year: 1950, month: 3, day: null, precision: 'month' },
    ],
    [
      'a month flag on a year-only text',
      '1950',
      'month',
      { year: 1950, month: null, day: null, precision: 'year' },
    ],
    ['a null flag', '1950-03-01', null, { year: 1950, month: 3, day: 1, precision: 'day' }],
    ['the first year accepted', '1850', undefined, { year: 1850, month: null, day: null, precision: 'year' }],
    ['the last year accepted', '2200-12-31', undefined, { year: 2200, month: 12, day: 31, precision: 'day' }],
    ['month 1, day 1', '2000-01-01', undefined, { year: 2000, month: 1, day: 1, precision: 'day' }],
  ] as const)('%s', (_l, text, declared, expected) => {
    expect(parseDob(text, declared)).toEqual(expected);
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['empty', ''],
    ['before 1850', '1849'],
    ['after 2200', '2201-01-01'],
    ['month 0', '2015-00-10'],
    ['month 13', '2015-13-10'],
    ['day 0', '2015-06-00'],
    ['day 32', '2015-06-32'],
    ['DD/MM with month 13', '10/13/2015'],
    ['DD/MM with day 0', '00/06/2015'],
    ['text before', 'x2015-06-10'],
    ['text after', '2015-06-10x'],
    ['DD/MM with text after', '10/06/2015x'],
    ['DD/MM with text before', 'x10/06/2015'],
    ['a two-digit year', '15-06-10'],
    ['a three-digit month', '2015-123-10'],
    ['a three-digit day', '2015-06-100'],
    ['DD/MM/YY', '10/06/15'],
    ['DD/MM/YYYY with a three-digit day', '100/06/2015'],
  ])('%s → null', (_l, text) => {
    expect(parseDob(text)).toBeNull();
  });
});

describe('formatDob', () => {
  it.each([
    [{ year: 2015, month: 6, day: 1, precision: 'day' }, '2015-06-01'],
    [{ year: 2015, month: 11, day: 21, precision: 'day' }, '2015-11-21'],
    [{ year: 2015, month: 6, day: null, precision: 'month' }, '2015-06'],
    [{ year: 2015, month: null, day: null, precision: 'year' }, '2015'],
  ] as const)('%j → %s', (d, text) => {
    expect(formatDob(d)).toBe(text);
  });

  it('round-trips through parseDob', () => {
    for (const t of ['2015-06-01', '2015-06', '2015']) expect(formatDob(parseDob(t)!)).toBe(t);
  });
});
