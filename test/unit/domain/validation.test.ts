import { describe, expect, it } from 'vitest';
import { SCHEMA_NAMES } from '../../../src/contracts/generated.js';
import { LIMITS, validateRecord } from '../../../src/domain/validation.js';
import * as F from '../../support/contract-fixtures.js';

describe('validateRecord: valid fixtures', () => {
  it.each(SCHEMA_NAMES.map((n) => [n]))('%s has no problems', (name) => {
    expect(validateRecord(name, F.FIXTURES[name]())).toEqual([]);
  });
});

type Case = [string, () => [Parameters<typeof validateRecord>[0], unknown], string];

const cases: Case[] = [
  ['eventId not a uuid', () => ['CodeMapping', { ...F.codeMapping(), eventId: 'not-a-uuid' }], 'eventId'],
  [
    'occurredAt invalid',
    () => ['CodeMapping', { ...F.codeMapping(), occurredAt: new Date(NaN) }],
    'occurredAt',
  ],
  [
    'empty name after trim',
    () => {
      const r = F.codeLookupFailed();
      r.person.fullName = '  \t ';
      return ['CodeLookupFailed', r];
    },
    'person.fullName',
  ],
  [
    'name over 100 characters',
    () => {
      const r = F.childRegistrationSubmitted();
      r.child.fullName = 'Nguyễn '.repeat(15);
      return ['ChildRegistrationSubmitted', r];
    },
    'child.fullName: 105 characters',
  ],
  [
    'string over 512 characters',
    () => ['CodeMapping', { ...F.codeMapping(), memberId: 'M'.repeat(513) }],
    'memberId: 513 characters',
  ],
  [
    'PartialDate value does not match precision',
    () => {
      const r = F.codeLookupFailed();
      r.person.dateOfBirth = { value: '1987', precision: 'MONTH' };
      return ['CodeLookupFailed', r];
    },
    'person.dateOfBirth.value',
  ],
  [
    'PartialDate DAY that does not exist',
    () => {
      const r = F.codeLookupFailed();
      r.person.dateOfBirth = { value: '2023-02-29', precision: 'DAY' };
      r.person.idNumber = null;
      return ['CodeLookupFailed', r];
    },
    'person.dateOfBirth.value',
  ],
  [
    'PartialDate month 13',
    () => {
      const r = F.codeLookupFailed();
      r.person.dateOfBirth = { value: '1987-13', precision: 'UNKNOWN' };
      return ['CodeLookupFailed', r];
    },
    'person.dateOfBirth.value',
  ],
  [
    'bqpCode not 10 digits',
    () => ['CodeLookupFailed', { ...F.codeLookupFailed(), bqpCode: '97123' }],
    'bqpCode',
  ],
  [
    'idNumber neither CCCD nor CMND',
    () => {
      const r = F.codeLookupFailed();
      r.person.idNumber = '12345';
      return ['CodeLookupFailed', r];
    },
    'person.idNumber',
  ],
  [
    'CCCD with a province outside 001–096',
    () => {
      const r = F.codeLookupFailed();
      r.person.idNumber = '099190004512';
      return ['CodeLookupFailed', r];
    },
    'person.idNumber',
  ],
  [
    'ward code not 5 digits',
    () => {
      const r = F.codeLookupFailed();
      r.person.wardCode = '4';
      return ['CodeLookupFailed', r];
    },
    'person.wardCode',
  ],
  [
    'child date of birth that does not exist',
    () => {
      const r = F.childRegistrationSubmitted();
      r.birthCertificate.dateOfBirth = '2015-02-29';
      return ['ChildRegistrationSubmitted', r];
    },
    'birthCertificate.dateOfBirth',
  ],
  [
    'child personal id malformed',
    () => {
      const r = F.childRegistrationSubmitted();
      r.child.personalIdNumber = '07921601234';
      return ['ChildRegistrationSubmitted', r];
    },
    'child.personalIdNumber',
  ],
  [
    'parent household code malformed',
    () => {
      const r = F.childRegistrationSubmitted();
      r.parent.householdCode = 'HH-1';
      return ['ChildRegistrationSubmitted', r];
    },
    'parent.householdCode',
  ],
  [
    'adult CCCD with province 097',
    () => {
      const r = F.adultRegistrationSubmitted();
      r.idDocument.number = '097208012345';
      return ['AdultRegistrationSubmitted', r];
    },
    'idDocument.number',
  ],
  [
    'adult passport malformed',
    () => {
      const r = F.adultRegistrationSubmitted();
      r.idDocument = { kind: 'PASSPORT', number: 'c1234567', issueDate: null };
      return ['AdultRegistrationSubmitted', r];
    },
    'idDocument.number',
  ],
  [
    'adult CMND of 10 digits',
    () => {
      const r = F.adultRegistrationSubmitted();
      r.idDocument = { kind: 'CMND', number: '0123456789', issueDate: null };
      return ['AdultRegistrationSubmitted', r];
    },
    'idDocument.number',
  ],
  [
    'sha256 not 64 hex',
    () => {
      const r = F.adultRegistrationSubmitted();
      r.form01.sha256 = 'abc';
      return ['AdultRegistrationSubmitted', r];
    },
    'form01.sha256',
  ],
  [
    'document of 0 bytes',
    () => {
      const r = F.adultRegistrationSubmitted();
      r.idCopy.sizeBytes = 0;
      return ['AdultRegistrationSubmitted', r];
    },
    'idCopy.sizeBytes',
  ],
  [
    'document over 50 MB',
    () => {
      const r = F.adultRegistrationSubmitted();
      r.idCopy.sizeBytes = LIMITS.documentBytes + 1;
      return ['AdultRegistrationSubmitted', r];
    },
    'idCopy.sizeBytes',
  ],
  [
    'media type malformed',
    () => {
      const r = F.adultRegistrationSubmitted();
      r.form01.mediaType = 'pdf';
      return ['AdultRegistrationSubmitted', r];
    },
    'form01.mediaType',
  ],
  [
    'email malformed',
    () => ['AdultRegistrationSubmitted', { ...F.adultRegistrationSubmitted(), email: 'x' }],
    'email',
  ],
  [
    'too many reason codes',
    () => ['RegistrationDecision', { ...F.registrationDecision(), reasonCodes: Array(51).fill('X') }],
    'reasonCodes: 51 items',
  ],
  [
    'reason code lower case',
    () => ['RegistrationDecision', { ...F.registrationDecision(), reasonCodes: ['name mismatch'] }],
    'reasonCodes[0]',
  ],
  ['score not finite', () => ['CodeMapping', { ...F.codeMapping(), score: Infinity }], 'score'],
  [
    'candidate household code malformed',
    () => {
      const r = F.reviewCase();
      r.candidates[1]!.householdCode = '12';
      return ['ReviewCase', r];
    },
    'candidates[1].householdCode',
  ],
  [
    'dead letter negative offset',
    () => ['DeadLetter', { ...F.deadLetter(), sourceOffset: -1 }],
    'sourceOffset',
  ],
  ['dead letter 0 attempts', () => ['DeadLetter', { ...F.deadLetter(), attempts: 0 }], 'attempts'],
  ['not an object', () => ['DeadLetter', null], 'record'],
];

describe('validateRecord: invalid records', () => {
  it.each(cases)('%s', (_label, make, expected) => {
    const [name, record] = make();
    const problems = validateRecord(name, record);
    expect(problems.some((p) => p.startsWith(expected))).toBe(true);
  });

  it('allows long error messages in dead letters but bounds them', () => {
    expect(validateRecord('DeadLetter', { ...F.deadLetter(), errorMessage: 'e'.repeat(5000) })).toEqual([]);
    expect(
      validateRecord('DeadLetter', { ...F.deadLetter(), errorMessage: 'e'.repeat(LIMITS.errorMessage + 1) }),
    ).toHaveLength(1);
  });

  it('counts characters, not UTF-16 units or bytes', () => {
    const r = F.codeLookupFailed();
    r.person.fullName = 'Đ'.repeat(100).normalize('NFD');
    // NFD: 'Đ' has no decomposition, so still 100 code points.
    expect(validateRecord('CodeLookupFailed', r)).toEqual([]);
  });
});

describe('validateRecord leaves business rules to the flows', () => {
  it('a well-formed CCCD that disagrees with the declared birth year or gender is valid input (the flow rejects it)', () => {
    const lookup = F.codeLookupFailed();
    lookup.person.idNumber = '001190004512';
    expect(validateRecord('CodeLookupFailed', lookup)).toEqual([]);
    const child = F.childRegistrationSubmitted();
    child.child.personalIdNumber = '079216012345';
    expect(validateRecord('ChildRegistrationSubmitted', child)).toEqual([]);
  });
});
