import { describe, expect, it } from 'vitest';
import {
  memberFromLine,
  memberToLine,
  queryFromLine,
  queryToLine,
  resultToLine,
} from '../../../src/matching/lines.js';
import type { MatchResult, MemberRecord, ScoredCandidate } from '../../../src/matching/types.js';

const MEMBER: MemberRecord = {
  memberId: 'M1',
  householdCode: 'H1',
  fullName: 'Nguyễn Văn An',
  dob: '1990-05-01',
  dobPrecision: 'day',
  gender: 'M',
  idNumber: '001090012345',
  bhxhCode: '0123456789',
  provinceCode: '01',
  wardCode: '00004',
  fatherName: 'Nguyễn Văn Bình',
  motherName: 'Trần Thị Chi',
  relationToHead: 'CON',
};

const reason = (r: { ok: boolean; reason?: string }) => (r.ok ? null : r.reason);

describe('memberFromLine', () => {
  it('a full line round-trips through memberToLine', () => {
    expect(memberFromLine(memberToLine(MEMBER))).toEqual({ ok: true, value: MEMBER });
  });

  it('only member_id and full_name are required; the rest is null', () => {
    expect(memberFromLine('{"member_id":"M2","full_name":"Lê An"}')).toEqual({
      ok: true,
      value: {
        memberId: 'M2',
        householdCode: null,
        fullName: 'Lê An',
        dob: null,
        dobPrecision: null,
        gender: null,
        idNumber: null,
        bhxhCode: null,
        provinceCode: null,
        wardCode: null,
        fatherName: null,
        motherName: null,
        relationToHead: null,
      },
    });
  });

  it('explicit nulls are absent values', () => {
    expect(
      memberFromLine('{"member_id":"M2","full_name":"Lê An","household_code":null,"dob":null,"gender":null}'),
    ).toMatchObject({ ok: true, value: { householdCode: null, dob: null, gender: null } });
  });

  it('a number where a string is expected is taken as its text; an empty string is null', () => {
    const r = memberFromLine('{"member_id":17,"full_name":"Lê An","province_code":1,"ward_code":""}');
    expect(r).toMatchObject({ ok: true, value: { memberId: '17', provinceCode: '1', wardCode: null } });
  });

  it.each([
    ['not JSON', '{"member_id":', /^not JSON: /],
    ['an array', '[1,2]', /^not a JSON object$/],
    ['null', 'null', /^not a JSON object$/],
    ['a string', '"x"', /^not a JSON object$/],
    ['no member_id', '{"full_name":"Lê An"}', /^member_id: required$/],
    ['no full_name', '{"member_id":"M"}', /^full_name: required$/],
    ['a blank full_name', '{"member_id":"M","full_name":"  "}', /^full_name: required$/],
    [
      'an object as a name',
      '{"member_id":"M","full_name":{"a":1}}',
      /^full_name: expected a string or null; full_name: required$/,
    ],
    [
      'a boolean as an id',
      '{"member_id":true,"full_name":"An"}',
      /^member_id: expected a string or null; member_id: required$/,
    ],
    [
      'an infinite number',
      '{"member_id":"M","full_name":"An","ward_code":1e999}',
      /^ward_code: expected a string or null$/,
    ],
    [
      'a bad gender',
      '{"member_id":"M","full_name":"An","gender":"X"}',
      /^gender: expected "M", "F" or null, got "X"$/,
    ],
    [
      'a bad date',
      '{"member_id":"M","full_name":"An","dob":"1990-13-01"}',
      /^dob: expected "YYYY", "YYYY-MM" or "YYYY-MM-DD", got "1990-13-01"$/,
    ],
    [
      'a bad precision',
      '{"member_id":"M","full_name":"An","dob":"1990","dob_precision":"week"}',
      /^dob_precision: expected year\|month\|day, got "week"$/,
    ],
    [
      'a BHXH code of 9 digits',
      '{"member_id":"M","full_name":"An","bhxh_code":"012345678"}',
      /^bhxh_code: expected 10 digits, got "012345678"$/,
    ],
    [
      'a BHXH code with text around',
      '{"member_id":"M","full_name":"An","bhxh_code":"x0123456789"}',
      /^bhxh_code: expected 10 digits/,
    ],
    [
      'a BHXH code with text after',
      '{"member_id":"M","full_name":"An","bhxh_code":"0123456789x"}',
      /^bhxh_code: expected 10 digits/,
    ],
  ])('%s is refused with its reason', (_l, line, re) => {
    expect(reason(memberFromLine(line))).toMatch(re);
  });

  it('every problem of a line is listed, in field order', () => {
    expect(reason(memberFromLine('{"gender":"X"}'))).toBe(
      'member_id: required; full_name: required; gender: expected "M", "F" or null, got "X"',
    );
  });

  it.each([
    ['year', '1990', 'year'],
    ['month', '1990-05', 'month'],
    ['day', '1990-05-01', 'day'],
  ] as const)('a declared precision %s is kept', (declared, dob, precision) => {
    const r = memberFromLine(
      JSON.stringify({ member_id: 'M', full_name: 'An', dob: `${dob} `, dob_precision: declared }),
    );
    expect(r).toMatchObject({ ok: true, value: { dob, dobPrecision: precision } });
  });

  it('a year-only flag coarsens a full date; without one the text decides', () => {
    expect(
      memberFromLine('{"member_id":"M","full_name":"An","dob":"01/01/1950","dob_precision":"year"}'),
    ).toMatchObject({ ok: true, value: { dob: '01/01/1950', dobPrecision: 'year' } });
    expect(memberFromLine('{"member_id":"M","full_name":"An","dob":"1950-03"}')).toMatchObject({
      ok: true,
      value: { dobPrecision: 'month' },
    });
  });

  it('gender F and M are taken; null and "" are no gender', () => {
    for (const [g, out] of [
      ['"F"', 'F'],
      ['"M"', 'M'],
      ['null', null],
      ['""', null],
    ] as const)
      expect(memberFromLine(`{"member_id":"M","full_name":"An","gender":${g}}`)).toMatchObject({
        ok: true,
        value: { gender: out },
      });
  });
});

describe('queryFromLine', () => {
  it('a full line round-trips through queryToLine', () => {
    const q = {
      queryId: 'Q1',
      fullName: 'Nguyễn Văn An',
      dob: '1990-05',
      gender: 'F' as const,
      idNumber: '001090012345',
      provinceCode: '01',
      wardCode: '00004',
      fatherName: 'Nguyễn Văn Bình',
      motherName: 'Trần Thị Chi',
    };
    expect(queryFromLine(queryToLine(q))).toEqual({ ok: true, value: q });
  });

  it('a query without an id or ward writes them as null', () => {
    const line = queryToLine({
      fullName: 'An',
      dob: null,
      gender: null,
      idNumber: null,
      provinceCode: null,
      fatherName: null,
      motherName: null,
    });
    expect(JSON.parse(line)).toEqual({
      query_id: null,
      full_name: 'An',
      dob: null,
      gender: null,
      id_number: null,
      province_code: null,
      ward_code: null,
      father_name: null,
      mother_name: null,
    });
  });

  it.each([
    ['not JSON', 'x', /^not JSON: /],
    ['no query_id', '{"full_name":"An"}', /^query_id: required$/],
    ['a blank name', '{"query_id":"Q","full_name":" "}', /^full_name: required$/],
    ['no name', '{"query_id":"Q"}', /^full_name: required$/],
    ['a bad date', '{"query_id":"Q","full_name":"An","dob":"90"}', /^dob: expected/],
    ['a bad gender', '{"query_id":"Q","full_name":"An","gender":"male"}', /^gender: expected/],
  ])('%s is refused', (_l, line, re) => {
    expect(reason(queryFromLine(line))).toMatch(re);
  });

  it('every problem of a query line is listed', () => {
    expect(reason(queryFromLine('{"gender":"X"}'))).toBe(
      'query_id: required; full_name: required; gender: expected "M", "F" or null, got "X"',
    );
  });
});

describe('resultToLine', () => {
  const candidate = (over: Partial<ScoredCandidate> = {}): ScoredCandidate => ({
    memberId: 'M1',
    score: 12.5,
    evidence: [{ field: 'dob', level: 'exact_day', weight: 8.1 }],
    member: MEMBER,
    ...over,
  });

  it('a match names its member; probability to 6 and namesakes to 3 significant digits; evidence listed', () => {
    const r: MatchResult = {
      decision: 'match',
      best: candidate(),
      candidates: [
        candidate({ probability: 0.99912345678, bayesFactor: 30.1, namesakes: 0.00012345 }),
        candidate({ memberId: 'M2', score: 1 }),
      ],
      blockedCount: 3,
      population: 1000,
    };
    expect(JSON.parse(resultToLine('Q1', r))).toEqual({
      query_id: 'Q1',
      decision: 'match',
      member_id: 'M1',
      population: 1000,
      candidates: [
        {
          member_id: 'M1',
          score: 12.5,
          probability: 0.999123,
          bayes_factor: 30.1,
          namesakes: 0.000123,
          evidence: [{ field: 'dob', level: 'exact_day', weight: 8.1 }],
        },
        { member_id: 'M2', score: 1, evidence: [{ field: 'dob', level: 'exact_day', weight: 8.1 }] },
      ],
    });
  });

  it('a review names no member, keeps its refusal, and can leave the evidence out', () => {
    const r: MatchResult = {
      decision: 'review',
      best: candidate(),
      candidates: [candidate()],
      blockedCount: 1,
      refusal: 'namesakes',
    };
    expect(JSON.parse(resultToLine('Q2', r, false))).toEqual({
      query_id: 'Q2',
      decision: 'review',
      member_id: null,
      refusal: 'namesakes',
      candidates: [{ member_id: 'M1', score: 12.5 }],
    });
  });

  it('a match without a best candidate names no member', () => {
    const r: MatchResult = { decision: 'match', candidates: [], blockedCount: 0 };
    expect(JSON.parse(resultToLine('Q3', r))).toMatchObject({ member_id: null, candidates: [] });
  });
});
