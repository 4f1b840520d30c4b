import { describe, expect, it } from 'vitest';
import type {
  ChildRegistrationSubmitted,
  RegistrationDecision,
} from '../../../../src/contracts/generated.js';
import {
  decideChildRegistration,
  evaluateChildRegistration,
} from '../../../../src/flows/child-registration/decide.js';
import type { EmitEffect } from '../../../../src/domain/effects.js';
import type { MemberRecord } from '../../../../src/matching/types.js';
import type { FindPerson } from '../../../../src/ports/hgd.js';
import { childEvent, HGD_MEMBERS, HOUSEHOLD, memoryHgd, type DeepPartial } from '../registration/fixtures.js';

// Each managed-data rule on its own: the default event agrees with HGD member C-1 (found by its BHXH code) in
// every field; each case changes exactly one field of that record (or of the event) and checks the rule's result
// and the registration's outcome.

const CHILD = 'C-1';

function hgdWith(change: Partial<MemberRecord>, id = CHILD): MemberRecord[] {
  return HGD_MEMBERS.map((m) => (m.memberId === id ? { ...m, ...change } : m));
}

async function evaluate(members: MemberRecord[], over: DeepPartial<ChildRegistrationSubmitted> = {}) {
  const { log, hgd } = await evaluateChildRegistration(childEvent(over), memoryHgd(members));
  return { log, hgd, rule: (name: string) => log.results.find((r) => r.rule === name) };
}

async function outcome(members: MemberRecord[], over: DeepPartial<ChildRegistrationSubmitted> = {}) {
  const d = await decideChildRegistration(childEvent(over), memoryHgd(members));
  const emit = d.effects.find((e): e is EmitEffect => e.kind === 'emit' && e.topic === 'registrationDecided');
  return { outcome: d.outcome, reasonCodes: (emit?.record as RegistrationDecision | undefined)?.reasonCodes };
}

describe('hgd.agrees, record found by the declared BHXH code: a disagreement rejects', () => {
  it('the unchanged record agrees and the registration is approved', async () => {
    const r = await evaluate(HGD_MEMBERS);
    expect(r.rule('hgd.agrees')).toEqual({ rule: 'hgd.agrees', result: 'pass' });
    expect(await outcome(HGD_MEMBERS)).toEqual({ outcome: 'approved', reasonCodes: [] });
  });

  it.each<[string, Partial<MemberRecord>, 'reject' | 'review']>([
    ['another personal ID number', { idNumber: '001215000999' }, 'reject'],
    ['another birth date (day)', { dob: '2015-06-11' }, 'reject'],
    ['another birth month', { dob: '2015-07-10' }, 'reject'],
    ['another birth year', { dob: '2016-06-10' }, 'reject'],
    ['another birth year, year-only record', { dob: '2016', dobPrecision: 'year' }, 'reject'],
    ['another month, month-only record', { dob: '2015-07', dobPrecision: 'month' }, 'reject'],
    ['another gender', { gender: 'F' }, 'reject'],
    ['another name', { fullName: 'Đỗ Thu Trang' }, 'reject'],
    ['the same name with other marks', { fullName: 'Nguyễn Minh Ân' }, 'review'],
    ['a dropped middle name', { fullName: 'Nguyễn An' }, 'review'],
    ['no date of birth on record', { dob: null }, 'review'],
  ])('%s → %s (HGD_RECORD_MISMATCH)', async (_label, change, severity) => {
    const r = await evaluate(hgdWith(change));
    expect(r.hgd.how).toBe('bhxh_code');
    expect(r.rule('hgd.agrees')).toMatchObject({ result: severity, code: 'HGD_RECORD_MISMATCH' });
    expect(r.rule('hgd.agrees')?.detail).toMatch(/^HGD C-1: /);
    const o = await outcome(hgdWith(change));
    expect(o.outcome).toBe(severity === 'reject' ? 'rejected' : 'review');
    if (severity === 'reject') expect(o.reasonCodes).toEqual(['HGD_RECORD_MISMATCH']);
  });

  it.each<[string, Partial<MemberRecord>, DeepPartial<ChildRegistrationSubmitted>]>([
    ['the record holds only the year', { dob: '2015', dobPrecision: 'year' }, {}],
    ['the record holds month and year', { dob: '2015-06', dobPrecision: 'month' }, {}],
    ['the record has no ID number', { idNumber: null }, {}],
    [
      'the child declares no personal ID number',
      { idNumber: '001215000999' },
      { child: { personalIdNumber: null } },
    ],
    ['the record has no gender', { gender: null }, {}],
    ['the record is in ASCII upper case', { fullName: 'NGUYEN MINH AN' }, {}],
  ])('%s → agrees', async (_label, change, over) => {
    const r = await evaluate(hgdWith(change), over);
    expect(r.rule('hgd.agrees')).toEqual({ rule: 'hgd.agrees', result: 'pass' });
  });

  it('one clear difference among differences for a human still rejects', async () => {
    const r = await evaluate(hgdWith({ fullName: 'Nguyễn Minh Ân', idNumber: '001215000999' }));
    expect(r.rule('hgd.agrees')).toMatchObject({ result: 'reject', code: 'HGD_RECORD_MISMATCH' });
  });

  it('every difference is listed in the finding', async () => {
    const r = await evaluate(hgdWith({ idNumber: '001215000999', gender: 'F', dob: '2015-06-11' }));
    const detail = r.rule('hgd.agrees')?.detail ?? '';
    expect(detail).toContain('personal ID number');
    expect(detail).toContain('gender');
    expect(detail).toContain('date of birth');
  });
});

describe('hgd.agrees, record found by the matching engine: the matcher tolerates typos, a human decides', () => {
  /** HGD whose matching engine settles on `found` (in the parent household): the decision the flow acts on. */
  function matchedTo(found: MemberRecord) {
    const hgd = memoryHgd(HGD_MEMBERS);
    const findPerson: FindPerson = async () => ({
      decision: 'match',
      best: { memberId: found.memberId, score: 12.3456, evidence: [], member: found },
      candidates: [{ memberId: found.memberId, score: 12.3456, evidence: [], member: found }],
      blockedCount: 1,
    });
    return { ...hgd, findPerson };
  }
  const c1 = HGD_MEMBERS.find((m) => m.memberId === CHILD)!;

  it.each<[string, Partial<MemberRecord>]>([
    ['another personal ID number', { idNumber: '001215000999' }],
    ['another birth date', { dob: '2015-06-11' }],
    ['another gender', { gender: 'F' }],
    ['another name', { fullName: 'Đỗ Thu Trang' }],
    ['the same name with other marks', { fullName: 'Nguyễn Minh Ân' }],
  ])('%s → review (HGD_RECORD_MISMATCH), never a rejection', async (_label, change) => {
    const ports = matchedTo({ ...c1, ...change });
    const { log, hgd } = await evaluateChildRegistration(childEvent({ child: { bhxhCode: null } }), ports);
    expect(hgd.how).toBe('household_match');
    expect(hgd.score).toBe(12.346);
    expect(log.results.find((r) => r.rule === 'hgd.agrees')).toMatchObject({
      result: 'review',
      code: 'HGD_RECORD_MISMATCH',
    });
    expect(log.verdict()).toEqual({ outcome: 'review', codes: ['HGD_RECORD_MISMATCH'] });
  });

  it('the same record unchanged agrees and is approved', async () => {
    const ports = matchedTo(c1);
    const d = await decideChildRegistration(childEvent({ child: { bhxhCode: null } }), ports);
    expect(d.outcome).toBe('approved');
  });

  it('a record matched by the real engine whose birth day differs is for review, not rejection', async () => {
    const members = hgdWith({ dob: '2015-06-11' });
    const r = await evaluate(members, { child: { bhxhCode: null } });
    const finding = r.log.results.find(
      (x) => (x.rule === 'hgd.agrees' || x.rule === 'hgd.record') && x.result !== 'pass',
    );
    expect(finding?.result).toBe('review');
    expect(r.log.verdict().outcome).toBe('review');
  });
});

describe('hgd.linkedToParent', () => {
  // C-1 moved to another household: linked only when the record names the account holder as the parent.
  const moved = { householdCode: '0100000099' };
  it.each<[string, Partial<MemberRecord>, DeepPartial<ChildRegistrationSubmitted>, 'pass' | 'review']>([
    ['same household as the parent', {}, {}, 'pass'],
    ['another household, the record names the father who registers', moved, {}, 'pass'],
    [
      'another household, the record names another father',
      { ...moved, fatherName: 'Phạm Văn Tú' },
      {},
      'review',
    ],
    ['another household, the record names no father', { ...moved, fatherName: null }, {}, 'review'],
    [
      'another household, the mother registers and is named',
      moved,
      {
        relationship: 'MOTHER',
        parent: { fullName: 'Trần Thị Lan', idNumber: '001187004321', bhxhCode: '0112345679' },
      },
      'pass',
    ],
    [
      'another household, the mother registers, the record names another mother',
      { ...moved, motherName: 'Vũ Thị Hà' },
      {
        relationship: 'MOTHER',
        parent: { fullName: 'Trần Thị Lan', idNumber: '001187004321', bhxhCode: '0112345679' },
      },
      'review',
    ],
    [
      'another household, the record names no mother',
      { ...moved, motherName: null },
      {
        relationship: 'MOTHER',
        parent: { fullName: 'Trần Thị Lan', idNumber: '001187004321', bhxhCode: '0112345679' },
      },
      'review',
    ],
    // The father registers; the record names him only as the mother (data entry error): not a link.
    [
      "the father's name only in the mother's field",
      { ...moved, fatherName: null, motherName: 'Nguyễn Văn Hùng' },
      {},
      'review',
    ],
    // The mother registers; her name stands only in the father's field.
    [
      "the mother's name only in the father's field",
      { ...moved, fatherName: 'Trần Thị Lan', motherName: null },
      {
        relationship: 'MOTHER',
        parent: { fullName: 'Trần Thị Lan', idNumber: '001187004321', bhxhCode: '0112345679' },
      },
      'review',
    ],
    [
      'another household, the record names the father in another spelling',
      { ...moved, fatherName: 'Nguyễn Văn Hưng' },
      {},
      'review',
    ],
  ])('%s → %s', async (_label, change, over, result) => {
    const r = await evaluate(hgdWith(change), over);
    const rule = r.rule('hgd.linkedToParent');
    expect(rule?.result).toBe(result);
    if (result === 'review') expect(rule?.code).toBe('HGD_NOT_LINKED_TO_PARENT');
    else expect(rule?.detail).toBe(change.householdCode ? 'named as parent on the record' : 'same household');
  });

  it('the parent household is unknown (no household code, no HGD record of the parent): not linked by household', async () => {
    const r = await evaluate(hgdWith({ fatherName: null }), {
      parent: { householdCode: null, bhxhCode: null, idNumber: '001085099999' },
    });
    expect(r.hgd.parentHouseholdCode).toBeNull();
    expect(r.rule('hgd.linkedToParent')).toMatchObject({
      result: 'review',
      code: 'HGD_NOT_LINKED_TO_PARENT',
    });
  });
});

describe('parent household lookup', () => {
  it('by the parent BHXH code when VssID sends no household code', async () => {
    const r = await evaluate(HGD_MEMBERS, { parent: { householdCode: null, idNumber: '001085099999' } });
    expect(r.hgd.parentHouseholdCode).toBe(HOUSEHOLD);
  });

  it('by the parent ID number when the BHXH code is unknown', async () => {
    const r = await evaluate(HGD_MEMBERS, { parent: { householdCode: null, bhxhCode: '0199999998' } });
    expect(r.hgd.parentHouseholdCode).toBe(HOUSEHOLD);
  });

  it('by the parent ID number when the parent has no BHXH code', async () => {
    const r = await evaluate(HGD_MEMBERS, { parent: { householdCode: null, bhxhCode: null } });
    expect(r.hgd.parentHouseholdCode).toBe(HOUSEHOLD);
  });

  it('the ID number names people of two households: unknown', async () => {
    const members = [
      ...HGD_MEMBERS,
      { ...HGD_MEMBERS[0]!, memberId: 'P-9', householdCode: '0100000042', bhxhCode: '0112349999' },
    ];
    const r = await evaluate(members, { parent: { householdCode: null, bhxhCode: null } });
    expect(r.hgd.parentHouseholdCode).toBeNull();
  });

  it('a parent record without a household falls back to the ID number', async () => {
    const members = hgdWith({ householdCode: null }, 'P-1').concat([
      { ...HGD_MEMBERS[0]!, memberId: 'P-8', bhxhCode: null },
    ]);
    const r = await evaluate(members, { parent: { householdCode: null } });
    expect(r.hgd.parentHouseholdCode).toBe(HOUSEHOLD);
  });
});

describe('hgd.bhxhCode', () => {
  it('a record found by matching without a BHXH code is for review', async () => {
    const r = await evaluate(hgdWith({ bhxhCode: null }), { child: { bhxhCode: null } });
    expect(r.hgd.member?.memberId).toBe(CHILD);
    expect(r.rule('hgd.bhxhCode')).toMatchObject({ result: 'review', code: 'HGD_NO_BHXH_CODE' });
    expect((await outcome(hgdWith({ bhxhCode: null }), { child: { bhxhCode: null } })).outcome).toBe(
      'review',
    );
  });

  it('a record with a code passes and the approval carries that code', async () => {
    const r = await evaluate(HGD_MEMBERS, { child: { bhxhCode: null } });
    expect(r.rule('hgd.bhxhCode')).toEqual({ rule: 'hgd.bhxhCode', result: 'pass' });
    const d = await decideChildRegistration(
      childEvent({ child: { bhxhCode: null } }),
      memoryHgd(HGD_MEMBERS),
    );
    expect((d.effects[0] as EmitEffect).record).toMatchObject({
      outcome: 'APPROVED',
      bhxhCode: '0112345001',
    });
  });
});
