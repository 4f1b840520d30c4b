import { describe, expect, it } from 'vitest';
import {
  compareAll,
  compareDob,
  compareFamily,
  compareFather,
  compareGiven,
  compareIdNumber,
  compareMiddle,
  compareMother,
  compareProvince,
  compareWard,
} from '../../../src/matching/compare.js';
import { computeNameFrequencies } from '../../../src/matching/frequencies.js';
import { preparePerson } from '../../../src/matching/prepare.js';
import type { MemberRecord, PersonQuery } from '../../../src/matching/types.js';

// Each comparison level on its own, at the edge that separates it from its neighbours (compare.test.ts holds the
// common cases).

const member: MemberRecord = {
  memberId: 'M1',
  householdCode: 'H1',
  fullName: 'Nguyễn Văn Hùng',
  dob: '1990-03-04',
  dobPrecision: 'day',
  gender: 'M',
  idNumber: '001090123456',
  bhxhCode: null,
  provinceCode: '01',
  wardCode: '00004',
  fatherName: 'Nguyễn Văn Bình',
  motherName: 'Trần Thị Lan',
  relationToHead: null,
};
const query: PersonQuery = {
  fullName: 'Nguyễn Văn Hùng',
  dob: '1990-03-04',
  gender: 'M',
  idNumber: null,
  provinceCode: '01',
  wardCode: '00004',
  fatherName: null,
  motherName: null,
};
const q = (over: Partial<PersonQuery>) => preparePerson({ ...query, ...over });
const m = (over: Partial<MemberRecord>) => preparePerson({ ...member, ...over });
const ctx = {
  frequencies: computeNameFrequencies(['Nguyễn Văn Hùng', 'Trần Văn Dũng', 'Lê Thị Hưng', 'Nguyễn Văn An']),
};

describe('family name', () => {
  it('exact and equivalent carry the representative for term-frequency adjustment', () => {
    expect(compareFamily(q({}), m({}))).toEqual({ field: 'family_name', level: 'exact', tfValue: 'nguyen' });
    expect(compareFamily(q({ fullName: 'Huỳnh Văn Hùng' }), m({ fullName: 'Hoàng Văn Hùng' }))).toEqual({
      field: 'family_name',
      level: 'equivalent',
      tfValue: 'hoang',
    });
  });
  it('a one-token name has no family name: missing on either side', () => {
    expect(compareFamily(q({ fullName: 'Hùng' }), m({})).level).toBe('missing');
    expect(compareFamily(q({}), m({ fullName: 'Hùng' })).level).toBe('missing');
    expect(compareFamily(q({ fullName: ' ' }), m({})).level).toBe('missing');
  });
  it('a typo onto a known family name is weaker than one onto a non-name, and only with frequencies', () => {
    const known = q({ fullName: 'Trần Văn Hùng' });
    const other = m({ fullName: 'Trâm Văn Hùng' });
    expect(compareFamily(known, other, ctx).level).toBe('typo_other_name');
    expect(compareFamily(known, other).level).toBe('typo');
    expect(compareFamily(q({ fullName: 'Trâm Văn Hùng' }), m({ fullName: 'Trần Văn Hùng' }), ctx).level).toBe(
      'typo',
    );
  });
  it('the same tokens in another order: reordered, no veto', () => {
    expect(compareFamily(q({ fullName: 'Hùng Văn Nguyễn' }), m({})).level).toBe('reordered');
  });
  it('another family name', () => {
    expect(compareFamily(q({ fullName: 'Phạm Văn Hùng' }), m({})).level).toBe('different');
  });
});

describe('given name', () => {
  it('exact carries the given name for term-frequency adjustment; other levels carry nothing', () => {
    expect(compareGiven(q({}), m({}), ctx)).toEqual({ field: 'given_name', level: 'exact', tfValue: 'hung' });
    expect(compareGiven(q({ fullName: 'Nguyễn Văn Hùnh' }), m({}), ctx)).toEqual({
      field: 'given_name',
      level: 'typo',
    });
  });
  it('missing when either side has no name', () => {
    expect(compareGiven(q({ fullName: '' }), m({})).level).toBe('missing');
    expect(compareGiven(q({}), m({ fullName: '..' })).level).toBe('missing');
  });
  it('marks that differ only count when both sides were typed with diacritics', () => {
    expect(compareGiven(q({ fullName: 'Nguyễn Văn Hưng' }), m({})).level).toBe('accent_diff');
    expect(compareGiven(q({ fullName: 'Nguyen Van Hung' }), m({})).level).toBe('exact');
    expect(compareGiven(q({ fullName: 'Nguyễn Văn Hưng' }), m({ fullName: 'Nguyen Van Hung' })).level).toBe(
      'exact',
    );
  });
  it('a typo in a name of three letters or fewer is typo_short; four letters is a typo', () => {
    expect(compareGiven(q({ fullName: 'Nguyễn Văn Nah' }), m({ fullName: 'Nguyễn Văn Nam' })).level).toBe(
      'typo_short',
    );
    expect(compareGiven(q({ fullName: 'Nguyễn Văn Na' }), m({ fullName: 'Nguyễn Văn Nam' })).level).toBe(
      'typo_short',
    );
    expect(compareGiven(q({ fullName: 'Nguyễn Văn Hùnh' }), m({})).level).toBe('typo');
  });
  it('a typo onto a known given name only with frequencies', () => {
    const a = q({ fullName: 'Nguyễn Văn Dũng' });
    expect(compareGiven(a, m({}), ctx).level).toBe('typo_other_name');
    expect(compareGiven(a, m({})).level).toBe('typo');
  });
  it('reordered needs the same tokens; another given name is different', () => {
    expect(compareGiven(q({ fullName: 'Nguyễn Hùng Văn' }), m({})).level).toBe('reordered');
    expect(compareGiven(q({ fullName: 'Nguyễn Hùng Văn An' }), m({})).level).toBe('different');
    expect(compareGiven(q({ fullName: 'Nguyễn Văn Long' }), m({})).level).toBe('different');
  });
});

describe('middle name', () => {
  it.each([
    ['both empty', 'Nguyễn Hùng', 'Nguyễn Hùng', 'both_empty'],
    ['equal', 'Nguyễn Văn Hùng', 'Nguyễn Văn Hùng', 'exact'],
    ['equal, one side without marks', 'Nguyen Van Hung', 'Nguyễn Văn Hùng', 'exact'],
    ['marks differ on both sides', 'Nguyễn Vân Hùng', 'Nguyễn Văn Hùng', 'accent_diff'],
    ['dropped', 'Nguyễn Hùng', 'Nguyễn Văn Hùng', 'dropped_or_added'],
    ['one of two dropped', 'Nguyễn Minh Hùng', 'Nguyễn Văn Minh Hùng', 'dropped_or_added'],
    ['added', 'Nguyễn Văn Minh Hùng', 'Nguyễn Minh Hùng', 'dropped_or_added'],
    ['another one added', 'Nguyễn Đức Minh Hùng', 'Nguyễn Văn Hùng', 'different'],
    ['one typo', 'Nguyễn Văm Hùng', 'Nguyễn Văn Hùng', 'typo'],
    ['one typo among two', 'Nguyễn Văm Minh Hùng', 'Nguyễn Văn Minh Hùng', 'typo'],
    ['two typos and no token shared', 'Nguyễn Văm Mính Hùng', 'Nguyễn Văn Mimh Hùng', 'different'],
    ['a typo and another name', 'Nguyễn Văm Long Hùng', 'Nguyễn Văn Minh Hùng', 'different'],
    ['half the tokens shared', 'Nguyễn Văn Long Hùng', 'Nguyễn Văn Minh Hùng', 'different'],
    ['shared tokens in another order', 'Nguyễn Minh Văn Hùng', 'Nguyễn Văn Minh Hùng', 'partial'],
    ['different', 'Nguyễn Đức Hùng', 'Nguyễn Văn Hùng', 'different'],
  ])('%s → %s', (_l, a, b, level) => {
    expect(compareMiddle(q({ fullName: a }), m({ fullName: b })).level).toBe(level);
  });
  it('missing when either side has no name', () => {
    expect(compareMiddle(q({ fullName: '' }), m({})).level).toBe('missing');
    expect(compareMiddle(q({}), m({ fullName: '' })).level).toBe('missing');
  });
});

describe('date of birth at each precision', () => {
  it.each([
    ['day: same year, same month', '1990-03-20', '1990-03-04', 'day', 'same_year_one_part'],
    ['day: same year, same day', '1990-07-04', '1990-03-04', 'day', 'same_year_one_part'],
    ['day: next year, same month only', '1991-03-20', '1990-03-04', 'day', 'year_pm1_other_date'],
    ['day: previous year, same date', '1989-03-04', '1990-03-04', 'day', 'year_pm1_same_date'],
    ['day: swapped, another year', '1991-04-03', '1990-03-04', 'day', 'year_pm1_other_date'],
    ['day: two years apart', '1992-03-04', '1990-03-04', 'day', 'different'],
    ['month: next year, same month', '1991-03-04', '1990-03', 'month', 'year_pm1_same_date'],
    ['month: same year, another month', '1990-05-04', '1990-03', 'month', 'same_year_only'],
    ['month: next year, another month', '1991-05-04', '1990-03', 'month', 'year_pm1_other_date'],
    ['month: two years apart', '1992-03-04', '1990-03', 'month', 'different'],
    ['year: two years apart', '1992-03-04', '1990', 'year', 'different'],
    ['year: previous year', '1989-03-04', '1990', 'year', 'year_pm1_year_only'],
  ] as const)('%s', (_l, qd, md, prec, level) => {
    expect(compareDob(q({ dob: qd }), m({ dob: md, dobPrecision: prec })).level).toBe(level);
  });
  it('the coarser side sets the precision, whichever side it is', () => {
    expect(compareDob(q({ dob: '1990' }), m({})).level).toBe('exact_year');
    expect(compareDob(q({ dob: '1990-03' }), m({})).level).toBe('exact_month');
    expect(compareDob(q({ dob: '1990-03' }), m({ dob: '1990', dobPrecision: 'year' })).level).toBe(
      'exact_year',
    );
    expect(compareDob(q({}), m({ dob: null })).level).toBe('missing');
  });
});

describe("parents' names", () => {
  it.each([
    ['the same name', 'Nguyễn Văn Bình', 'exact'],
    ['the same name without marks', 'NGUYEN VAN BINH', 'exact'],
    ['same family and given, another middle', 'Nguyễn Đức Bình', 'close'],
    ['the same given name only', 'Trần Đức Bình', 'close'],
    ['a typo (Jaro–Winkler ≥ 0.93)', 'Nguyễn Văn Binhh', 'close'],
    ['another person', 'Lê Thị Hoa', 'different'],
    ['another family and given name, same middle', 'Lê Văn Tuấn', 'different'],
  ])('father: %s → %s', (_l, name, level) => {
    expect(compareFather(q({ fatherName: name }), m({})).level).toBe(level);
  });
  it('missing on either side', () => {
    expect(compareFather(q({}), m({})).level).toBe('missing');
    expect(compareFather(q({ fatherName: 'Nguyễn Văn Bình' }), m({ fatherName: null })).level).toBe(
      'missing',
    );
  });
  it('the mother is compared on the mother', () => {
    expect(compareMother(q({ motherName: 'Trần Thị Lan' }), m({}))).toEqual({
      field: 'mother_name',
      level: 'exact',
    });
    expect(compareMother(q({ motherName: 'Nguyễn Văn Bình' }), m({})).level).toBe('different');
    expect(compareFather(q({ fatherName: 'Trần Thị Lan' }), m({})).level).toBe('different');
  });
});

describe('identifiers and place', () => {
  it('ID number: missing on either side', () => {
    expect(compareIdNumber(q({}), m({})).level).toBe('missing');
    expect(compareIdNumber(q({ idNumber: '001090123456' }), m({ idNumber: null })).level).toBe('missing');
  });
  it('province: missing on either side', () => {
    expect(compareProvince(q({ provinceCode: null }), m({})).level).toBe('missing');
    expect(compareProvince(q({}), m({ provinceCode: null })).level).toBe('missing');
  });
  it('ward: exact, different, missing', () => {
    expect(compareWard(q({}), m({}))).toEqual({ field: 'ward', level: 'exact' });
    expect(compareWard(q({ wardCode: '00007' }), m({})).level).toBe('different');
    expect(compareWard(q({ wardCode: null }), m({})).level).toBe('missing');
    expect(compareWard(q({}), m({ wardCode: null })).level).toBe('missing');
  });
  it('compareAll: every field once, in scoring order', () => {
    expect(compareAll(q({}), m({}), ctx).map((c) => c.field)).toEqual([
      'family_name',
      'middle_name',
      'given_name',
      'dob',
      'gender',
      'father_name',
      'mother_name',
      'id_number',
      'province',
      'ward',
    ]);
  });
});

describe('thresholds of the name levels', () => {
  it('typo_short when the shorter name has three letters, whatever the longer', () => {
    expect(compareGiven(q({ fullName: 'Nguyễn Văn Nam' }), m({ fullName: 'Nguyễn Văn Nama' })).level).toBe(
      'typo_short',
    );
    expect(compareGiven(q({ fullName: 'Nguyễn Văn Nama' }), m({ fullName: 'Nguyễn Văn Nam' })).level).toBe(
      'typo_short',
    );
  });
  it('a name held by exactly 0.02 % of HGD members counts as a known name', () => {
    // 1 of 5,000 = 0.0002, the bound itself.
    const names = ['Trần Văn Dũng', ...Array.from({ length: 4999 }, (_, i) => `Lê Văn X${i}`)];
    const at = { frequencies: computeNameFrequencies(names) };
    expect(at.frequencies.given.get('dung')).toBeCloseTo(0.0002, 12);
    expect(compareGiven(q({ fullName: 'Nguyễn Văn Dũng' }), m({}), at).level).toBe('typo_other_name');
    const below = { frequencies: computeNameFrequencies([...names, 'Lê Văn Y']) };
    expect(compareGiven(q({ fullName: 'Nguyễn Văn Dũng' }), m({}), below).level).toBe('typo');
  });
  it('middle names sharing exactly half of their distinct tokens are partial', () => {
    // [van, minh, duc] and [minh, duc, long]: 2 shared of 4.
    expect(
      compareMiddle(q({ fullName: 'Nguyễn Văn Minh Đức Hùng' }), m({ fullName: 'Nguyễn Minh Đức Long Hùng' }))
        .level,
    ).toBe('partial');
  });
});

describe('near misses the levels must not take for agreement', () => {
  it('the day of one date equal to the month of the other, but not the other way round: same year only', () => {
    expect(compareDob(q({ dob: '1990-03-05' }), m({ dob: '1990-07-03' })).level).toBe('same_year_only');
    expect(compareDob(q({ dob: '1990-03-05' }), m({ dob: '1990-05-07' })).level).toBe('same_year_only');
  });
  it('two middle names written as one are not the same middle name', () => {
    expect(
      compareMiddle(q({ fullName: 'Nguyễn Vanminh Hùng' }), m({ fullName: 'Nguyễn Van Minh Hùng' })).level,
    ).not.toBe('exact');
    expect(
      compareMiddle(q({ fullName: 'Nguyễn Vânminh Hùng' }), m({ fullName: 'Nguyễn Văn Minh Hùng' })).level,
    ).not.toBe('accent_diff');
  });
});
