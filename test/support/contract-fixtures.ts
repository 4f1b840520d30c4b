/**
 * Valid, realistic records of every contract (Vietnamese names in NFC), for codec and validation tests.
 * Each call returns fresh objects, so a test may mutate its copy.
 */
import type {
  AdultRegistrationSubmitted,
  ChildRegistrationSubmitted,
  CodeLookupFailed,
  CodeMapping,
  DeadLetter,
  RegistrationDecision,
  ReviewCase,
  SchemaTypes,
} from '../../src/contracts/generated.js';

const nfc = (s: string): string => s.normalize('NFC');
const AT = new Date('2025-09-15T03:04:05.678Z');

export function codeLookupFailed(): CodeLookupFailed {
  return {
    eventId: '6f1c2a9e-3b4d-4e5f-8a6b-7c8d9e0f1a2b',
    occurredAt: AT,
    requestId: 'LK-2025-000123',
    person: {
      fullName: nfc('Nguyễn Thị Thuỷ'),
      dateOfBirth: { value: '1987-03', precision: 'MONTH' },
      gender: 'FEMALE',
      idNumber: '001187004512',
      bhxhCode: null,
      provinceCode: '01',
      wardCode: '00004',
      fatherName: nfc('Nguyễn Văn Đức'),
      motherName: nfc('Trần Thị Hoà'),
    },
    bqpCode: '9712345678',
    bqpUnit: { unitCode: 'QK1-E102', unitName: nfc('Trung đoàn 102, Sư đoàn 308') },
    staffRelation: 'SPOUSE',
    staffBqpCode: '9712300011',
  };
}

export function childRegistrationSubmitted(): ChildRegistrationSubmitted {
  return {
    eventId: 'a3bb189e-8bf9-4888-9912-ace4e6543002',
    occurredAt: AT,
    registrationId: 'REG-C-2025-0042',
    submittedOn: '2025-09-15',
    parent: {
      accountId: 'VSSID-ACC-778899',
      fullName: nfc('Phạm Quốc Hùng'),
      dateOfBirth: '1984-11-02',
      idNumber: '079084001234',
      bhxhCode: '7912345678',
      accountStatus: 'APPROVED',
      householdCode: '7900012345',
    },
    relationship: 'FATHER',
    guardianshipDocumentRef: null,
    child: {
      fullName: nfc('Phạm Ngọc Bảo Anh'),
      dateOfBirth: '2016-02-29',
      gender: 'FEMALE',
      bhxhCode: '7923456789',
      personalIdNumber: '079316012345',
      idCardNumber: null,
    },
    birthCertificate: {
      number: '125/2016',
      registrationPlace: nfc('UBND phường Bến Nghé, Quận 1, TP. Hồ Chí Minh'),
      registrationProvinceCode: '79',
      registrationDate: '2016-03-10',
      fullName: nfc('Phạm Ngọc Bảo Anh'),
      dateOfBirth: '2016-02-29',
      gender: 'FEMALE',
      fatherName: nfc('Phạm Quốc Hùng'),
      motherName: nfc('Lê Thị Mỹ Duyên'),
    },
  };
}

export function adultRegistrationSubmitted(): AdultRegistrationSubmitted {
  return {
    eventId: 'c56a4180-65aa-42ec-a945-5fd21dec0538',
    occurredAt: AT,
    registrationId: 'REG-A-2025-0777',
    submittedOn: '2025-09-14',
    person: {
      fullName: nfc('Đặng Hữu Lộc'),
      dateOfBirth: '2008-07-21',
      gender: 'MALE',
      bhxhCode: '0123456789',
      provinceCode: '01',
    },
    idDocument: { kind: 'CCCD', number: '001208012345', issueDate: '2022-08-01' },
    form01: {
      uri: 'archive://2025/09/REG-A-2025-0777/form01.pdf',
      sha256: 'a'.repeat(32) + '0123456789abcdef0123456789ABCDEF',
      sizeBytes: 245_113,
      mediaType: 'application/pdf',
    },
    idCopy: {
      uri: 'archive://2025/09/REG-A-2025-0777/cccd.jpg',
      sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      sizeBytes: 1_048_576,
      mediaType: 'image/jpeg',
    },
    phone: '+84 912 345 678',
    email: 'loc.dang@example.vn',
  };
}

export function registrationDecision(): RegistrationDecision {
  return {
    eventId: '0b8d5f0e-2c1a-5d3e-9f4a-1b2c3d4e5f60',
    occurredAt: AT,
    registrationId: 'REG-C-2025-0042',
    sourceEventId: 'a3bb189e-8bf9-4888-9912-ace4e6543002',
    kind: 'CHILD',
    outcome: 'IN_REVIEW',
    reasonCodes: ['BIRTH_CERTIFICATE_NAME_MISMATCH'],
    bhxhCode: null,
    caseId: 'RC-C-0b8d5f0e2c1a',
    decidedBy: 'AUTO',
    operator: null,
  };
}

export function codeMapping(): CodeMapping {
  return {
    eventId: '9f0e8d7c-6b5a-5493-8271-605f4e3d2c1b',
    occurredAt: AT,
    requestId: 'LK-2025-000123',
    sourceEventId: '6f1c2a9e-3b4d-4e5f-8a6b-7c8d9e0f1a2b',
    outcome: 'MAPPED',
    bqpCode: '9712345678',
    memberId: 'HGD-M-00042',
    householdCode: '0100098765',
    previousCode: '0112233445',
    score: 14.25,
    decidedBy: 'OPERATOR',
    operator: nfc('op.hoang.minh'),
    caseId: 'RC-D-9f0e8d7c6b5a',
    reasonCodes: ['OPERATOR_CONFIRMED'],
    evidenceRef: 'bridge.review_cases/RC-D-9f0e8d7c6b5a',
  };
}

export function reviewCase(): ReviewCase {
  return {
    eventId: '1a2b3c4d-5e6f-5a7b-8c9d-0e1f2a3b4c5d',
    occurredAt: AT,
    caseId: 'RC-D-9f0e8d7c6b5a',
    kind: 'DEFENCE_CODE_MAPPING',
    status: 'OPENED',
    subjectId: 'LK-2025-000123',
    reasonCodes: ['AMBIGUOUS_MATCH'],
    candidates: [
      { memberId: 'HGD-M-00042', householdCode: '0100098765', score: 14.25 },
      { memberId: 'HGD-M-00043', householdCode: null, score: 12.5 },
    ],
    resolution: null,
    resolvedBy: null,
    note: nfc('Hai chị em sinh đôi cùng hộ, cần đối chiếu giấy khai sinh.'),
  };
}

export function deadLetter(): DeadLetter {
  return {
    eventId: '2b3c4d5e-6f70-5182-9394-a5b6c7d8e9f0',
    occurredAt: AT,
    sourceTopic: 'vssid.code-lookup.failed',
    sourcePartition: 0,
    sourceOffset: 1234,
    consumerGroup: 'vss-bridge',
    originalKey: Buffer.from('LK-2025-000123'),
    originalValue: Buffer.from([0x00, 0x00, 0x00, 0x00, 0x07, 0xff]),
    originalValueSize: 6,
    originalValueSha256: '95576025deeef444e04c22bc33b20b3b46b0a372e60b49804079b85ff720c979',
    originalValueTruncated: false,
    headers: [
      { key: 'traceparent', value: Buffer.from('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01') },
      { key: 'empty', value: null },
    ],
    errorClass: 'PermanentError',
    errorCode: 'DECODE_FAILED',
    errorMessage: 'truncated Avro payload',
    attempts: 1,
  };
}

export const FIXTURES: { [K in keyof SchemaTypes]: () => SchemaTypes[K] } = {
  AdultRegistrationSubmitted: adultRegistrationSubmitted,
  ChildRegistrationSubmitted: childRegistrationSubmitted,
  CodeLookupFailed: codeLookupFailed,
  CodeMapping: codeMapping,
  DeadLetter: deadLetter,
  RegistrationDecision: registrationDecision,
  ReviewCase: reviewCase,
};
