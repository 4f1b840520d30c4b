import { describe, expect, it } from 'vitest';
import {
  ageOn,
  cccdConsistentWith,
  isBhxhCode,
  isCmnd,
  isHouseholdCode,
  isPassport,
  isValidDate,
  parseCccd,
} from '../../../src/domain/identifiers.js';

describe('parseCccd', () => {
  it.each([
    ['001085123456', { provinceCode: '001', gender: 'MALE', birthYear: 1985 }],
    ['001185123456', { provinceCode: '001', gender: 'FEMALE', birthYear: 1985 }],
    ['079200000001', { provinceCode: '079', gender: 'MALE', birthYear: 2000 }],
    ['079316012345', { provinceCode: '079', gender: 'FEMALE', birthYear: 2016 }],
    ['096499000000', { provinceCode: '096', gender: 'MALE', birthYear: 2199 }],
    ['048501000000', { provinceCode: '048', gender: 'FEMALE', birthYear: 2101 }],
    ['001000000000', { provinceCode: '001', gender: 'MALE', birthYear: 1900 }],
  ])('%s → %j', (s, expected) => {
    expect(parseCccd(s)).toEqual(expected);
  });

  it.each([
    ['000085123456', 'province 000'],
    ['097085123456', 'province 097'],
    ['00108512345', '11 digits'],
    ['0010851234567', '13 digits'],
    ['00108512345a', 'a letter'],
    [' 001085123456', 'leading space'],
    ['', 'empty'],
  ])('%s (%s) → null', (s) => {
    expect(parseCccd(s)).toBeNull();
  });
});

describe('identifier formats', () => {
  it.each([
    [isBhxhCode, '0123456789', true],
    [isBhxhCode, '9712345678', true],
    [isBhxhCode, '123456789', false],
    [isBhxhCode, '01234567890', false],
    [isBhxhCode, '01234S6789', false],
    [isHouseholdCode, '0100098765', true],
    [isHouseholdCode, '010009876', false],
    [isCmnd, '012345678', true],
    [isCmnd, '001085123456', true],
    [isCmnd, '0123456789', false],
    [isCmnd, '12345678', false],
    [isPassport, 'C1234567', true],
    [isPassport, 'B7654321', true],
    [isPassport, 'c1234567', false],
    [isPassport, 'C123456', false],
    [isPassport, 'CC123456', false],
    [isPassport, 'C12345678', false],
  ] as const)('%o(%s) = %s', (fn, s, ok) => {
    expect(fn(s)).toBe(ok);
  });
});

describe('isValidDate', () => {
  it.each([
    ['2024-02-29', true],
    ['2000-02-29', true],
    ['2023-02-29', false],
    ['1900-02-29', false],
    ['2025-04-31', false],
    ['2025-12-31', true],
    ['2025-13-01', false],
    ['2025-00-10', false],
    ['2025-01-00', false],
    ['0000-01-01', false],
    ['2025-1-01', false],
    ['2025-01-01T00:00:00Z', false],
    ['20250101', false],
  ])('%s → %s', (s, ok) => {
    expect(isValidDate(s)).toBe(ok);
  });
});

describe('ageOn', () => {
  it.each([
    ['2010-06-15', '2025-06-14', 14],
    ['2010-06-15', '2025-06-15', 15],
    ['2010-06-15', '2025-12-31', 15],
    ['2007-09-15', '2025-09-15', 18],
    ['2007-09-16', '2025-09-15', 17],
    // Leap-day births: a year older on 1 March in non-leap years, on 29 February in leap years.
    ['2008-02-29', '2023-02-28', 14],
    ['2008-02-29', '2023-03-01', 15],
    ['2008-02-29', '2024-02-28', 15],
    ['2008-02-29', '2024-02-29', 16],
    ['2025-01-01', '2025-01-01', 0],
    ['2025-01-02', '2025-01-01', -1],
  ])('born %s, on %s → %i', (dob, on, age) => {
    expect(ageOn(dob, on)).toBe(age);
  });

  it('throws on a date that does not exist', () => {
    expect(() => ageOn('2023-02-29', '2025-01-01')).toThrow(RangeError);
    expect(() => ageOn('2020-01-01', 'soon')).toThrow(RangeError);
  });
});

describe('cccdConsistentWith', () => {
  it.each([
    ['001085123456', '1985-04-02', 'MALE', 0],
    ['001085123456', '1985', 'MALE', 0],
    ['001085123456', '1985-04', 'UNKNOWN', 0],
    ['001085123456', null, null, 0],
    ['001085123456', '1986-04-02', 'MALE', 1],
    ['001085123456', '1985-04-02', 'FEMALE', 1],
    ['001085123456', '2085-04-02', 'FEMALE', 2],
    ['079316012345', '2016-02-29', 'FEMALE', 0],
    ['079116012345', '2016-02-29', 'FEMALE', 1],
    ['12345', '2016-02-29', 'FEMALE', 1],
  ] as const)('%s vs %s/%s → %i problem(s)', (cccd, dob, gender, n) => {
    expect(cccdConsistentWith(cccd, dob, gender)).toHaveLength(n);
  });
});
