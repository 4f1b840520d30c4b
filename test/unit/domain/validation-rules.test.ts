/**
 * Each validation rule on its own, at its bounds: the field, the reason code and the message `vss-bridge validate`
 * prints (upstream teams read them), and the value just inside each bound passing.
 */
import { describe, expect, it } from 'vitest';
import {
  LIMITS,
  MIN_YEAR,
  problemCode,
  validateRecord,
  validateRecordDetailed,
  validateRecordProblems,
  validationCode,
  type Problem,
} from '../../../src/domain/validation.js';
import type { SchemaName } from '../../../src/contracts/generated.js';
import * as F from '../../support/contract-fixtures.js';

// 20:00 UTC on the 16th is already the 17th in Vietnam (UTC+7): the day of slack makes the 17th "today".
const NOW = new Date('2025-09-16T20:00:00Z');

/* eslint-disable @typescript-eslint/no-explicit-any -- records are edited past their generated types on purpose */
type Edit = (r: any) => void;
type Expected = [field: string, code: string, message: string][];

function detailed(schema: SchemaName, edit: Edit): Expected {
  const r: any = F.FIXTURES[schema]();
  edit(r);
  return validateRecordDetailed(schema, r, NOW).map((p) => [p.field, p.code, p.message]);
}

const EMPTY = 'must not be empty';
const NAME_EMPTY = 'name must not be empty';
const BHXH = 'is not a BHXH code (10 digits)';
const HOUSEHOLD = 'is not a household code (10 digits)';
const PROVINCE = 'is not a province code (2 or 3 digits)';
const DATE = 'is not a date that exists (YYYY-MM-DD)';
const CCCD = 'not a CCCD / personal id number (12 digits, province 001–096)';
const REASON = `is not a reason code (A-Z, 0-9, _.:-, ≤ ${LIMITS.reasonCode})`;
const SIZE = `is not a size between 1 byte and ${LIMITS.documentBytes} bytes`;

type Row = [label: string, schema: SchemaName, edit: Edit, expected: Expected];

const empty = (schema: SchemaName, field: string, set: Edit, code = 'EMPTY', msg = EMPTY): Row[] => [
  [`${schema} ${field} empty`, schema, (r) => set(r), [[field, code, msg]]],
];

const rows: Row[] = [
  // Every record: event id and instant.
  [
    'eventId not a UUID',
    'CodeMapping',
    (r) => (r.eventId = 'not-a-uuid'),
    [['eventId', 'INVALID_FORMAT', 'is not a UUID']],
  ],
  [
    'eventId version 9',
    'CodeMapping',
    (r) => (r.eventId = '6f1c2a9e-3b4d-9e5f-8a6b-7c8d9e0f1a2b'),
    [['eventId', 'INVALID_FORMAT', 'is not a UUID']],
  ],
  [
    'eventId variant c',
    'CodeMapping',
    (r) => (r.eventId = '6f1c2a9e-3b4d-4e5f-ca6b-7c8d9e0f1a2b'),
    [['eventId', 'INVALID_FORMAT', 'is not a UUID']],
  ],
  [
    'eventId with a prefix',
    'CodeMapping',
    (r) => (r.eventId = 'x6f1c2a9e-3b4d-4e5f-8a6b-7c8d9e0f1a2b'),
    [['eventId', 'INVALID_FORMAT', 'is not a UUID']],
  ],
  [
    'eventId with a suffix',
    'CodeMapping',
    (r) => (r.eventId = '6f1c2a9e-3b4d-4e5f-8a6b-7c8d9e0f1a2bx'),
    [['eventId', 'INVALID_FORMAT', 'is not a UUID']],
  ],
  ['eventId upper case', 'CodeMapping', (r) => (r.eventId = '6F1C2A9E-3B4D-4E5F-8A6B-7C8D9E0F1A2B'), []],
  [
    'occurredAt not a date',
    'CodeMapping',
    (r) => (r.occurredAt = new Date(NaN)),
    [['occurredAt', 'INVALID_DATE', 'not a valid instant']],
  ],
  [
    'occurredAt a number',
    'CodeMapping',
    (r) => (r.occurredAt = 1),
    [['occurredAt', 'INVALID_DATE', 'not a valid instant']],
  ],

  // CodeLookupFailed
  ...empty('CodeLookupFailed', 'requestId', (r) => (r.requestId = '   ')),
  [
    'lookup fullName blank',
    'CodeLookupFailed',
    (r) => (r.person.fullName = ' '),
    [['person.fullName', 'EMPTY', NAME_EMPTY]],
  ],
  [
    'lookup fatherName blank',
    'CodeLookupFailed',
    (r) => (r.person.fatherName = ''),
    [['person.fatherName', 'EMPTY', NAME_EMPTY]],
  ],
  [
    'lookup motherName blank',
    'CodeLookupFailed',
    (r) => (r.person.motherName = ''),
    [['person.motherName', 'EMPTY', NAME_EMPTY]],
  ],
  [
    'lookup names absent',
    'CodeLookupFailed',
    (r) => ((r.person.fatherName = null), (r.person.motherName = null)),
    [],
  ],
  [
    'lookup dateOfBirth without value',
    'CodeLookupFailed',
    (r) => (r.person.dateOfBirth = { value: null, precision: 'DAY' }),
    [['person.dateOfBirth.value', 'MISSING', 'missing']],
  ],
  [
    'lookup dateOfBirth unknown and empty',
    'CodeLookupFailed',
    (r) => (r.person.dateOfBirth = { value: '', precision: 'UNKNOWN' }),
    [],
  ],
  [
    'lookup dateOfBirth empty with precision DAY',
    'CodeLookupFailed',
    (r) => (r.person.dateOfBirth = { value: '', precision: 'DAY' }),
    [['person.dateOfBirth.value', 'INVALID_DATE', 'does not match precision DAY']],
  ],
  [
    'lookup dateOfBirth DAY',
    'CodeLookupFailed',
    (r) => (r.person.dateOfBirth = { value: '1987-03-01', precision: 'DAY' }),
    [],
  ],
  [
    'lookup dateOfBirth YEAR',
    'CodeLookupFailed',
    (r) => (r.person.dateOfBirth = { value: '1987', precision: 'YEAR' }),
    [],
  ],
  [
    'lookup dateOfBirth month as YEAR',
    'CodeLookupFailed',
    (r) => (r.person.dateOfBirth = { value: '1987-03', precision: 'YEAR' }),
    [['person.dateOfBirth.value', 'INVALID_DATE', 'does not match precision YEAR']],
  ],
  [
    'lookup dateOfBirth day as MONTH',
    'CodeLookupFailed',
    (r) => (r.person.dateOfBirth = { value: '1987-03-01', precision: 'MONTH' }),
    [['person.dateOfBirth.value', 'INVALID_DATE', 'does not match precision MONTH']],
  ],
  [
    'lookup dateOfBirth year as DAY',
    'CodeLookupFailed',
    (r) => (r.person.dateOfBirth = { value: '1987', precision: 'DAY' }),
    [['person.dateOfBirth.value', 'INVALID_DATE', 'does not match precision DAY']],
  ],
  [
    'lookup dateOfBirth UNKNOWN with a day',
    'CodeLookupFailed',
    (r) => (r.person.dateOfBirth = { value: '1987-03-01', precision: 'UNKNOWN' }),
    [],
  ],
  [
    'lookup dateOfBirth UNKNOWN with a month',
    'CodeLookupFailed',
    (r) => (r.person.dateOfBirth = { value: '1987-03', precision: 'UNKNOWN' }),
    [],
  ],
  [
    'lookup dateOfBirth UNKNOWN with a year',
    'CodeLookupFailed',
    (r) => (r.person.dateOfBirth = { value: '1987', precision: 'UNKNOWN' }),
    [],
  ],
  [
    'lookup dateOfBirth UNKNOWN with junk',
    'CodeLookupFailed',
    (r) => (r.person.dateOfBirth = { value: '87', precision: 'UNKNOWN' }),
    [['person.dateOfBirth.value', 'INVALID_DATE', 'does not match precision UNKNOWN']],
  ],
  [
    'lookup dateOfBirth year 1899',
    'CodeLookupFailed',
    (r) => (r.person.dateOfBirth = { value: '1899', precision: 'YEAR' }),
    [['person.dateOfBirth.value', 'INVALID_DATE', `is before ${MIN_YEAR}`]],
  ],
  [
    'lookup dateOfBirth year 1900',
    'CodeLookupFailed',
    (r) => (r.person.dateOfBirth = { value: '1900', precision: 'YEAR' }),
    [],
  ],
  [
    'lookup dateOfBirth this month',
    'CodeLookupFailed',
    (r) => (r.person.dateOfBirth = { value: '2025-09', precision: 'MONTH' }),
    [],
  ],
  [
    'lookup dateOfBirth next month',
    'CodeLookupFailed',
    (r) => (r.person.dateOfBirth = { value: '2025-10', precision: 'MONTH' }),
    [['person.dateOfBirth.value', 'INVALID_DATE', 'is in the future']],
  ],
  [
    'lookup dateOfBirth next year',
    'CodeLookupFailed',
    (r) => (r.person.dateOfBirth = { value: '2026', precision: 'YEAR' }),
    [['person.dateOfBirth.value', 'INVALID_DATE', 'is in the future']],
  ],
  [
    'lookup idNumber neither',
    'CodeLookupFailed',
    (r) => (r.person.idNumber = '12345'),
    [['person.idNumber', 'INVALID_FORMAT', 'is not a CCCD (12 digits) or CMND (9 digits) number']],
  ],
  [
    'lookup idNumber CCCD of province 097',
    'CodeLookupFailed',
    (r) => (r.person.idNumber = '097187004512'),
    [['person.idNumber', 'INVALID_FORMAT', 'is not a CCCD (12 digits) or CMND (9 digits) number']],
  ],
  ['lookup idNumber CMND', 'CodeLookupFailed', (r) => (r.person.idNumber = '123456789'), []],
  ['lookup idNumber absent', 'CodeLookupFailed', (r) => (r.person.idNumber = null), []],
  [
    'lookup bhxhCode 9 digits',
    'CodeLookupFailed',
    (r) => (r.person.bhxhCode = '012345678'),
    [['person.bhxhCode', 'INVALID_FORMAT', BHXH]],
  ],
  ['lookup bhxhCode 10 digits', 'CodeLookupFailed', (r) => (r.person.bhxhCode = '0123456789'), []],
  [
    'lookup provinceCode 1 digit',
    'CodeLookupFailed',
    (r) => (r.person.provinceCode = '1'),
    [['person.provinceCode', 'INVALID_FORMAT', PROVINCE]],
  ],
  [
    'lookup provinceCode 4 digits',
    'CodeLookupFailed',
    (r) => (r.person.provinceCode = '0001'),
    [['person.provinceCode', 'INVALID_FORMAT', PROVINCE]],
  ],
  ['lookup provinceCode 3 digits', 'CodeLookupFailed', (r) => (r.person.provinceCode = '001'), []],
  [
    'lookup wardCode 4 digits',
    'CodeLookupFailed',
    (r) => (r.person.wardCode = '0004'),
    [['person.wardCode', 'INVALID_FORMAT', 'is not a ward code (5 digits)']],
  ],
  [
    'lookup wardCode 6 digits',
    'CodeLookupFailed',
    (r) => (r.person.wardCode = '000041'),
    [['person.wardCode', 'INVALID_FORMAT', 'is not a ward code (5 digits)']],
  ],
  ['lookup bqpCode', 'CodeLookupFailed', (r) => (r.bqpCode = '97123'), [['bqpCode', 'INVALID_FORMAT', BHXH]]],
  [
    'lookup unitCode',
    'CodeLookupFailed',
    (r) => (r.bqpUnit.unitCode = ''),
    [['bqpUnit.unitCode', 'EMPTY', EMPTY]],
  ],
  [
    'lookup staffBqpCode',
    'CodeLookupFailed',
    (r) => (r.staffBqpCode = 'x'),
    [['staffBqpCode', 'INVALID_FORMAT', BHXH]],
  ],

  // ChildRegistrationSubmitted
  ...empty('ChildRegistrationSubmitted', 'registrationId', (r) => (r.registrationId = '')),
  [
    'child submittedOn 30 February',
    'ChildRegistrationSubmitted',
    (r) => (r.submittedOn = '2025-02-30'),
    [['submittedOn', 'INVALID_DATE', DATE]],
  ],
  [
    'child submittedOn today in Vietnam',
    'ChildRegistrationSubmitted',
    (r) => (r.submittedOn = '2025-09-17'),
    [],
  ],
  [
    'child submittedOn tomorrow in Vietnam',
    'ChildRegistrationSubmitted',
    (r) => (r.submittedOn = '2025-09-18'),
    [['submittedOn', 'INVALID_DATE', 'is in the future']],
  ],
  ...empty('ChildRegistrationSubmitted', 'parent.accountId', (r) => (r.parent.accountId = '')),
  [
    'child parent name',
    'ChildRegistrationSubmitted',
    (r) => (r.parent.fullName = ''),
    [['parent.fullName', 'EMPTY', NAME_EMPTY]],
  ],
  [
    'child parent born 1899-12-31',
    'ChildRegistrationSubmitted',
    (r) => (r.parent.dateOfBirth = '1899-12-31'),
    [['parent.dateOfBirth', 'INVALID_DATE', 'is before 1900']],
  ],
  [
    'child parent born 1900-01-01',
    'ChildRegistrationSubmitted',
    (r) => (r.parent.dateOfBirth = '1900-01-01'),
    [],
  ],
  [
    'child parent idNumber junk',
    'ChildRegistrationSubmitted',
    (r) => (r.parent.idNumber = 'X1'),
    [['parent.idNumber', 'INVALID_FORMAT', 'is not a CCCD, CMND or passport number']],
  ],
  [
    'child parent idNumber passport',
    'ChildRegistrationSubmitted',
    (r) => (r.parent.idNumber = 'B1234567'),
    [],
  ],
  ['child parent idNumber CMND', 'ChildRegistrationSubmitted', (r) => (r.parent.idNumber = '123456789'), []],
  [
    'child parent bhxhCode',
    'ChildRegistrationSubmitted',
    (r) => (r.parent.bhxhCode = '1'),
    [['parent.bhxhCode', 'INVALID_FORMAT', BHXH]],
  ],
  [
    'child parent householdCode',
    'ChildRegistrationSubmitted',
    (r) => (r.parent.householdCode = '1'),
    [['parent.householdCode', 'INVALID_FORMAT', HOUSEHOLD]],
  ],
  ...empty('ChildRegistrationSubmitted', 'guardianshipDocumentRef', (r) => (r.guardianshipDocumentRef = ' ')),
  [
    'child name',
    'ChildRegistrationSubmitted',
    (r) => (r.child.fullName = ''),
    [['child.fullName', 'EMPTY', NAME_EMPTY]],
  ],
  [
    'child dateOfBirth',
    'ChildRegistrationSubmitted',
    (r) => ((r.child.dateOfBirth = '2015-02-29'), (r.birthCertificate.dateOfBirth = '2016-02-29')),
    [['child.dateOfBirth', 'INVALID_DATE', DATE]],
  ],
  [
    'child bhxhCode',
    'ChildRegistrationSubmitted',
    (r) => (r.child.bhxhCode = '1'),
    [['child.bhxhCode', 'INVALID_FORMAT', BHXH]],
  ],
  [
    'child personalIdNumber junk',
    'ChildRegistrationSubmitted',
    (r) => (r.child.personalIdNumber = '0793160123'),
    [['child.personalIdNumber', 'INVALID_FORMAT', CCCD]],
  ],
  [
    'child personalIdNumber not a string',
    'ChildRegistrationSubmitted',
    (r) => (r.child.personalIdNumber = 79316012345),
    [['child.personalIdNumber', 'INVALID_FORMAT', 'not a string']],
  ],
  [
    'child idCardNumber',
    'ChildRegistrationSubmitted',
    (r) => (r.child.idCardNumber = 'B1234567'),
    [['child.idCardNumber', 'INVALID_FORMAT', 'is not a CCCD or CMND number']],
  ],
  ['child idCardNumber CMND', 'ChildRegistrationSubmitted', (r) => (r.child.idCardNumber = '123456789'), []],
  ...empty('ChildRegistrationSubmitted', 'birthCertificate.number', (r) => (r.birthCertificate.number = '')),
  ...empty(
    'ChildRegistrationSubmitted',
    'birthCertificate.registrationPlace',
    (r) => (r.birthCertificate.registrationPlace = ''),
  ),
  [
    'child certificate province',
    'ChildRegistrationSubmitted',
    (r) => (r.birthCertificate.registrationProvinceCode = '7'),
    [['birthCertificate.registrationProvinceCode', 'INVALID_FORMAT', PROVINCE]],
  ],
  [
    'child certificate registered in the future',
    'ChildRegistrationSubmitted',
    (r) => (r.birthCertificate.registrationDate = '2026-01-01'),
    [['birthCertificate.registrationDate', 'INVALID_DATE', 'is in the future']],
  ],
  [
    'child certificate name',
    'ChildRegistrationSubmitted',
    (r) => (r.birthCertificate.fullName = ''),
    [['birthCertificate.fullName', 'EMPTY', NAME_EMPTY]],
  ],
  [
    'child certificate dateOfBirth',
    'ChildRegistrationSubmitted',
    (r) => (r.birthCertificate.dateOfBirth = '2016-13-01'),
    [['birthCertificate.dateOfBirth', 'INVALID_DATE', DATE]],
  ],
  [
    'child certificate father',
    'ChildRegistrationSubmitted',
    (r) => (r.birthCertificate.fatherName = ''),
    [['birthCertificate.fatherName', 'EMPTY', NAME_EMPTY]],
  ],
  [
    'child certificate mother',
    'ChildRegistrationSubmitted',
    (r) => (r.birthCertificate.motherName = ''),
    [['birthCertificate.motherName', 'EMPTY', NAME_EMPTY]],
  ],

  // AdultRegistrationSubmitted
  ...empty('AdultRegistrationSubmitted', 'registrationId', (r) => (r.registrationId = '')),
  [
    'adult submittedOn',
    'AdultRegistrationSubmitted',
    (r) => (r.submittedOn = '14/09/2025'),
    [['submittedOn', 'INVALID_DATE', DATE]],
  ],
  [
    'adult name',
    'AdultRegistrationSubmitted',
    (r) => (r.person.fullName = ''),
    [['person.fullName', 'EMPTY', NAME_EMPTY]],
  ],
  [
    'adult dateOfBirth',
    'AdultRegistrationSubmitted',
    (r) => (r.person.dateOfBirth = '2008-7-21'),
    [['person.dateOfBirth', 'INVALID_DATE', DATE]],
  ],
  [
    'adult bhxhCode',
    'AdultRegistrationSubmitted',
    (r) => (r.person.bhxhCode = '01234567890'),
    [['person.bhxhCode', 'INVALID_FORMAT', BHXH]],
  ],
  [
    'adult provinceCode',
    'AdultRegistrationSubmitted',
    (r) => (r.person.provinceCode = 'HN'),
    [['person.provinceCode', 'INVALID_FORMAT', PROVINCE]],
  ],
  [
    'adult CCCD malformed',
    'AdultRegistrationSubmitted',
    (r) => (r.idDocument.number = '123456789'),
    [['idDocument.number', 'INVALID_FORMAT', CCCD]],
  ],
  [
    'adult CMND malformed',
    'AdultRegistrationSubmitted',
    (r) => (r.idDocument = { ...r.idDocument, kind: 'CMND', number: '12345678' }),
    [['idDocument.number', 'INVALID_FORMAT', 'is not a CMND number (9 or 12 digits)']],
  ],
  [
    'adult CMND of 9 digits',
    'AdultRegistrationSubmitted',
    (r) => (r.idDocument = { ...r.idDocument, kind: 'CMND', number: '123456789' }),
    [],
  ],
  [
    'adult passport malformed',
    'AdultRegistrationSubmitted',
    (r) => (r.idDocument = { ...r.idDocument, kind: 'PASSPORT', number: '123456789' }),
    [['idDocument.number', 'INVALID_FORMAT', 'is not a passport number (A1234567)']],
  ],
  [
    'adult passport',
    'AdultRegistrationSubmitted',
    (r) => (r.idDocument = { ...r.idDocument, kind: 'PASSPORT', number: 'B1234567' }),
    [],
  ],
  [
    'adult other document malformed',
    'AdultRegistrationSubmitted',
    (r) => (r.idDocument = { ...r.idDocument, kind: 'OTHER', number: 'x' }),
    [['idDocument.number', 'INVALID_FORMAT', 'is not an ID document number']],
  ],
  [
    'adult other document, a passport number',
    'AdultRegistrationSubmitted',
    (r) => (r.idDocument = { ...r.idDocument, kind: 'OTHER', number: 'B1234567' }),
    [],
  ],
  [
    'adult other document, a CMND number',
    'AdultRegistrationSubmitted',
    (r) => (r.idDocument = { ...r.idDocument, kind: 'OTHER', number: '123456789' }),
    [],
  ],
  [
    'adult issueDate',
    'AdultRegistrationSubmitted',
    (r) => (r.idDocument.issueDate = '2022-08-32'),
    [['idDocument.issueDate', 'INVALID_DATE', DATE]],
  ],
  [
    'adult form01 uri',
    'AdultRegistrationSubmitted',
    (r) => (r.form01.uri = ' '),
    [['form01.uri', 'EMPTY', EMPTY]],
  ],
  [
    'adult form01 sha256 short',
    'AdultRegistrationSubmitted',
    (r) => (r.form01.sha256 = 'a'.repeat(63)),
    [['form01.sha256', 'INVALID_FORMAT', 'is not a SHA-256 (64 hex digits)']],
  ],
  [
    'adult form01 sha256 long',
    'AdultRegistrationSubmitted',
    (r) => (r.form01.sha256 = 'a'.repeat(65)),
    [['form01.sha256', 'INVALID_FORMAT', 'is not a SHA-256 (64 hex digits)']],
  ],
  [
    'adult form01 sha256 not hex',
    'AdultRegistrationSubmitted',
    (r) => (r.form01.sha256 = 'g'.repeat(64)),
    [['form01.sha256', 'INVALID_FORMAT', 'is not a SHA-256 (64 hex digits)']],
  ],
  [
    'adult form01 size 0',
    'AdultRegistrationSubmitted',
    (r) => (r.form01.sizeBytes = 0),
    [['form01.sizeBytes', 'OUT_OF_RANGE', SIZE]],
  ],
  ['adult form01 size 1', 'AdultRegistrationSubmitted', (r) => (r.form01.sizeBytes = 1), []],
  [
    'adult form01 size at the limit',
    'AdultRegistrationSubmitted',
    (r) => (r.form01.sizeBytes = LIMITS.documentBytes),
    [],
  ],
  [
    'adult form01 size over the limit',
    'AdultRegistrationSubmitted',
    (r) => (r.form01.sizeBytes = LIMITS.documentBytes + 1),
    [['form01.sizeBytes', 'OUT_OF_RANGE', SIZE]],
  ],
  [
    'adult form01 size fractional',
    'AdultRegistrationSubmitted',
    (r) => (r.form01.sizeBytes = 1.5),
    [['form01.sizeBytes', 'OUT_OF_RANGE', SIZE]],
  ],
  [
    'adult form01 size a string',
    'AdultRegistrationSubmitted',
    (r) => (r.form01.sizeBytes = '5'),
    [['form01.sizeBytes', 'OUT_OF_RANGE', SIZE]],
  ],
  [
    'adult form01 media type',
    'AdultRegistrationSubmitted',
    (r) => (r.form01.mediaType = 'pdf'),
    [['form01.mediaType', 'INVALID_FORMAT', 'is not a media type']],
  ],
  [
    'adult form01 media type with a parameter',
    'AdultRegistrationSubmitted',
    (r) => (r.form01.mediaType = 'text/plain; charset=utf-8'),
    [['form01.mediaType', 'INVALID_FORMAT', 'is not a media type']],
  ],
  [
    'adult form01 media type with a leading slash',
    'AdultRegistrationSubmitted',
    (r) => (r.form01.mediaType = '/pdf'),
    [['form01.mediaType', 'INVALID_FORMAT', 'is not a media type']],
  ],
  [
    'adult form01 vendor media type',
    'AdultRegistrationSubmitted',
    (r) => (r.form01.mediaType = 'application/vnd.ms-excel+xml'),
    [],
  ],
  [
    'adult idCopy checked too',
    'AdultRegistrationSubmitted',
    (r) => (
      (r.idCopy.uri = ''),
      (r.idCopy.sha256 = 'x'),
      (r.idCopy.sizeBytes = -1),
      (r.idCopy.mediaType = 'x')
    ),
    [
      ['idCopy.uri', 'EMPTY', EMPTY],
      ['idCopy.sha256', 'INVALID_FORMAT', 'is not a SHA-256 (64 hex digits)'],
      ['idCopy.sizeBytes', 'OUT_OF_RANGE', SIZE],
      ['idCopy.mediaType', 'INVALID_FORMAT', 'is not a media type'],
    ],
  ],
  [
    'adult phone with letters',
    'AdultRegistrationSubmitted',
    (r) => (r.phone = '0912 ABC 678'),
    [['phone', 'INVALID_FORMAT', 'is not a phone number']],
  ],
  [
    'adult phone of 7 digits',
    'AdultRegistrationSubmitted',
    (r) => (r.phone = '1234567'),
    [['phone', 'INVALID_FORMAT', 'is not a phone number']],
  ],
  ['adult phone of 8 digits', 'AdultRegistrationSubmitted', (r) => (r.phone = '12345678'), []],
  [
    'adult phone of 15 digits with punctuation',
    'AdultRegistrationSubmitted',
    (r) => (r.phone = '+(84) 912.345-678 901 2'),
    [],
  ],
  [
    'adult phone of 16 digits',
    'AdultRegistrationSubmitted',
    (r) => (r.phone = '1234567890123456'),
    [['phone', 'INVALID_FORMAT', 'is not a phone number']],
  ],
  [
    'adult phone with a plus inside',
    'AdultRegistrationSubmitted',
    (r) => (r.phone = '0912+345678'),
    [['phone', 'INVALID_FORMAT', 'is not a phone number']],
  ],
  [
    'adult email without a dot in the domain',
    'AdultRegistrationSubmitted',
    (r) => (r.email = 'loc@example'),
    [['email', 'INVALID_FORMAT', 'is not an e-mail address']],
  ],
  [
    'adult email with a space',
    'AdultRegistrationSubmitted',
    (r) => (r.email = 'loc dang@example.vn'),
    [['email', 'INVALID_FORMAT', 'is not an e-mail address']],
  ],
  [
    'adult email with text around',
    'AdultRegistrationSubmitted',
    (r) => (r.email = 'x @a.b y'),
    [['email', 'INVALID_FORMAT', 'is not an e-mail address']],
  ],
  ['adult no phone nor email', 'AdultRegistrationSubmitted', (r) => ((r.phone = null), (r.email = null)), []],

  // RegistrationDecision
  ...empty('RegistrationDecision', 'registrationId', (r) => (r.registrationId = '')),
  ...empty('RegistrationDecision', 'sourceEventId', (r) => (r.sourceEventId = '')),
  [
    'decision reasonCodes not a list',
    'RegistrationDecision',
    (r) => (r.reasonCodes = null),
    [['reasonCodes', 'INVALID_FORMAT', 'not a list']],
  ],
  [
    'decision reason code lower case',
    'RegistrationDecision',
    (r) => (r.reasonCodes = ['OK', 'name_mismatch']),
    [['reasonCodes[1]', 'INVALID_FORMAT', REASON]],
  ],
  [
    'decision reason code starting with _',
    'RegistrationDecision',
    (r) => (r.reasonCodes = ['_X']),
    [['reasonCodes[0]', 'INVALID_FORMAT', REASON]],
  ],
  [
    'decision reason code with a trailing space',
    'RegistrationDecision',
    (r) => (r.reasonCodes = ['X ']),
    [['reasonCodes[0]', 'INVALID_FORMAT', REASON]],
  ],
  [
    'decision reason code of every allowed character',
    'RegistrationDecision',
    (r) => (r.reasonCodes = ['A9_.:-Z']),
    [],
  ],
  [
    'decision reason code of 64 characters',
    'RegistrationDecision',
    (r) => (r.reasonCodes = ['R'.repeat(64)]),
    [],
  ],
  [
    'decision reason code of 65 characters',
    'RegistrationDecision',
    (r) => (r.reasonCodes = ['R'.repeat(65)]),
    [['reasonCodes[0]', 'INVALID_FORMAT', REASON]],
  ],
  ['decision 50 reason codes', 'RegistrationDecision', (r) => (r.reasonCodes = Array(50).fill('X')), []],
  [
    'decision 51 reason codes',
    'RegistrationDecision',
    (r) => (r.reasonCodes = [...Array(50).fill('X'), 'bad']),
    [['reasonCodes', 'TOO_LONG', '51 items, at most 50 allowed']],
  ],
  [
    'decision bhxhCode',
    'RegistrationDecision',
    (r) => (r.bhxhCode = '1'),
    [['bhxhCode', 'INVALID_FORMAT', BHXH]],
  ],
  ...empty('RegistrationDecision', 'caseId', (r) => (r.caseId = '')),
  ...empty('RegistrationDecision', 'operator', (r) => (r.operator = '')),

  // CodeMapping
  ...empty('CodeMapping', 'requestId', (r) => (r.requestId = '')),
  ...empty('CodeMapping', 'sourceEventId', (r) => (r.sourceEventId = '')),
  ['mapping bqpCode', 'CodeMapping', (r) => (r.bqpCode = '1'), [['bqpCode', 'INVALID_FORMAT', BHXH]]],
  ...empty('CodeMapping', 'memberId', (r) => (r.memberId = '')),
  [
    'mapping householdCode',
    'CodeMapping',
    (r) => (r.householdCode = '1'),
    [['householdCode', 'INVALID_FORMAT', HOUSEHOLD]],
  ],
  [
    'mapping previousCode',
    'CodeMapping',
    (r) => (r.previousCode = '1'),
    [['previousCode', 'INVALID_FORMAT', BHXH]],
  ],
  [
    'mapping score NaN',
    'CodeMapping',
    (r) => (r.score = NaN),
    [['score', 'INVALID_FORMAT', 'not a finite number']],
  ],
  [
    'mapping score a string',
    'CodeMapping',
    (r) => (r.score = '1'),
    [['score', 'INVALID_FORMAT', 'not a finite number']],
  ],
  ['mapping score absent', 'CodeMapping', (r) => (r.score = null), []],
  ...empty('CodeMapping', 'operator', (r) => (r.operator = '')),
  ...empty('CodeMapping', 'caseId', (r) => (r.caseId = '')),
  [
    'mapping reasonCodes',
    'CodeMapping',
    (r) => (r.reasonCodes = ['a']),
    [['reasonCodes[0]', 'INVALID_FORMAT', REASON]],
  ],

  // ReviewCase
  ...empty('ReviewCase', 'caseId', (r) => (r.caseId = '')),
  ...empty('ReviewCase', 'subjectId', (r) => (r.subjectId = '')),
  [
    'review reasonCodes',
    'ReviewCase',
    (r) => (r.reasonCodes = ['a']),
    [['reasonCodes[0]', 'INVALID_FORMAT', REASON]],
  ],
  [
    'review candidate of the second row',
    'ReviewCase',
    (r) => (r.candidates[1] = { memberId: '', householdCode: '1', score: Infinity }),
    [
      ['candidates[1].memberId', 'EMPTY', EMPTY],
      ['candidates[1].householdCode', 'INVALID_FORMAT', HOUSEHOLD],
      ['candidates[1].score', 'INVALID_FORMAT', 'not a finite number'],
    ],
  ],
  ['review no candidates', 'ReviewCase', (r) => (r.candidates = null), []],

  // DeadLetter
  ...empty('DeadLetter', 'sourceTopic', (r) => (r.sourceTopic = '')),
  [
    'dead letter partition -1',
    'DeadLetter',
    (r) => (r.sourcePartition = -1),
    [['sourcePartition', 'OUT_OF_RANGE', 'must be ≥ 0']],
  ],
  [
    'dead letter partition 1.5',
    'DeadLetter',
    (r) => (r.sourcePartition = 1.5),
    [['sourcePartition', 'OUT_OF_RANGE', 'must be ≥ 0']],
  ],
  [
    'dead letter partition a string',
    'DeadLetter',
    (r) => (r.sourcePartition = '0'),
    [['sourcePartition', 'OUT_OF_RANGE', 'must be ≥ 0']],
  ],
  [
    'dead letter offset -1',
    'DeadLetter',
    (r) => (r.sourceOffset = -1),
    [['sourceOffset', 'OUT_OF_RANGE', 'must be ≥ 0']],
  ],
  [
    'dead letter offset 0.5',
    'DeadLetter',
    (r) => (r.sourceOffset = 0.5),
    [['sourceOffset', 'OUT_OF_RANGE', 'must be ≥ 0']],
  ],
  [
    'dead letter offset a string',
    'DeadLetter',
    (r) => (r.sourceOffset = '0'),
    [['sourceOffset', 'OUT_OF_RANGE', 'must be ≥ 0']],
  ],
  [
    'dead letter partition and offset 0',
    'DeadLetter',
    (r) => ((r.sourcePartition = 0), (r.sourceOffset = 0)),
    [],
  ],
  ...empty('DeadLetter', 'consumerGroup', (r) => (r.consumerGroup = '')),
  ...empty('DeadLetter', 'errorClass', (r) => (r.errorClass = '')),
  ...empty('DeadLetter', 'errorCode', (r) => (r.errorCode = '')),
  [
    'dead letter 0 attempts',
    'DeadLetter',
    (r) => (r.attempts = 0),
    [['attempts', 'OUT_OF_RANGE', 'must be ≥ 1']],
  ],
  [
    'dead letter 1.5 attempts',
    'DeadLetter',
    (r) => (r.attempts = 1.5),
    [['attempts', 'OUT_OF_RANGE', 'must be ≥ 1']],
  ],
  [
    'dead letter attempts a string',
    'DeadLetter',
    (r) => (r.attempts = '1'),
    [['attempts', 'OUT_OF_RANGE', 'must be ≥ 1']],
  ],
  ['dead letter 1 attempt', 'DeadLetter', (r) => (r.attempts = 1), []],
];

describe('validateRecordDetailed: each rule on its own, with its field, reason code and message', () => {
  it.each(rows)('%s', (_label, schema, edit, expected) => {
    expect(detailed(schema, edit)).toEqual(expected);
  });
});

describe('size limits and control characters (every string of every record)', () => {
  const limit = (field: string, max: number, schema: SchemaName, set: (r: any, v: string) => void): Row[] => [
    [`${field} at ${max}`, schema, (r) => set(r, 'x'.repeat(max)), []],
    [
      `${field} at ${max + 1}`,
      schema,
      (r) => set(r, 'x'.repeat(max + 1)),
      [[field, 'TOO_LONG', `${max + 1} characters, at most ${max} allowed`]],
    ],
  ];
  const sizeRows: Row[] = [
    ...limit('person.fullName', LIMITS.name, 'CodeLookupFailed', (r, v) => (r.person.fullName = v)),
    ...limit('person.fatherName', LIMITS.name, 'CodeLookupFailed', (r, v) => (r.person.fatherName = v)),
    ...limit('person.motherName', LIMITS.name, 'CodeLookupFailed', (r, v) => (r.person.motherName = v)),
    ...limit('form01.uri', LIMITS.uri, 'AdultRegistrationSubmitted', (r, v) => (r.form01.uri = v)),
    ...limit(
      'guardianshipDocumentRef',
      LIMITS.uri,
      'ChildRegistrationSubmitted',
      (r, v) => (r.guardianshipDocumentRef = v),
    ),
    ...limit('evidenceRef', LIMITS.uri, 'CodeMapping', (r, v) => (r.evidenceRef = v)),
    ...limit('note', LIMITS.note, 'ReviewCase', (r, v) => (r.note = v)),
    ...limit('errorMessage', LIMITS.errorMessage, 'DeadLetter', (r, v) => (r.errorMessage = v)),
    ...limit('memberId', LIMITS.string, 'CodeMapping', (r, v) => (r.memberId = v)),
    ...limit('bqpUnit.unitName', LIMITS.string, 'CodeLookupFailed', (r, v) => (r.bqpUnit.unitName = v)),
    [
      '100 headers',
      'DeadLetter',
      (r) => (r.headers = Array.from({ length: 100 }, () => ({ key: 'k', value: null }))),
      [],
    ],
    [
      '101 headers',
      'DeadLetter',
      (r) => (r.headers = Array.from({ length: 101 }, () => ({ key: 'k', value: null }))),
      [['headers', 'TOO_LONG', '101 items, at most 100 allowed']],
    ],
    [
      'a header key with a control character',
      'DeadLetter',
      (r) => (r.headers[1].key = 'a\u0000'),
      [['headers[1].key', 'CONTROL_CHARACTERS', 'contains a control character']],
    ],
    [
      'a header value is bytes, not text',
      'DeadLetter',
      (r) => (r.headers[0].value = Buffer.from([0, 10, 13, 0x7f])),
      [],
    ],
    [
      'the original value is bytes, not text',
      'DeadLetter',
      (r) => (r.originalValue = Buffer.from('\u0000\n')),
      [],
    ],
    [
      'a line feed in a name',
      'CodeLookupFailed',
      (r) => (r.person.fullName = 'Nguyễn\nThị'),
      [['person.fullName', 'CONTROL_CHARACTERS', 'contains a control character']],
    ],
    [
      'a tab in an identifier',
      'CodeMapping',
      (r) => (r.memberId = 'M\t1'),
      [['memberId', 'CONTROL_CHARACTERS', 'contains a control character']],
    ],
    [
      'DEL in an identifier',
      'CodeMapping',
      (r) => (r.memberId = 'M\u007f'),
      [['memberId', 'CONTROL_CHARACTERS', 'contains a control character']],
    ],
    [
      'a C1 control in an identifier',
      'CodeMapping',
      (r) => (r.memberId = 'M\u009f'),
      [['memberId', 'CONTROL_CHARACTERS', 'contains a control character']],
    ],
    [
      'a bidi override in a name',
      'CodeLookupFailed',
      (r) => (r.person.fullName = 'Nguyễn\u202eThị'),
      [['person.fullName', 'CONTROL_CHARACTERS', 'contains a control character']],
    ],
    [
      'a bidi isolate in an identifier',
      'CodeMapping',
      (r) => (r.memberId = '\u2066M'),
      [['memberId', 'CONTROL_CHARACTERS', 'contains a control character']],
    ],
    [
      'a reason code with a control character',
      'CodeMapping',
      (r) => (r.reasonCodes = ['OK\u0001']),
      [
        ['reasonCodes[0]', 'CONTROL_CHARACTERS', 'contains a control character'],
        ['reasonCodes[0]', 'INVALID_FORMAT', REASON],
      ],
    ],
    ['tab, line feed and carriage return in a note', 'ReviewCase', (r) => (r.note = 'a\tb\nc\r\nd'), []],
    ['tab and line feed in an error message', 'DeadLetter', (r) => (r.errorMessage = 'a\tb\nc'), []],
    [
      'line feed in a registration place',
      'ChildRegistrationSubmitted',
      (r) => (r.birthCertificate.registrationPlace = 'UBND\nphường'),
      [],
    ],
    [
      'NUL in a note',
      'ReviewCase',
      (r) => (r.note = 'a\u0000'),
      [['note', 'CONTROL_CHARACTERS', 'contains a control character']],
    ],
    [
      'vertical tab in a note',
      'ReviewCase',
      (r) => (r.note = 'a\u000bb'),
      [['note', 'CONTROL_CHARACTERS', 'contains a control character']],
    ],
    [
      'escape in a note',
      'ReviewCase',
      (r) => (r.note = 'a\u001b[31m'),
      [['note', 'CONTROL_CHARACTERS', 'contains a control character']],
    ],
    [
      'DEL in a note',
      'ReviewCase',
      (r) => (r.note = 'a\u007f'),
      [['note', 'CONTROL_CHARACTERS', 'contains a control character']],
    ],
    [
      'a bidi override in a note',
      'ReviewCase',
      (r) => (r.note = 'a\u202eb'),
      [['note', 'CONTROL_CHARACTERS', 'contains a control character']],
    ],
  ];
  it.each(sizeRows)('%s', (_label, schema, edit, expected) => {
    expect(detailed(schema, edit)).toEqual(expected);
  });

  it('an over-long array is reported once and only its first items are checked', () => {
    const got = detailed('ReviewCase', (r) => {
      r.candidates = Array.from({ length: 60 }, () => ({ memberId: '', householdCode: null, score: 1 }));
    });
    expect(got[0]).toEqual(['candidates', 'TOO_LONG', '60 items, at most 50 allowed']);
    expect(got.filter(([f]) => f.endsWith('.memberId'))).toHaveLength(50);
    expect(got.at(-1)).toEqual(['candidates[49].memberId', 'EMPTY', EMPTY]);
  });

  it('a control character in an array item past the limit is not looked at', () => {
    const got = detailed(
      'RegistrationDecision',
      (r) => (r.reasonCodes = [...Array(50).fill('X'), 'X\u0000']),
    );
    expect(got).toEqual([['reasonCodes', 'TOO_LONG', '51 items, at most 50 allowed']]);
  });
});

describe('records that are not objects', () => {
  it.each([[null], [undefined], ['text'], [[1, 2]], [Buffer.from('{}')], [new Date(0)]])('%s', (record) => {
    expect(validateRecordProblems('DeadLetter', record, NOW)).toEqual([
      { code: 'VALIDATION_FAILED', path: 'record', message: 'not an object' },
    ]);
  });
});

describe('validateRecord and problemCode', () => {
  it('lists each problem as "field: message", in order', () => {
    const r = F.deadLetter();
    expect(validateRecord('DeadLetter', { ...r, sourceTopic: '', attempts: 0 }, NOW)).toEqual([
      'sourceTopic: must not be empty',
      'attempts: must be ≥ 1',
    ]);
  });

  it('uses the current time when none is given', () => {
    const r = F.childRegistrationSubmitted();
    const tomorrowPlusOne = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    expect(validateRecord('ChildRegistrationSubmitted', { ...r, submittedOn: tomorrowPlusOne })).toEqual([
      'submittedOn: is in the future',
    ]);
    expect(
      validateRecordDetailed('ChildRegistrationSubmitted', { ...r, submittedOn: tomorrowPlusOne }),
    ).toEqual([{ field: 'submittedOn', code: 'INVALID_DATE', message: 'is in the future' }]);
  });

  it('the dead-letter reason is the first specific code, else VALIDATION_FAILED', () => {
    const p = (code: Problem['code']): Problem => ({ code, path: 'x', message: 'm' });
    expect(problemCode([])).toBe('VALIDATION_FAILED');
    expect(problemCode([p('VALIDATION_FAILED')])).toBe('VALIDATION_FAILED');
    expect(problemCode([p('VALIDATION_FAILED'), p('IMPOSSIBLE_DATE'), p('CONTROL_CHARACTER')])).toBe(
      'IMPOSSIBLE_DATE',
    );
    expect(problemCode([p('CONTROL_CHARACTER'), p('IMPOSSIBLE_DATE')])).toBe('CONTROL_CHARACTER');
  });
});

describe('validationCode: the reason code `vss-bridge validate` prints', () => {
  const v = (message: string, code: Problem['code'] = 'VALIDATION_FAILED') =>
    validationCode({ code, path: 'f', message });
  it.each([
    ['a control character', 'contains a control character', 'CONTROL_CHARACTER', 'CONTROL_CHARACTERS'],
    ['an impossible date', 'is before 1900', 'IMPOSSIBLE_DATE', 'INVALID_DATE'],
    ['a long string', '513 characters, at most 512 allowed', 'VALIDATION_FAILED', 'TOO_LONG'],
    ['a long list', '51 items, at most 50 allowed', 'VALIDATION_FAILED', 'TOO_LONG'],
    ['an empty field', 'must not be empty', 'VALIDATION_FAILED', 'EMPTY'],
    ['an empty name', 'name must not be empty', 'VALIDATION_FAILED', 'EMPTY'],
    ['a date', 'is not a date that exists (YYYY-MM-DD)', 'VALIDATION_FAILED', 'INVALID_DATE'],
    ['an instant', 'not a valid instant', 'VALIDATION_FAILED', 'INVALID_DATE'],
    ['a precision', 'does not match precision DAY', 'VALIDATION_FAILED', 'INVALID_DATE'],
    ['missing', 'missing', 'VALIDATION_FAILED', 'MISSING'],
    ['missing, with more text', 'missing value', 'VALIDATION_FAILED', 'INVALID'],
    ['not missing at the start', 'is missing', 'VALIDATION_FAILED', 'INVALID'],
    ['a lower bound', 'must be ≥ 0', 'VALIDATION_FAILED', 'OUT_OF_RANGE'],
    ['a size', 'is not a size between 1 byte and 2 bytes', 'VALIDATION_FAILED', 'OUT_OF_RANGE'],
    ['a format', 'is not a UUID', 'VALIDATION_FAILED', 'INVALID_FORMAT'],
    ['a format, short', 'not a list', 'VALIDATION_FAILED', 'INVALID_FORMAT'],
    ['"is not" inside the text', 'this is not a UUID', 'VALIDATION_FAILED', 'INVALID'],
    ['anything else', 'not an object', 'VALIDATION_FAILED', 'INVALID'],
  ] as const)('%s', (_label, message, code, expected) => {
    expect(v(message, code)).toBe(expected);
  });
});
