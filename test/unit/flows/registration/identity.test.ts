import { describe, expect, it } from 'vitest';
import {
  compareDobWithMember,
  compareGenderWithMember,
  compareNames,
  hasDiacritics,
} from '../../../../src/flows/registration/identity.js';
import { RuleLog } from '../../../../src/flows/registration/rules.js';

describe('compareNames', () => {
  it.each([
    ['identical', 'Nguyễn Văn Đức', 'Nguyễn Văn Đức', 'same'],
    ['NFD vs NFC', 'Nguyễn Văn Đức'.normalize('NFD'), 'Nguyễn Văn Đức', 'same'],
    ['ASCII upper case vs diacritics', 'NGUYEN VAN DUC', 'Nguyễn Văn Đức', 'same'],
    ['old vs new tone placement', 'Lê Thị Thuỷ', 'Lê Thị Thủy', 'same'],
    ['Eth for Đ', 'Ðặng Văn Lâm', 'Đặng Văn Lâm', 'same'],
    ['spaces and case', ' nguyễn  văn ĐỨC ', 'Nguyễn Văn Đức', 'same'],
    ['both with marks, marks differ', 'Nguyễn Văn Hùng', 'Nguyễn Văn Hưng', 'marks_differ'],
    ['middle name dropped', 'Nguyễn Đức', 'Nguyễn Văn Đức', 'similar'],
    ['another order (passport)', 'NGUYEN DUC VAN', 'Nguyễn Văn Đức', 'similar'],
    ['one typo, same given name', 'Nguyen Vn Duc', 'Nguyễn Văn Đức', 'similar'],
    ['another given name', 'Nguyễn Văn Đạt', 'Nguyễn Văn Đức', 'different'],
    ['another family name', 'Trần Văn Đức', 'Nguyễn Văn Đức', 'different'],
    ['empty', '', 'Nguyễn Văn Đức', 'different'],
  ])('%s', (_l, a, b, level) => {
    expect(compareNames(a, b)).toBe(level);
  });

  it('hasDiacritics', () => {
    expect(hasDiacritics('Nguyen Van Duc')).toBe(false);
    expect(hasDiacritics('Đan')).toBe(true);
    expect(hasDiacritics('An'.normalize('NFD'))).toBe(false);
    expect(hasDiacritics('Ân'.normalize('NFD'))).toBe(true);
  });
});

describe('compareDobWithMember (at the record precision)', () => {
  it.each([
    ['full date equal', '2015-06-10', '2015-06-10', 'day', 'same'],
    ['full date differs', '2015-06-10', '2015-06-11', 'day', 'different'],
    ['year only agrees', '2015-06-10', '2015', 'year', 'same_coarse'],
    ['year only as 01/01 with flag', '2015-06-10', '01/01/2015', 'year', 'same_coarse'],
    ['year only differs', '2015-06-10', '2014', 'year', 'different'],
    ['month agrees', '2015-06-10', '2015-06', 'month', 'same_coarse'],
    ['month differs', '2015-06-10', '2015-07', 'month', 'different'],
    ['no date on record', '2015-06-10', null, null, 'unknown'],
  ] as const)('%s', (_l, declared, dob, precision, level) => {
    expect(compareDobWithMember(declared, { dob, dobPrecision: precision })).toBe(level);
  });
});

describe('compareGenderWithMember', () => {
  it.each([
    ['MALE', 'M', 'same'],
    ['FEMALE', 'F', 'same'],
    ['MALE', 'F', 'different'],
    ['UNKNOWN', 'F', 'unknown'],
    ['FEMALE', null, 'unknown'],
  ] as const)('%s vs %s', (declared, g, level) => {
    expect(compareGenderWithMember(declared, { gender: g })).toBe(level);
  });
});

describe('RuleLog.verdict', () => {
  it('approved when every rule passes', () => {
    const l = new RuleLog();
    l.pass('a');
    expect(l.verdict()).toEqual({ outcome: 'approved' });
  });
  it('review codes when only uncertain', () => {
    const l = new RuleLog();
    l.fail('a', 'X', 'review', '');
    l.fail('b', 'X', 'review', '');
    expect(l.verdict()).toEqual({ outcome: 'review', codes: ['X'] });
  });
  it('rejected with only the reject codes', () => {
    const l = new RuleLog();
    l.fail('a', 'X', 'review', '');
    l.fail('b', 'Y', 'reject', '');
    expect(l.verdict()).toEqual({ outcome: 'rejected', codes: ['Y'] });
  });
});
