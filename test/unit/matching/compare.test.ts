import { describe, expect, it } from 'vitest';
import {
  compareDob,
  compareFamily,
  compareGender,
  compareGiven,
  compareIdNumber,
  compareMiddle,
  compareProvince,
} from '../../../src/matching/compare.js';
import { computeNameFrequencies } from '../../../src/matching/frequencies.js';
import { preparePerson } from '../../../src/matching/prepare.js';
import type { MemberRecord, PersonQuery } from '../../../src/matching/types.js';

const baseMember: MemberRecord = {
  memberId: 'M1',
  householdCode: 'H1',
  fullName: 'Nguyễn Văn Hùng',
  dob: '1990-03-04',
  dobPrecision: 'day',
  gender: 'M',
  idNumber: '001090123456',
  bhxhCode: '0112345678',
  provinceCode: '01',
  wardCode: null,
  fatherName: null,
  motherName: null,
  relationToHead: null,
};
const baseQuery: PersonQuery = {
  fullName: 'Nguyễn Văn Hùng',
  dob: '1990-03-04',
  gender: 'M',
  idNumber: null,
  provinceCode: '01',
  fatherName: null,
  motherName: null,
};
const q = (over: Partial<PersonQuery>) => preparePerson({ ...baseQuery, ...over });
const m = (over: Partial<MemberRecord>) => preparePerson({ ...baseMember, ...over });
const ctx = {
  frequencies: computeNameFrequencies(['Nguyễn Văn Hùng', 'Trần Văn Dũng', 'Lê Thị Hưng', 'Lê Văn Công']),
};

describe('name levels', () => {
  it.each([
    ['identical', 'Nguyễn Văn Hùng', 'Nguyễn Văn Hùng', 'exact', 'exact', 'exact'],
    ['ASCII query', 'Nguyen Van Hung', 'Nguyễn Văn Hùng', 'exact', 'exact', 'exact'],
    ['NFD query', 'Nguyễn Văn Hùng'.normalize('NFD'), 'Nguyễn Văn Hùng', 'exact', 'exact', 'exact'],
    ['upper case, doubled spaces', 'NGUYỄN  VĂN   HÙNG', 'Nguyễn Văn Hùng', 'exact', 'exact', 'exact'],
    ['Hoà/Hòa', 'Nguyễn Văn Hoà', 'Nguyễn Văn Hòa', 'exact', 'exact', 'exact'],
    ['Đ/D', 'Dang Van Duc', 'Đặng Văn Đức', 'exact', 'exact', 'exact'],
    ['Ð (U+00D0)', '\u00D0ặng Văn Đức', 'Đặng Văn Đức', 'exact', 'exact', 'exact'],
    ['Hoàng/Huỳnh', 'Huỳnh Văn Hùng', 'Hoàng Văn Hùng', 'equivalent', 'exact', 'exact'],
    [
      'family typo',
      'Nguyen Van Hung'.replace('Nguyen', 'Nguyn'),
      'Nguyễn Văn Hùng',
      'typo',
      'exact',
      'exact',
    ],
    ['given typo to a non-name', 'Nguyễn Văn Hùnh', 'Nguyễn Văn Hùng', 'exact', 'exact', 'typo'],
    [
      'given typo to another real name',
      'Nguyễn Văn Dũng',
      'Nguyễn Văn Hùng',
      'exact',
      'exact',
      'typo_other_name',
    ],
    ['transposition', 'Nguyễn Văn Hnùg', 'Nguyễn Văn Hùng', 'exact', 'exact', 'typo'],
    ['accent-only difference', 'Nguyễn Văn Hưng', 'Nguyễn Văn Hùng', 'exact', 'exact', 'accent_diff'],
    ['dropped middle', 'Nguyễn Hùng', 'Nguyễn Văn Hùng', 'exact', 'dropped_or_added', 'exact'],
    ['added middle', 'Nguyễn Văn Minh Hùng', 'Nguyễn Văn Hùng', 'exact', 'dropped_or_added', 'exact'],
    ['different given', 'Nguyễn Văn Long', 'Nguyễn Văn Hùng', 'exact', 'exact', 'different'],
    ['passport order', 'NGUYEN HUNG VAN', 'Nguyễn Văn Hùng', 'exact', 'different', 'reordered'],
    // Given name written first: the family name is judged with the given name's `reordered`, not as different.
    ['given name first', 'Hùng Nguyễn', 'Nguyễn Hùng', 'reordered', 'both_empty', 'reordered'],
    ['another family name', 'Trần Hùng', 'Nguyễn Hùng', 'different', 'both_empty', 'exact'],
  ])('%s', (_label, query, member, family, middle, given) => {
    const a = q({ fullName: query });
    const b = m({ fullName: member });
    expect(compareFamily(a, b, ctx).level).toBe(family);
    expect(compareMiddle(a, b).level).toBe(middle);
    expect(compareGiven(a, b, ctx).level).toBe(given);
  });
});

describe('date of birth levels', () => {
  it.each([
    ['same day', '1990-03-04', '1990-03-04', 'day', 'exact_day'],
    ['swapped day/month', '1990-04-03', '1990-03-04', 'day', 'swapped_day_month'],
    ['off-by-one year', '1991-03-04', '1990-03-04', 'day', 'year_pm1_same_date'],
    ['HGD year only', '1990-03-04', '1990', 'year', 'exact_year'],
    ['HGD 01/01 with year flag', '1990-03-04', '1990-01-01', 'year', 'exact_year'],
    ['year only, off by one', '1991-03-04', '1990', 'year', 'year_pm1_year_only'],
    ['month precision', '1990-03-17', '1990-03', 'month', 'exact_month'],
    ['same year, other date', '1990-07-20', '1990-03-04', 'day', 'same_year_only'],
    ['far apart', '1980-03-04', '1990-03-04', 'day', 'different'],
    ['missing', null, '1990-03-04', 'day', 'missing'],
  ] as const)('%s', (_l, qd, md, prec, level) => {
    expect(compareDob(q({ dob: qd }), m({ dob: md, dobPrecision: prec })).level).toBe(level);
  });
});

describe('other fields', () => {
  it.each([
    ['gender equal', () => compareGender(q({}), m({})).level, 'exact'],
    ['gender differs', () => compareGender(q({ gender: 'F' }), m({})).level, 'different'],
    ['gender missing', () => compareGender(q({ gender: null }), m({})).level, 'missing'],
    ['id equal', () => compareIdNumber(q({ idNumber: '001090123456' }), m({})).level, 'exact'],
    ['id differs', () => compareIdNumber(q({ idNumber: '001090999999' }), m({})).level, 'different'],
    [
      'CMND vs CCCD',
      () => compareIdNumber(q({ idNumber: '001090123456' }), m({ idNumber: '012345678' })).level,
      'different_kind',
    ],
    [
      'old vs new province code (Hà Giang 02 → Tuyên Quang 08)',
      () => compareProvince(q({ provinceCode: '02' }), m({ provinceCode: '08' })).level,
      'exact',
    ],
    [
      'old vs new province code (Bắc Giang 24 / Bắc Ninh 27)',
      () => compareProvince(q({ provinceCode: '27' }), m({ provinceCode: '24' })).level,
      'exact',
    ],
    ['different province', () => compareProvince(q({ provinceCode: '79' }), m({})).level, 'different'],
  ])('%s', (_l, f, level) => {
    expect(f()).toBe(level);
  });
});
