import { describe, expect, it } from 'vitest';
import {
  deletionVariants,
  estimationBlockingKeys,
  memberBlockingKeys,
  queryBlockingKeys,
} from '../../../src/matching/blocking.js';
import { computeNameFrequencies } from '../../../src/matching/frequencies.js';
import { InMemoryCandidateSource } from '../../../src/matching/in-memory-source.js';
import { matchPerson, populationOf, scoreCandidates } from '../../../src/matching/match.js';
import { defaultParameters } from '../../../src/matching/parameters.js';
import { preparePerson } from '../../../src/matching/prepare.js';
import type { MemberRecord, PersonQuery } from '../../../src/matching/types.js';

// The key scheme of docs/matching.md written out: these strings (hashed) are what the HGD key table holds.

const member: MemberRecord = {
  memberId: 'M1',
  householdCode: 'H1',
  fullName: 'Nguyễn Văn An',
  dob: '1990-03-04',
  dobPrecision: 'day',
  gender: 'M',
  idNumber: '001090123456',
  bhxhCode: null,
  provinceCode: '01',
  wardCode: '00004',
  fatherName: null,
  motherName: null,
  relationToHead: null,
};
const query = (over: Partial<PersonQuery> = {}): PersonQuery => ({
  fullName: 'Nguyễn Văn An',
  dob: '1990-03-04',
  gender: 'M',
  idNumber: null,
  provinceCode: '01',
  wardCode: null,
  fatherName: null,
  motherName: null,
  ...over,
});
const sorted = (keys: string[]) => [...keys].sort();

describe('deletionVariants', () => {
  it('the token and each one-character deletion, once each', () => {
    expect(sorted(deletionVariants('hung'))).toEqual(['hng', 'hug', 'hun', 'hung', 'ung']);
    expect(sorted(deletionVariants('aab'))).toEqual(['aa', 'aab', 'ab']);
    expect(deletionVariants('abc')).toHaveLength(4);
  });
  it('tokens of one or two letters are not varied', () => {
    expect(deletionVariants('an')).toEqual(['an']);
    expect(deletionVariants('a')).toEqual(['a']);
  });
});

describe('memberBlockingKeys', () => {
  it('every key family of a member with a full record', () => {
    expect(sorted(memberBlockingKeys(preparePerson(member)))).toEqual(
      sorted([
        'g:an|1990|01|M',
        'p:nguyen|an|01',
        'n:nguyen|van|an|1990',
        'f:nguyen|an|1990',
        'm:van|an|1990',
        'w:1990-3-4|00004',
        'd:nguyen|1990-3-4',
        'e:an|1990-3-4',
        'i:001090123456',
      ]),
    );
  });

  it('no province: no g: or p: keys; no date: year ?; no ward, no ID: none of theirs', () => {
    const p = preparePerson({
      ...member,
      provinceCode: null,
      dob: null,
      dobPrecision: null,
      wardCode: null,
      idNumber: null,
    });
    expect(sorted(memberBlockingKeys(p))).toEqual(
      sorted(['n:nguyen|van|an|?', 'f:nguyen|an|?', 'm:van|an|?']),
    );
  });

  it('a year-only or month date has no date keys; a given name of 3+ letters gives its deletion variants', () => {
    const p = preparePerson({
      ...member,
      fullName: 'Lê Hùng',
      dob: '1990-03',
      dobPrecision: 'month',
      idNumber: null,
    });
    expect(sorted(memberBlockingKeys(p))).toEqual(
      sorted([
        'g:hung|1990|01|M',
        'g:ung|1990|01|M',
        'g:hng|1990|01|M',
        'g:hug|1990|01|M',
        'g:hun|1990|01|M',
        'p:le|hung|01',
        'n:le||hung|1990',
        'f:le|hung|1990',
        'm:|hung|1990',
      ]),
    );
  });

  it('g: keys carry the gender; a member without one is stored under both', () => {
    const f = memberBlockingKeys(preparePerson({ ...member, gender: 'F' }));
    expect(f.filter((k) => k.startsWith('g:'))).toEqual(['g:an|1990|01|F']);
    const unknown = memberBlockingKeys(preparePerson({ ...member, gender: null }));
    expect(sorted(unknown.filter((k) => k.startsWith('g:')))).toEqual(['g:an|1990|01|F', 'g:an|1990|01|M']);
  });

  it('no name: only the date-and-ward and ID keys', () => {
    const p = preparePerson({ ...member, fullName: '' });
    expect(sorted(memberBlockingKeys(p))).toEqual(sorted(['w:1990-3-4|00004', 'i:001090123456']));
  });

  it('a one-token name: no family name, no d: key', () => {
    const p = preparePerson({ ...member, fullName: 'An', wardCode: null, idNumber: null });
    expect(memberBlockingKeys(p)).toContain('e:an|1990-3-4');
    expect(memberBlockingKeys(p).filter((k) => k.startsWith('d:'))).toEqual([]);
  });
});

describe('estimationBlockingKeys', () => {
  it('the name and ID keys of the query, without the full-date keys d:, e: and w:', () => {
    const q = preparePerson(query({ idNumber: '001090123456', wardCode: '00004' }));
    expect(sorted(estimationBlockingKeys(q))).toEqual(
      sorted([
        ...['1989', '1990', '1991', '?'].flatMap((y) => [`g:an|${y}|01|M`, `g:an|${y}|01|F`]),
        'n:nguyen|van|an|1989',
        'n:nguyen|van|an|1990',
        'n:nguyen|van|an|1991',
        'n:nguyen|van|an|?',
        'i:001090123456',
      ]),
    );
    // The query's own keys less the estimation keys: the full-date keys (the estimate looks under both genders).
    expect(
      queryBlockingKeys(q)
        .filter((k) => !estimationBlockingKeys(q).includes(k))
        .sort(),
    ).toEqual(
      sorted([
        'd:nguyen|1990-3-4',
        'd:nguyen|1990-4-3',
        'e:an|1990-3-4',
        'e:an|1990-4-3',
        'w:1990-3-4|00004',
        'w:1990-4-3|00004',
      ]),
    );
  });

  it('a member who shares only the full date and ward is a candidate for matching, not for the estimate', () => {
    const other: MemberRecord = { ...member, memberId: 'M2', fullName: 'Trần Thị Bình', idNumber: null };
    const source = new InMemoryCandidateSource([member, other]);
    const q = preparePerson(query({ wardCode: '00004' }));
    const ids = (keys: string[]) =>
      source
        .findCandidatesSync(keys)
        .map((m) => m.memberId)
        .sort();
    expect(ids(queryBlockingKeys(q))).toEqual(['M1', 'M2']);
    expect(ids(estimationBlockingKeys(q))).toEqual(['M1']);
  });
});

describe('queryBlockingKeys', () => {
  it('with a province and a full date: g: at year ±1 and unknown, n: likewise, the date keys with the swapped date', () => {
    expect(sorted(queryBlockingKeys(preparePerson(query({ idNumber: '001090123456' }))))).toEqual(
      sorted([
        'g:an|1989|01|M',
        'g:an|1990|01|M',
        'g:an|1991|01|M',
        'g:an|?|01|M',
        'n:nguyen|van|an|1989',
        'n:nguyen|van|an|1990',
        'n:nguyen|van|an|1991',
        'n:nguyen|van|an|?',
        'd:nguyen|1990-3-4',
        'e:an|1990-3-4',
        'd:nguyen|1990-4-3',
        'e:an|1990-4-3',
        'i:001090123456',
      ]),
    );
  });

  it('no province: f: and m: instead of g:; a ward adds w: under both dates', () => {
    const keys = queryBlockingKeys(preparePerson(query({ provinceCode: null, wardCode: '00004' })));
    expect(keys.filter((k) => k.startsWith('g:') || k.startsWith('p:'))).toEqual([]);
    expect(keys).toEqual(
      expect.arrayContaining(['f:nguyen|an|1989', 'f:nguyen|an|?', 'm:van|an|1991', 'm:van|an|?']),
    );
    expect(keys).toEqual(expect.arrayContaining(['w:1990-3-4|00004', 'w:1990-4-3|00004']));
  });

  it('no date: the unknown year only, and the p: key', () => {
    expect(sorted(queryBlockingKeys(preparePerson(query({ dob: null }))))).toEqual(
      sorted(['g:an|?|01|M', 'p:nguyen|an|01', 'n:nguyen|van|an|?']),
    );
  });

  it('a query looks under its own gender in the g: keys, under both without one', () => {
    const g = (q: PersonQuery) =>
      sorted(queryBlockingKeys(preparePerson(q)).filter((k) => k.startsWith('g:')));
    expect(g(query({ gender: 'F', dob: null }))).toEqual(['g:an|?|01|F']);
    expect(g(query({ gender: null, dob: null }))).toEqual(['g:an|?|01|F', 'g:an|?|01|M']);
  });

  it('a member of the other gender sharing only a g: key is not a candidate; one without a recorded gender is', () => {
    // Same given name, year and province; another family name and no shared date, ward or ID.
    const other = (id: string, gender: MemberRecord['gender']): MemberRecord => ({
      ...member,
      memberId: id,
      fullName: 'Trần Thị An',
      dob: '1990',
      dobPrecision: 'year',
      gender,
      idNumber: null,
      wardCode: null,
    });
    const source = new InMemoryCandidateSource([other('F1', 'F'), other('M2', 'M'), other('U3', null)]);
    const ids = source
      .findCandidatesSync(queryBlockingKeys(preparePerson(query())))
      .map((m) => m.memberId)
      .sort();
    expect(ids).toEqual(['M2', 'U3']);
  });

  it('the swapped date only when it is a date and another one', () => {
    const day13 = queryBlockingKeys(preparePerson(query({ dob: '1990-03-13' })));
    expect(day13.filter((k) => k.startsWith('e:'))).toEqual(['e:an|1990-3-13']);
    const same = queryBlockingKeys(preparePerson(query({ dob: '1990-03-03' })));
    expect(same.filter((k) => k.startsWith('e:'))).toEqual(['e:an|1990-3-3']);
    const day12 = queryBlockingKeys(preparePerson(query({ dob: '1990-03-12' })));
    expect(sorted(day12.filter((k) => k.startsWith('e:')))).toEqual(['e:an|1990-12-3', 'e:an|1990-3-12']);
  });

  it('a member is found under one of its own keys by the query of its own record', () => {
    const own = new Set(memberBlockingKeys(preparePerson(member)));
    expect(queryBlockingKeys(preparePerson(query())).some((k) => own.has(k))).toBe(true);
  });
});

describe('scoreCandidates and matchPerson', () => {
  const parameters = defaultParameters();
  const others: MemberRecord[] = [
    {
      ...member,
      memberId: 'M2',
      fullName: 'Nguyễn Văn An',
      dob: '1991-07-09',
      idNumber: null,
      wardCode: null,
    },
    { ...member, memberId: 'M3', householdCode: 'H3', fullName: 'Trần Thị Bình', idNumber: null },
  ];
  const model = {
    parameters,
    frequencies: computeNameFrequencies([member, ...others].map((m) => m.fullName)),
  };

  it('each member scored once, the count of members blocking returned kept, the population reported', () => {
    const r = scoreCandidates(query({ idNumber: '001090123456' }), [member, member, ...others], {
      ...model,
      population: 5000,
    });
    expect(r.blockedCount).toBe(4);
    expect(r.population).toBe(5000);
    expect(r.decision).toBe('match');
    expect(r.best?.memberId).toBe('M1');
    expect(r.candidates.filter((c) => c.memberId === 'M1')).toHaveLength(1);
    // Posterior log2 odds: the Bayes factor plus the prior 1 / 5000.
    const best = r.candidates[0]!;
    expect(best.score).toBeCloseTo(best.bayesFactor! - Math.log2(5000), 2);
    expect(best.probability).toBeGreaterThan(0.99);
    expect(best.namesakes).toBeGreaterThanOrEqual(0);
    expect(r.candidates.slice(1).every((c) => c.namesakes === undefined)).toBe(true);
  });

  it('a prepared query is used as it is', () => {
    const a = scoreCandidates(query(), [member], model);
    const b = scoreCandidates(preparePerson(query()), [member], model);
    expect(b).toEqual(a);
  });

  it("the population is the model's, else the HGD size, and at least 1", () => {
    expect(populationOf({ ...model, population: 7 })).toBe(7);
    expect(populationOf(model)).toBe(3);
    expect(populationOf({ ...model, population: 0 })).toBe(1);
    expect(populationOf({ parameters, frequencies: { total: 0, family: new Map(), given: new Map() } })).toBe(
      1,
    );
  });

  it("matchPerson looks up the query's keys; a household search takes that household as the population", async () => {
    const source = new InMemoryCandidateSource([member, ...others]);
    const all = await matchPerson(query(), source, { ...model, population: 1_000_000 });
    expect(all.population).toBe(1_000_000);
    expect(all.candidates.map((c) => c.memberId)).toContain('M1');
    const household = await matchPerson(query({ fullName: 'Trần Thị Bình' }), source, model, {
      householdCode: 'H3',
    });
    expect(household.population).toBe(1);
    expect(household.blockedCount).toBe(1);
    expect(household.candidates.map((c) => c.memberId)).toEqual(['M3']);
  });
});

describe('preparePerson', () => {
  it('cleans the ID number (spaces out, upper case) and the ward, maps the province, keeps only M/F', () => {
    const p = preparePerson({
      ...member,
      idNumber: ' 0010 901 2345a ',
      wardCode: ' 00004 ',
      provinceCode: '2',
      gender: 'X' as 'M',
    });
    expect(p.idNumber).toBe('00109012345A');
    expect(p.ward).toBe('00004');
    expect(p.province).toBe('08');
    expect(p.gender).toBeNull();
    expect(preparePerson({ ...member, gender: 'F' }).gender).toBe('F');
  });
  it('blank values are absent', () => {
    const p = preparePerson({
      ...member,
      idNumber: '   ',
      wardCode: '  ',
      fatherName: 'Lê An',
      motherName: null,
    });
    expect(p.idNumber).toBeNull();
    expect(p.ward).toBeNull();
    expect(p.father?.folded).toBe('le an');
    expect(p.mother).toBeNull();
    expect(preparePerson({ ...member, idNumber: null, wardCode: null }).ward).toBeNull();
  });
  it("a member's date precision is used, a query has none", () => {
    expect(preparePerson({ ...member, dob: '01/01/1950', dobPrecision: 'year' }).dob?.precision).toBe('year');
    expect(preparePerson(query({ dob: '1950-01-01' })).dob?.precision).toBe('day');
    expect(preparePerson({ ...member, fullName: '' }).familyKey).toBe('');
    expect(preparePerson({ ...member, fullName: 'Huỳnh An' }).familyKey).toBe('hoang');
  });
});

describe('middle names in the keys', () => {
  it('two middle names are joined by a space, the same on the member and the query side', () => {
    const two = { ...member, fullName: 'Nguyễn Văn Minh An', provinceCode: null };
    expect(memberBlockingKeys(preparePerson(two))).toEqual(
      expect.arrayContaining(['m:van minh|an|1990', 'n:nguyen|van minh|an|1990']),
    );
    expect(
      queryBlockingKeys(preparePerson(query({ fullName: 'Nguyễn Văn Minh An', provinceCode: null }))),
    ).toEqual(expect.arrayContaining(['m:van minh|an|1990', 'n:nguyen|van minh|an|1990']));
  });
  it('a query whose name has no letters blocks on its date, ward and ID only', () => {
    const keys = queryBlockingKeys(
      preparePerson(query({ fullName: '..', wardCode: '00004', idNumber: '001090123456' })),
    );
    expect(sorted(keys)).toEqual(sorted(['w:1990-3-4|00004', 'w:1990-4-3|00004', 'i:001090123456']));
  });
});
