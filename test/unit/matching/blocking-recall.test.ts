import { describe, expect, it } from 'vitest';
import { memberBlockingKeys, queryBlockingKeys } from '../../../src/matching/blocking.js';
import { preparePerson } from '../../../src/matching/prepare.js';
import type { MemberRecord, PersonQuery } from '../../../src/matching/types.js';

/**
 * Blocking keeps the person (issue: "a present person … is always among the candidates"): every date variation with
 * the folded name agreeing, and every one-token name variation with the date agreeing, crossed with the province
 * declared the same, not declared, or another one (moved), and with the name typed with or without diacritics.
 */
const member: MemberRecord = {
  memberId: 'M1',
  householdCode: 'H1',
  fullName: 'Nguyễn Thị Thu Hương',
  dob: '1962-07-04',
  dobPrecision: 'day',
  gender: 'F',
  idNumber: null,
  bhxhCode: null,
  provinceCode: '01',
  wardCode: null,
  fatherName: null,
  motherName: null,
  relationToHead: null,
};

function blocked(q: PersonQuery, m: MemberRecord): boolean {
  const keys = new Set(memberBlockingKeys(preparePerson(m)));
  return queryBlockingKeys(preparePerson(q)).some((k) => keys.has(k));
}

const provinces: Array<[string, string | null]> = [
  ['same province', '01'],
  ['no province', null],
  ['another province', '79'],
];
const spellings: Array<[string, (s: string) => string]> = [
  ['accented', (s) => s],
  [
    'ASCII capitals',
    (s) =>
      s
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .replace(/đ/gi, 'd')
        .toUpperCase(),
  ],
];

const dateCases: Array<[string, string, Partial<MemberRecord>]> = [
  ['a day off', '1962-07-05', {}],
  ['a day off (earlier)', '1962-07-03', {}],
  ['day and month swapped', '1962-04-07', {}],
  ['a year later', '1963-07-04', {}],
  ['a year earlier', '1961-07-04', {}],
  ['year-only in HGD', '1962-07-04', { dob: '1962', dobPrecision: 'year' }],
  ['year-month in HGD', '1962-07-04', { dob: '1962-07', dobPrecision: 'month' }],
  ['year-only declared', '1962', {}],
  ['year-only in HGD, declared a year off', '1963-02-11', { dob: '1962', dobPrecision: 'year' }],
];

const nameCases: Array<[string, string]> = [
  ['typo in the family name', 'Nguyên Thị Thu Hương'],
  ['typo in the family name (letter dropped)', 'Ngyễn Thị Thu Hương'],
  ['typo in the first middle name', 'Nguyễn Thi Thu Hương'],
  ['typo in the second middle name', 'Nguyễn Thị Tu Hương'],
  ['typo in the given name (substitution)', 'Nguyễn Thị Thu Hướng'],
  ['typo in the given name (letters swapped)', 'Nguyễn Thị Thu Hưnog'],
  ['typo in the given name (letter added)', 'Nguyễn Thị Thu Hươngg'],
  ['dropped middle name', 'Nguyễn Thị Hương'],
  ['dropped first middle name', 'Nguyễn Thu Hương'],
];

describe('blocking keeps the person', () => {
  for (const [pLabel, province] of provinces) {
    for (const [sLabel, spell] of spellings) {
      it.each(dateCases)(`${pLabel}, ${sLabel}: date %s`, (_l, dob, mem) => {
        const q: PersonQuery = {
          ...baseQuery(),
          fullName: spell(member.fullName),
          dob,
          provinceCode: province,
        };
        expect(blocked(q, { ...member, ...mem })).toBe(true);
      });
      it.each(nameCases)(`${pLabel}, ${sLabel}: %s`, (_l, fullName) => {
        const q: PersonQuery = { ...baseQuery(), fullName: spell(fullName), provinceCode: province };
        expect(blocked(q, member)).toBe(true);
      });
    }
  }

  it('finds a garbled or reordered name when the full date and the ward agree (`w:` key)', () => {
    const withWard = { ...member, wardCode: '00123' };
    for (const fullName of ['Ngyuen Thu Hongu', 'Hương Thu Thị Nguyễn', 'Nguễyn Thu Thị Hươgn']) {
      const q: PersonQuery = { ...baseQuery(), fullName, provinceCode: null, wardCode: '00123' };
      expect(blocked(q, withWard)).toBe(true);
      // Day and month swapped too.
      expect(blocked({ ...q, dob: '1962-04-07' }, withWard)).toBe(true);
      // Without the ward, or in another one, such a name is not blocked.
      expect(blocked({ ...q, wardCode: null }, withWard)).toBe(false);
      expect(blocked({ ...q, wardCode: '00124' }, withWard)).toBe(false);
    }
  });

  it('does not block an unrelated person (the keys are selective)', () => {
    const q: PersonQuery = { ...baseQuery(), fullName: 'Trần Văn Bình', dob: '1990-01-01' };
    expect(blocked(q, member)).toBe(false);
  });
});

function baseQuery(): PersonQuery {
  return {
    fullName: member.fullName,
    dob: member.dob,
    gender: 'F',
    idNumber: null,
    provinceCode: '01',
    fatherName: null,
    motherName: null,
  };
}
