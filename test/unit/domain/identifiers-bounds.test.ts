import { describe, expect, it } from 'vitest';
import {
  ageOn,
  cccdConsistentWith,
  isCmnd,
  isPassport,
  isValidDate,
  isValidYear,
  isValidYearMonth,
} from '../../../src/domain/identifiers.js';

describe('identifier and date formats at their bounds', () => {
  it('a CMND is exactly 9 or 12 digits, nothing around them', () => {
    expect(isCmnd('123456789')).toBe(true);
    expect(isCmnd('123456789012')).toBe(true);
    expect(isCmnd('x123456789012')).toBe(false);
    expect(isCmnd('123456789012x')).toBe(false);
    expect(isCmnd('1234567890123')).toBe(false);
  });

  it('a passport number is one capital letter and 7 digits, nothing before it', () => {
    expect(isPassport('B1234567')).toBe(true);
    expect(isPassport('1B1234567')).toBe(false);
    expect(isPassport('B12345678')).toBe(false);
  });

  it('years, months and days start at 1', () => {
    expect(isValidYear('0001')).toBe(true);
    expect(isValidYear('0000')).toBe(false);
    expect(isValidYear('19870')).toBe(false);
    expect(isValidYear('x1987')).toBe(false);
    expect(isValidYearMonth('0001-01')).toBe(true);
    expect(isValidYearMonth('0000-01')).toBe(false);
    expect(isValidYearMonth('2020-00')).toBe(false);
    expect(isValidYearMonth('2020-12')).toBe(true);
    expect(isValidYearMonth('2020-13')).toBe(false);
    expect(isValidYearMonth('x2020-12')).toBe(false);
    expect(isValidDate('0001-01-01')).toBe(true);
    expect(isValidDate('0000-01-01')).toBe(false);
    expect(isValidDate('2020-00-10')).toBe(false);
    expect(isValidDate('2020-01-00')).toBe(false);
    expect(isValidDate('2020-12-31')).toBe(true);
  });

  it('age turns on the birthday itself, and a later day of the birth month does not count yet', () => {
    expect(ageOn('2000-05-20', '2018-05-20')).toBe(18);
    expect(ageOn('2000-05-20', '2018-05-19')).toBe(17);
    expect(ageOn('2000-05-20', '2018-04-30')).toBe(17);
    expect(ageOn('2000-05-20', '2018-06-01')).toBe(18);
    expect(() => ageOn('2000-13-01', '2018-01-01')).toThrow(RangeError);
    expect(() => ageOn('2000-01-01', '2018-02-30')).toThrow(RangeError);
  });

  it('the birth-year check needs four leading digits in the declared date', () => {
    expect(cccdConsistentWith('001187004512', '1987-03', null)).toEqual([]);
    expect(cccdConsistentWith('001187004512', '1988', null)).toEqual([
      'the CCCD encodes another birth year than the date of birth',
    ]);
    expect(cccdConsistentWith('001187004512', '87-03-01', null)).toEqual([]);
  });
});

describe('identifier problems carry no personal data', () => {
  it('names what disagrees, never the number, the date or the gender declared', () => {
    const texts = [
      ...cccdConsistentWith('001187004512', '1990-05-06', 'MALE'),
      ...cccdConsistentWith('99x', '1990-05-06', null),
    ];
    expect(texts).toHaveLength(3);
    for (const t of texts) expect(t).not.toMatch(/001187004512|99x|1990|1987|05-06|MALE|FEMALE/);
  });
});
