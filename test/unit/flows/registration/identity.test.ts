import { describe, expect, it } from 'vitest';
import {
  compareDobWithMember,
  compareGenderWithMember,
  compareNames,
  hasDiacritics,
} from '../../../../src/flows/registration/identity.js';
import { RuleLog, safeAge } from '../../../../src/flows/registration/rules.js';
import { PermanentError } from '../../../../src/domain/errors.js';
import { toMatchGender } from '../../../../src/flows/shared.js';

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

describe('compareNames at the edge of each level', () => {
  it.each([
    ['both empty', '', '', 'different'],
    ['both blank', '  ', ' ', 'different'],
    ['the second empty', 'Nguyễn Văn Đức', '', 'different'],
    ['middle name dropped on the second side', 'Nguyễn Văn Đức', 'Nguyễn Đức', 'similar'],
    ['two middle names, one dropped', 'Nguyễn Văn Minh Đức', 'Nguyễn Minh Đức', 'similar'],
    ['a shorter name with another family name', 'Trần Văn Minh Đức', 'Nguyễn Đức', 'different'],
    ['a shorter name with another family name (other side)', 'Nguyễn Đức', 'Trần Văn Minh Đức', 'different'],
    ['the family name dropped', 'Văn Đức', 'Nguyễn Văn Đức', 'different'],
    ['the given name dropped', 'Nguyễn Văn', 'Nguyễn Văn Đức', 'different'],
    ['another middle name, not a dropped one', 'Nguyễn Tú Đức', 'Nguyễn Văn Minh Đức', 'different'],
    ['a single token against a repeated one', 'An', 'An An', 'different'],
    ['one typo in the given name itself', 'Nguyễn Văn Đứa', 'Nguyễn Văn Đức', 'different'],
    ['one typo in the family name', 'Nguyễm Văn Đức', 'Nguyễn Văn Đức', 'similar'],
    ['two typos', 'Nguyễm Văm Đức', 'Nguyễn Văn Đức', 'different'],
    ['another order with a token changed', 'NGUYEN DUC VAM', 'Nguyễn Văn Đức', 'different'],
  ])('%s', (_l, a, b, level) => {
    expect(compareNames(a, b)).toBe(level);
  });
});

describe('toMatchGender', () => {
  it.each([
    ['MALE', 'M'],
    ['FEMALE', 'F'],
    ['UNKNOWN', null],
  ] as const)('%s → %s', (g, out) => {
    expect(toMatchGender(g)).toBe(out);
  });
});

describe('safeAge', () => {
  it('the age when the date is valid', () => {
    expect(
      safeAge(
        (dob, on) => Number(on.slice(0, 4)) - Number(dob.slice(0, 4)),
        '2010-01-01',
        '2025-06-01',
        'child.dateOfBirth',
      ),
    ).toBe(15);
  });
  it('a malformed date is a permanent validation failure naming the field, with the cause kept', () => {
    const cause = new Error('not a date');
    let thrown: unknown;
    try {
      safeAge(
        () => {
          throw cause;
        },
        'x',
        '2025-06-01',
        'child.dateOfBirth',
      );
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(PermanentError);
    expect(thrown).toMatchObject({ code: 'VALIDATION_FAILED', message: 'child.dateOfBirth: not a date' });
    expect((thrown as Error).cause).toBe(cause);
  });
});
