import { describe, expect, it } from 'vitest';
import type {
  ChildRegistrationSubmitted,
  RegistrationDecision,
  ReviewCase,
} from '../../../../src/contracts/generated.js';
import {
  decideChildRegistration,
  evaluateChildRegistration,
} from '../../../../src/flows/child-registration/decide.js';
import type { RuleResult } from '../../../../src/flows/registration/rules.js';
import type { EmitEffect, OpenReviewEffect } from '../../../../src/domain/effects.js';
import { childEvent, HGD_MEMBERS, HOUSEHOLD, memoryHgd, type DeepPartial } from '../registration/fixtures.js';
import { reviewCaseId } from '../../../../src/domain/ids.js';

const ports = memoryHgd(HGD_MEMBERS);
const NOW = new Date('2026-03-02T03:00:00Z');

async function rule(event: ChildRegistrationSubmitted, name: string): Promise<RuleResult | undefined> {
  const { log } = await evaluateChildRegistration(event, ports);
  return log.results.find((r) => r.rule === name);
}

function emitted<T>(effects: { kind: string }[], topic: string): T[] {
  return effects
    .filter((e): e is EmitEffect => e.kind === 'emit' && (e as EmitEffect).topic === topic)
    .map((e) => e.record as T);
}

/** A child born on `dob`, with every document agreeing (and no HGD shortcut through the BHXH code or ID). */
function bornOn(dob: string, submittedOn: string): DeepPartial<ChildRegistrationSubmitted> {
  return {
    submittedOn,
    child: { dateOfBirth: dob, personalIdNumber: null },
    birthCertificate: { dateOfBirth: dob },
  };
}

describe('child registration: the approved path', () => {
  it('approves when every rule holds, with the BHXH code from HGD', async () => {
    const e = childEvent();
    const d = await decideChildRegistration(e, ports, { now: () => NOW });
    expect(d.outcome).toBe('approved');
    const [decision] = emitted<RegistrationDecision>(d.effects, 'registrationDecided');
    expect(decision).toMatchObject({
      registrationId: e.registrationId,
      sourceEventId: e.eventId,
      kind: 'CHILD',
      outcome: 'APPROVED',
      reasonCodes: [],
      bhxhCode: '0112345001',
      caseId: null,
      decidedBy: 'AUTO',
      occurredAt: NOW,
    });
    expect(d.effects).toHaveLength(1);
    expect((d.effects[0] as EmitEffect).key).toBe(e.registrationId);
    expect((d.effects[0] as EmitEffect).messageId).toBe(decision!.eventId);
  });

  it('is deterministic: the same event yields the same message id', async () => {
    const e = childEvent();
    const a = await decideChildRegistration(e, ports);
    const b = await decideChildRegistration(e, ports);
    expect((a.effects[0] as EmitEffect).messageId).toBe((b.effects[0] as EmitEffect).messageId);
  });

  it('the mother registers: her name is compared with the mother on the certificate', async () => {
    const d = await decideChildRegistration(
      childEvent({
        relationship: 'MOTHER',
        parent: { fullName: 'Trần Thị Lan', idNumber: '001187004321', bhxhCode: '0112345679' },
      }),
      ports,
    );
    expect(d.outcome).toBe('approved');
  });
});

describe('rule child.under18: under 18 on the submission date', () => {
  it.each([
    ['17, the day before the 18th birthday', '2008-03-03', '2026-03-02', 'pass', undefined],
    ['18 on the 18th birthday', '2008-03-02', '2026-03-02', 'reject', 'CHILD_NOT_UNDER_18'],
    ['19', '2007-01-01', '2026-03-02', 'reject', 'CHILD_NOT_UNDER_18'],
    ['a newborn, born on the submission date', '2026-03-02', '2026-03-02', 'pass', undefined],
    ['born after the submission date', '2026-03-03', '2026-03-02', 'reject', 'CHILD_BORN_AFTER_SUBMISSION'],
    // 29 Feb births turn a year older on 1 March in non-leap years (identifiers.ageOn).
    ['leap-day birth, 28 Feb of the 18th year: still 17', '2008-02-29', '2026-02-28', 'pass', undefined],
    [
      'leap-day birth, 1 Mar of the 18th year: 18',
      '2008-02-29',
      '2026-03-01',
      'reject',
      'CHILD_NOT_UNDER_18',
    ],
    [
      'born 28 Feb of a year before a leap year: 18 on 28 Feb',
      '2010-02-28',
      '2028-02-28',
      'reject',
      'CHILD_NOT_UNDER_18',
    ],
    ['leap-day birth 2012, on 28 Feb 2030: still 17', '2012-02-29', '2030-02-28', 'pass', undefined],
    ['leap-day birth 2012, on 1 Mar 2030: 18', '2012-02-29', '2030-03-01', 'reject', 'CHILD_NOT_UNDER_18'],
  ])('%s', async (_label, dob, on, result, code) => {
    const r = await rule(childEvent(bornOn(dob, on)), 'child.under18');
    expect(r?.result).toBe(result);
    expect(r?.code).toBe(code);
  });

  it('a 19-year-old is rejected outright', async () => {
    const d = await decideChildRegistration(childEvent(bornOn('2007-01-01', '2026-03-02')), ports);
    expect(d.outcome).toBe('rejected');
    expect(emitted<RegistrationDecision>(d.effects, 'registrationDecided')[0]?.reasonCodes).toContain(
      'CHILD_NOT_UNDER_18',
    );
  });
});

describe('rules on the declaration and the account', () => {
  it.each<
    [
      string,
      DeepPartial<ChildRegistrationSubmitted>,
      string,
      'pass' | 'reject' | 'review',
      string | undefined,
    ]
  >([
    ['no own ID card', {}, 'child.noIdCard', 'pass', undefined],
    [
      'declares a CCCD of their own',
      { child: { idCardNumber: '001215009999' } },
      'child.noIdCard',
      'reject',
      'CHILD_HAS_ID_CARD',
    ],
    [
      'declares a CMND of their own',
      { child: { idCardNumber: '012345678' } },
      'child.noIdCard',
      'reject',
      'CHILD_HAS_ID_CARD',
    ],
    ['parent account approved', {}, 'parent.accountApproved', 'pass', undefined],
    [
      'parent account pending',
      { parent: { accountStatus: 'PENDING' } },
      'parent.accountApproved',
      'reject',
      'PARENT_ACCOUNT_NOT_APPROVED',
    ],
    [
      'parent account locked',
      { parent: { accountStatus: 'LOCKED' } },
      'parent.accountApproved',
      'reject',
      'PARENT_ACCOUNT_NOT_APPROVED',
    ],
    [
      'parent account unknown',
      { parent: { accountStatus: 'UNKNOWN' } },
      'parent.accountApproved',
      'reject',
      'PARENT_ACCOUNT_NOT_APPROVED',
    ],
    ['personal ID consistent', {}, 'child.personalIdConsistent', 'pass', undefined],
    [
      'personal ID of another birth year',
      { child: { personalIdNumber: '001214000123' } },
      'child.personalIdConsistent',
      'reject',
      'PERSONAL_ID_INCONSISTENT',
    ],
    [
      'personal ID of a girl for a boy',
      { child: { personalIdNumber: '001315000123' } },
      'child.personalIdConsistent',
      'reject',
      'PERSONAL_ID_INCONSISTENT',
    ],
    [
      'personal ID of the 1900s',
      { child: { personalIdNumber: '001015000123' } },
      'child.personalIdConsistent',
      'reject',
      'PERSONAL_ID_INCONSISTENT',
    ],
  ])('%s', async (_label, over, name, result, code) => {
    const r = await rule(childEvent(over), name);
    expect(r?.result).toBe(result);
    expect(r?.code).toBe(code);
  });

  it('no personal ID: the rule is not applied', async () => {
    expect(
      await rule(childEvent({ child: { personalIdNumber: null } }), 'child.personalIdConsistent'),
    ).toBeUndefined();
  });
});

describe('rule birthCert.*: the declaration agrees with the birth certificate', () => {
  const nfd = 'Nguyễn Minh An'.normalize('NFD');
  it.each<
    [
      string,
      DeepPartial<ChildRegistrationSubmitted>,
      string,
      'pass' | 'reject' | 'review',
      string | undefined,
    ]
  >([
    ['NFD on the declaration', { child: { fullName: nfd } }, 'birthCert.name', 'pass', undefined],
    [
      'ASCII upper case on the certificate',
      { birthCertificate: { fullName: 'NGUYEN MINH AN' } },
      'birthCert.name',
      'pass',
      undefined,
    ],
    [
      'extra spaces and case',
      { child: { fullName: '  nguyễn  minh AN ' } },
      'birthCert.name',
      'pass',
      undefined,
    ],
    [
      'old tone placement (Hoà ≡ Hòa)',
      { child: { fullName: 'Nguyễn Minh Hoà' }, birthCertificate: { fullName: 'Nguyễn Minh Hòa' } },
      'birthCert.name',
      'pass',
      undefined,
    ],
    [
      'Ð (Eth) typed for Đ',
      { child: { fullName: 'Ðỗ Minh An' }, birthCertificate: { fullName: 'Đỗ Minh An' } },
      'birthCert.name',
      'pass',
      undefined,
    ],
    [
      'marks differ (Ân vs An)',
      { child: { fullName: 'Nguyễn Minh Ân' } },
      'birthCert.name',
      'review',
      'BIRTH_CERT_NAME_MISMATCH',
    ],
    [
      'middle name dropped',
      { child: { fullName: 'Nguyễn An' } },
      'birthCert.name',
      'review',
      'BIRTH_CERT_NAME_MISMATCH',
    ],
    [
      'another given name',
      { child: { fullName: 'Nguyễn Minh Khôi' } },
      'birthCert.name',
      'reject',
      'BIRTH_CERT_NAME_MISMATCH',
    ],
    ['same date', {}, 'birthCert.dateOfBirth', 'pass', undefined],
    [
      'another date',
      { birthCertificate: { dateOfBirth: '2015-06-11' } },
      'birthCert.dateOfBirth',
      'reject',
      'BIRTH_CERT_DOB_MISMATCH',
    ],
    ['same gender', {}, 'birthCert.gender', 'pass', undefined],
    [
      'another gender',
      { birthCertificate: { gender: 'FEMALE' } },
      'birthCert.gender',
      'reject',
      'BIRTH_CERT_GENDER_MISMATCH',
    ],
    [
      'gender unknown on the declaration',
      { child: { gender: 'UNKNOWN' } },
      'birthCert.gender',
      'review',
      'GENDER_UNKNOWN',
    ],
    [
      'gender unknown on the certificate',
      { birthCertificate: { gender: 'UNKNOWN' } },
      'birthCert.gender',
      'review',
      'GENDER_UNKNOWN',
    ],
  ])('%s', async (_label, over, name, result, code) => {
    const r = await rule(childEvent(over), name);
    expect(r?.result).toBe(result);
    expect(r?.code).toBe(code);
  });
});

describe('rule parent.onBirthCert / guardian: who registers', () => {
  it.each<
    [
      string,
      DeepPartial<ChildRegistrationSubmitted>,
      string,
      'pass' | 'reject' | 'review',
      string | undefined,
    ]
  >([
    ['father named on the certificate', {}, 'parent.onBirthCert', 'pass', undefined],
    [
      'father in ASCII on the certificate',
      { birthCertificate: { fatherName: 'NGUYEN VAN HUNG' } },
      'parent.onBirthCert',
      'pass',
      undefined,
    ],
    [
      'father NFD in the account',
      { parent: { fullName: 'Nguyễn Văn Hùng'.normalize('NFD') } },
      'parent.onBirthCert',
      'pass',
      undefined,
    ],
    [
      'the certificate names another father',
      { birthCertificate: { fatherName: 'Phạm Văn Tú' } },
      'parent.onBirthCert',
      'reject',
      'PARENT_NOT_ON_BIRTH_CERT',
    ],
    [
      'the certificate names no father',
      { birthCertificate: { fatherName: null } },
      'parent.onBirthCert',
      'reject',
      'PARENT_NOT_ON_BIRTH_CERT',
    ],
    [
      'claims MOTHER but the certificate names another mother',
      { relationship: 'MOTHER', parent: { fullName: 'Vũ Thị Hà' } },
      'parent.onBirthCert',
      'reject',
      'PARENT_NOT_ON_BIRTH_CERT',
    ],
    [
      'the father claims to be the mother',
      { relationship: 'MOTHER' },
      'parent.onBirthCert',
      'reject',
      'PARENT_NOT_ON_BIRTH_CERT',
    ],
    [
      'father spelled with other marks',
      { parent: { fullName: 'Nguyễn Văn Hưng' } },
      'parent.onBirthCert',
      'review',
      'PARENT_NAME_SPELLING',
    ],
    [
      'relationship unknown',
      { relationship: 'UNKNOWN' },
      'parent.relationship',
      'review',
      'RELATIONSHIP_UNKNOWN',
    ],
    [
      'guardian with a document',
      { relationship: 'GUARDIAN', guardianshipDocumentRef: 'archive://g/1.pdf' },
      'guardian.document',
      'pass',
      undefined,
    ],
    [
      'guardian without a document',
      { relationship: 'GUARDIAN' },
      'guardian.document',
      'reject',
      'GUARDIAN_NEEDS_DOCUMENT',
    ],
    [
      'guardian with a blank document reference',
      { relationship: 'GUARDIAN', guardianshipDocumentRef: '  ' },
      'guardian.document',
      'reject',
      'GUARDIAN_NEEDS_DOCUMENT',
    ],
    [
      'guardian always reviewed',
      { relationship: 'GUARDIAN', guardianshipDocumentRef: 'archive://g/1.pdf' },
      'guardian.review',
      'review',
      'GUARDIAN_REVIEW',
    ],
  ])('%s', async (_label, over, name, result, code) => {
    const r = await rule(childEvent(over), name);
    expect(r?.result).toBe(result);
    expect(r?.code).toBe(code);
  });

  it('a guardian is not compared with the parents on the certificate', async () => {
    const e = childEvent({
      relationship: 'GUARDIAN',
      guardianshipDocumentRef: 'archive://g/1.pdf',
      parent: { fullName: 'Bùi Văn Giám' },
    });
    expect(await rule(e, 'parent.onBirthCert')).toBeUndefined();
  });

  it('a guardian with everything else in order goes to review, a parent in the same position is approved', async () => {
    const guardian = await decideChildRegistration(
      childEvent({ relationship: 'GUARDIAN', guardianshipDocumentRef: 'archive://g/1.pdf' }),
      ports,
    );
    expect(guardian.outcome).toBe('review');
    const parent = await decideChildRegistration(childEvent(), ports);
    expect(parent.outcome).toBe('approved');
  });
});

describe('rules hgd.*: managed data', () => {
  it.each<
    [
      string,
      DeepPartial<ChildRegistrationSubmitted>,
      string,
      'pass' | 'reject' | 'review',
      string | undefined,
    ]
  >([
    ['found by BHXH code', {}, 'hgd.record', 'pass', undefined],
    [
      'BHXH code unknown to HGD',
      { child: { bhxhCode: '0199999999' } },
      'hgd.record',
      'reject',
      'HGD_RECORD_NOT_FOUND',
    ],
    ['agrees', {}, 'hgd.agrees', 'pass', undefined],
    // The BHXH code names another person: a clear disagreement.
    [
      'the BHXH code names another child',
      { child: { bhxhCode: '0112345003' } },
      'hgd.agrees',
      'reject',
      'HGD_RECORD_MISMATCH',
    ],
    ['linked: same household', {}, 'hgd.linkedToParent', 'pass', undefined],
    [
      'no BHXH code in HGD yet',
      {
        child: {
          bhxhCode: null,
          fullName: 'Nguyễn Minh Khang',
          dateOfBirth: '2024-01-05',
          personalIdNumber: null,
        },
        birthCertificate: { fullName: 'Nguyễn Minh Khang', dateOfBirth: '2024-01-05' },
      },
      'hgd.bhxhCode',
      'review',
      'HGD_NO_BHXH_CODE',
    ],
  ])('%s', async (_label, over, name, result, code) => {
    const r = await rule(childEvent(over), name);
    expect(r?.result).toBe(result);
    expect(r?.code).toBe(code);
  });

  it('HGD holds the name in ASCII upper case and only the birth year: agrees', async () => {
    const ascii = HGD_MEMBERS.map((m) =>
      m.memberId === 'C-1'
        ? { ...m, fullName: 'NGUYEN MINH AN', dob: '2015', dobPrecision: 'year' as const }
        : m,
    );
    const { log } = await evaluateChildRegistration(childEvent(), memoryHgd(ascii));
    expect(log.results.find((r) => r.rule === 'hgd.agrees')).toMatchObject({ result: 'pass' });
  });

  it('HGD holds another birth date for the child found by matching: review, not rejection', async () => {
    const other = HGD_MEMBERS.map((m) => (m.memberId === 'C-1' ? { ...m, dob: '2015-06-01' } : m));
    const { log } = await evaluateChildRegistration(
      childEvent({ child: { bhxhCode: null } }),
      memoryHgd(other),
    );
    // Either the matcher is unsure (hgd.record) or it matched and the fields disagree (hgd.agrees): both for a human.
    const r = log.results.find(
      (x) => (x.rule === 'hgd.agrees' || x.rule === 'hgd.record') && x.result !== 'pass',
    );
    expect(r?.result).toBe('review');
    expect(log.verdict().outcome).toBe('review');
  });

  it('without a BHXH code: found by the matching engine in the parent household first', async () => {
    const calls = ports.calls.length;
    const e = childEvent({ child: { bhxhCode: null } });
    const { log, hgd } = await evaluateChildRegistration(e, ports);
    expect(hgd.how).toBe('household_match');
    expect(hgd.member?.memberId).toBe('C-1');
    expect(ports.calls.slice(calls)).toEqual([{ householdCode: HOUSEHOLD }]);
    expect(log.verdict()).toEqual({ outcome: 'approved' });
  });

  it('without a parent household code: learnt from the parent HGD record', async () => {
    const calls = ports.calls.length;
    const e = childEvent({ parent: { householdCode: null }, child: { bhxhCode: null } });
    const { hgd } = await evaluateChildRegistration(e, ports);
    expect(hgd.parentHouseholdCode).toBe(HOUSEHOLD);
    expect(ports.calls.slice(calls)[0]).toEqual({ householdCode: HOUSEHOLD });
  });

  it('not in the parent household: searched nationally, linked because the record names the mother', async () => {
    const e = childEvent({
      relationship: 'MOTHER',
      parent: { fullName: 'Trần Thị Lan', idNumber: '001187004321', bhxhCode: '0112345679' },
      child: { fullName: 'Phạm Gia Bảo', dateOfBirth: '2012-01-20', bhxhCode: null, personalIdNumber: null },
      birthCertificate: {
        fullName: 'Phạm Gia Bảo',
        dateOfBirth: '2012-01-20',
        fatherName: 'Phạm Văn Tú',
        motherName: 'Trần Thị Lan',
      },
    });
    const { log, hgd } = await evaluateChildRegistration(e, ports);
    expect(hgd.how).toBe('national_match');
    expect(hgd.member?.memberId).toBe('C-2');
    expect(log.results.find((r) => r.rule === 'hgd.linkedToParent')).toMatchObject({ result: 'pass' });
    expect(log.verdict()).toEqual({ outcome: 'approved' });
  });

  it('a child not linked to the parent in HGD goes to review', async () => {
    const e = childEvent({
      child: {
        fullName: 'Đỗ Thu Trang',
        dateOfBirth: '2016-02-29',
        gender: 'FEMALE',
        bhxhCode: '0112345003',
        personalIdNumber: null,
      },
      birthCertificate: { fullName: 'Đỗ Thu Trang', dateOfBirth: '2016-02-29', gender: 'FEMALE' },
    });
    const d = await decideChildRegistration(e, ports);
    expect(d.outcome).toBe('review');
    const open = d.effects.find((x): x is OpenReviewEffect => x.kind === 'openReview');
    expect(open?.reasonCodes).toEqual(['HGD_NOT_LINKED_TO_PARENT']);
    expect(open?.candidates[0]).toMatchObject({ memberId: 'C-3' });
  });

  it('a review of a member found by its BHXH code lists that member once, first, with score 0', async () => {
    const e = childEvent({
      child: {
        fullName: 'Đỗ Thu Trang',
        dateOfBirth: '2016-02-29',
        gender: 'FEMALE',
        bhxhCode: '0112345003',
        personalIdNumber: null,
      },
      birthCertificate: { fullName: 'Đỗ Thu Trang', dateOfBirth: '2016-02-29', gender: 'FEMALE' },
    });
    const d = await decideChildRegistration(e, ports);
    const open = d.effects.find((x): x is OpenReviewEffect => x.kind === 'openReview')!;
    const c3 = HGD_MEMBERS.find((m) => m.memberId === 'C-3')!;
    expect(open.candidates).toEqual([{ memberId: 'C-3', householdCode: c3.householdCode, score: 0 }]);
    expect(open.evidence).toMatchObject({ hgd: { how: 'bhxh_code', memberId: 'C-3' } });
    expect(open.caseId).toBe(reviewCaseId('CHILD_REGISTRATION', e.registrationId));
  });

  it('twins in HGD and no BHXH code: ambiguous, review with both candidates', async () => {
    const e = childEvent({
      parent: {
        fullName: 'Lê Văn Sơn',
        householdCode: '0100000009',
        bhxhCode: null,
        idNumber: '001080000999',
      },
      child: {
        fullName: 'Lê Thị Hoa',
        dateOfBirth: '2014-04-04',
        gender: 'FEMALE',
        bhxhCode: null,
        personalIdNumber: null,
      },
      birthCertificate: {
        fullName: 'Lê Thị Hoa',
        dateOfBirth: '2014-04-04',
        gender: 'FEMALE',
        fatherName: 'Lê Văn Sơn',
        motherName: 'Vũ Thị Hà',
      },
    });
    const d = await decideChildRegistration(e, ports, { now: () => NOW });
    expect(d.outcome).toBe('review');
    const open = d.effects.find((x): x is OpenReviewEffect => x.kind === 'openReview')!;
    expect(open.reasonCodes).toEqual(['HGD_AMBIGUOUS_MATCH']);
    expect(open.reviewKind).toBe('CHILD_REGISTRATION');
    expect(open.candidates.map((c) => c.memberId).sort()).toEqual(['T-1', 'T-2']);
    const [rc] = emitted<ReviewCase>(d.effects, 'reviewCaseChanged');
    expect(rc).toMatchObject({
      status: 'OPENED',
      kind: 'CHILD_REGISTRATION',
      subjectId: e.registrationId,
      caseId: open.caseId,
    });
    const [decision] = emitted<RegistrationDecision>(d.effects, 'registrationDecided');
    expect(decision).toMatchObject({
      outcome: 'IN_REVIEW',
      caseId: open.caseId,
      reasonCodes: ['HGD_AMBIGUOUS_MATCH'],
      bhxhCode: null,
      kind: 'CHILD',
      decidedBy: 'AUTO',
      operator: null,
    });
  });

  it('nobody like the child in HGD: rejected', async () => {
    const e = childEvent({
      child: {
        fullName: 'Trịnh Công Sơn',
        dateOfBirth: '2019-09-09',
        bhxhCode: null,
        personalIdNumber: null,
      },
      birthCertificate: { fullName: 'Trịnh Công Sơn', dateOfBirth: '2019-09-09' },
    });
    const d = await decideChildRegistration(e, ports);
    expect(d.outcome).toBe('rejected');
    expect(emitted<RegistrationDecision>(d.effects, 'registrationDecided')[0]?.reasonCodes).toEqual([
      'HGD_RECORD_NOT_FOUND',
    ]);
  });
});

describe('outcome', () => {
  it('a rejection lists every clearly failing rule, and no review codes', async () => {
    const e = childEvent({
      relationship: 'GUARDIAN',
      parent: { accountStatus: 'PENDING' },
      child: { idCardNumber: '001215009999' },
      birthCertificate: { gender: 'FEMALE' },
    });
    const d = await decideChildRegistration(e, ports);
    expect(d.outcome).toBe('rejected');
    expect(d.effects).toHaveLength(1);
    expect(emitted<RegistrationDecision>(d.effects, 'registrationDecided')[0]?.reasonCodes).toEqual([
      'CHILD_HAS_ID_CARD',
      'PARENT_ACCOUNT_NOT_APPROVED',
      'BIRTH_CERT_GENDER_MISMATCH',
      'GUARDIAN_NEEDS_DOCUMENT',
    ]);
  });

  it('a review case keeps the request and every rule result as evidence', async () => {
    const e = childEvent({ child: { fullName: 'Nguyễn Minh Ân' } });
    const d = await decideChildRegistration(e, ports);
    expect(d.outcome).toBe('review');
    const open = d.effects.find((x): x is OpenReviewEffect => x.kind === 'openReview')!;
    expect(open.request).toBe(e);
    expect(open.reasonCodes).toEqual(['BIRTH_CERT_NAME_MISMATCH', 'HGD_RECORD_MISMATCH']);
    const rules = (open.evidence as { rules: RuleResult[] }).rules;
    expect(rules.filter((r) => r.result === 'pass').map((r) => r.rule)).toContain('parent.accountApproved');
  });
});
