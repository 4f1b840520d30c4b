import { describe, expect, it } from 'vitest';
import { memberBlockingKeys, queryBlockingKeys } from '../../../src/matching/blocking.js';
import { decide } from '../../../src/matching/decide.js';
import { computeNameFrequencies } from '../../../src/matching/frequencies.js';
import { InMemoryCandidateSource } from '../../../src/matching/in-memory-source.js';
import { matchPerson } from '../../../src/matching/match.js';
import { defaultParameters } from '../../../src/matching/parameters.js';
import { preparePerson } from '../../../src/matching/prepare.js';
import type {
  MatchThresholds,
  MemberRecord,
  PersonQuery,
  ScoredCandidate,
} from '../../../src/matching/types.js';

const member: MemberRecord = {
  memberId: 'M1',
  householdCode: 'H1',
  fullName: 'Trần Thị Thu Hương',
  dob: '1985-06-09',
  dobPrecision: 'day',
  gender: 'F',
  idNumber: null,
  bhxhCode: '0112345678',
  provinceCode: '27',
  wardCode: null,
  fatherName: null,
  motherName: null,
  relationToHead: null,
};
const query: PersonQuery = {
  fullName: 'Trần Thị Thu Hương',
  dob: '1985-06-09',
  gender: 'F',
  idNumber: null,
  provinceCode: '27',
  fatherName: null,
  motherName: null,
};

function found(q: Partial<PersonQuery>, mem: Partial<MemberRecord> = {}): boolean {
  const mk = new Set(memberBlockingKeys(preparePerson({ ...member, ...mem })));
  return queryBlockingKeys(preparePerson({ ...query, ...q })).some((k) => mk.has(k));
}

describe('blocking keys still find the person', () => {
  it.each([
    ['exact', {}, {}],
    ['typo in family name', { fullName: 'Tràn Thị Thu Hương' }, {}],
    ['typo in first middle name', { fullName: 'Trần Thi Thư Hương' }, {}],
    ['typo in second middle name', { fullName: 'Trần Thị Thy Hương' }, {}],
    ['typo in given name (substitution)', { fullName: 'Trần Thị Thu Hướng' }, {}],
    ['typo in given name (deletion)', { fullName: 'Trần Thị Thu Hơng' }, {}],
    ['typo in given name (insertion)', { fullName: 'Trần Thị Thu Huơng' }, {}],
    ['dropped middle name', { fullName: 'Trần Thị Hương' }, {}],
    ['added middle name', { fullName: 'Trần Thị Thu Ngọc Hương' }, {}],
    ['ASCII only', { fullName: 'TRAN THI THU HUONG' }, {}],
    ['NFD', { fullName: 'Trần Thị Thu Hương'.normalize('NFD') }, {}],
    ['year-only HGD date', {}, { dob: '1985', dobPrecision: 'year' as const }],
    ['off-by-one year', { dob: '1986-06-09' }, {}],
    ['swapped day/month', { dob: '1985-09-06' }, {}],
    ['old vs new province code', { provinceCode: '24' }, {}],
    ['no province, dropped middle', { provinceCode: null, fullName: 'Trần Thị Hương' }, {}],
    ['no province, family typo', { provinceCode: null, fullName: 'Trầm Thị Thu Hương' }, {}],
    ['no date of birth', { dob: null }, {}],
  ])('%s', (_l, q, mem) => {
    expect(found(q, mem)).toBe(true);
  });
});

const t: MatchThresholds = {
  minMatchProbability: 0.999,
  reviewLog2Odds: -5,
  maxNamesakes: 0.05,
  maxReviewCandidates: 3,
  vetoLevels: { given_name: ['typo_other_name'] },
};
/** `score` is posterior log2 odds (Bayes factor + log2 prior). */
const cand = (id: string, score: number, level = 'exact'): ScoredCandidate => ({
  memberId: id,
  score,
  evidence: [{ field: 'given_name', level, weight: 1 }],
  member: { ...member, memberId: id },
});

describe('decide', () => {
  it.each([
    ['clear winner', [cand('a', 14), cand('b', -3)], 'match'],
    ['single candidate above bar', [cand('a', 11)], 'match'],
    ['twins share the probability', [cand('a', 14), cand('b', 13)], 'review'],
    ['below the bar', [cand('a', 8)], 'review'],
    ['nobody plausible', [cand('a', -6)], 'no_match'],
    ['no candidates', [], 'no_match'],
    ['vetoed level', [cand('a', 40, 'typo_other_name')], 'review'],
  ] as const)('%s', (_l, ranked, decision) => {
    const r = decide([...ranked], t);
    expect(r.decision).toBe(decision);
    if (decision === 'review') expect(r.candidates.length).toBeGreaterThan(0);
  });
});

describe('matchPerson', () => {
  it('auto-matches a clear case and carries evidence', async () => {
    const source = new InMemoryCandidateSource([
      member,
      { ...member, memberId: 'M2', fullName: 'Trần Văn Long', gender: 'M' },
    ]);
    const model = {
      parameters: defaultParameters(),
      frequencies: computeNameFrequencies([member.fullName, 'Trần Văn Long']),
    };
    const r = await matchPerson({ ...query, fullName: 'TRAN THI THU HUONG', idNumber: null }, source, model);
    expect(r.candidates[0]?.memberId).toBe('M1');
    expect(r.candidates[0]?.evidence.find((e) => e.field === 'dob')).toMatchObject({ level: 'exact_day' });
  });
  it('restricts to a household when asked', async () => {
    const source = new InMemoryCandidateSource([member, { ...member, memberId: 'M9', householdCode: 'H9' }]);
    const model = { parameters: defaultParameters(), frequencies: computeNameFrequencies([member.fullName]) };
    const r = await matchPerson(query, source, model, { householdCode: 'H9' });
    expect(r.candidates.map((c) => c.memberId)).toEqual(['M9']);
  });
});
