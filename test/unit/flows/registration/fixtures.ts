import { randomUUID } from 'node:crypto';
import type {
  AdultRegistrationSubmitted,
  ChildRegistrationSubmitted,
} from '../../../../src/contracts/generated.js';
import { computeNameFrequencies } from '../../../../src/matching/frequencies.js';
import { InMemoryCandidateSource } from '../../../../src/matching/in-memory-source.js';
import { matchPerson } from '../../../../src/matching/match.js';
import { defaultParameters } from '../../../../src/matching/parameters.js';
import type { MemberRecord } from '../../../../src/matching/types.js';
import type { FindPerson } from '../../../../src/ports/hgd.js';

export function member(m: Partial<MemberRecord> & Pick<MemberRecord, 'memberId' | 'fullName'>): MemberRecord {
  return {
    householdCode: null,
    dob: null,
    dobPrecision: 'day',
    gender: null,
    idNumber: null,
    bhxhCode: null,
    provinceCode: '01',
    wardCode: null,
    fatherName: null,
    motherName: null,
    relationToHead: null,
    ...m,
  };
}

/** HGD in memory: the same read ports the composition root wires over Postgres, and the real matching engine. */
export function memoryHgd(members: MemberRecord[]) {
  const source = new InMemoryCandidateSource(members);
  const model = {
    parameters: defaultParameters(),
    frequencies: computeNameFrequencies(members.map((m) => m.fullName)),
  };
  const calls: { householdCode?: string }[] = [];
  const findPerson: FindPerson = (q, options) => {
    calls.push(options ?? {});
    return matchPerson(q, source, model, options ?? {});
  };
  return {
    calls,
    findPerson,
    findMemberByBhxhCode: async (code: string) => members.find((m) => m.bhxhCode === code) ?? null,
    findMembersByIdNumber: async (id: string) => members.filter((m) => m.idNumber === id),
  };
}

export const HOUSEHOLD = '0100000001';

/** A household: father, mother, their son (the child registered), and an unrelated household with twins. */
export const HGD_MEMBERS: MemberRecord[] = [
  member({
    memberId: 'P-1',
    householdCode: HOUSEHOLD,
    fullName: 'Nguyễn Văn Hùng',
    dob: '1985-03-12',
    gender: 'M',
    idNumber: '001085012345',
    bhxhCode: '0112345678',
    relationToHead: 'chủ hộ',
  }),
  member({
    memberId: 'P-2',
    householdCode: HOUSEHOLD,
    fullName: 'Trần Thị Lan',
    dob: '1987-09-01',
    gender: 'F',
    idNumber: '001187004321',
    bhxhCode: '0112345679',
    relationToHead: 'vợ',
  }),
  member({
    memberId: 'C-1',
    householdCode: HOUSEHOLD,
    fullName: 'Nguyễn Minh An',
    dob: '2015-06-10',
    gender: 'M',
    idNumber: '001215000123',
    bhxhCode: '0112345001',
    fatherName: 'Nguyễn Văn Hùng',
    motherName: 'Trần Thị Lan',
    relationToHead: 'con',
  }),
  // Same child data in another household whose record names the mother: linked by parent name, not household.
  member({
    memberId: 'C-2',
    householdCode: '0100000007',
    fullName: 'Phạm Gia Bảo',
    dob: '2012-01-20',
    gender: 'M',
    bhxhCode: '0112345002',
    fatherName: 'Phạm Văn Tú',
    motherName: 'Trần Thị Lan',
    relationToHead: 'con',
  }),
  // A child in HGD with no link at all to the parent.
  member({
    memberId: 'C-3',
    householdCode: '0100000008',
    fullName: 'Đỗ Thu Trang',
    dob: '2016-02-29',
    gender: 'F',
    bhxhCode: '0112345003',
    relationToHead: 'con',
  }),
  // Twins: same name, date and parents.
  member({
    memberId: 'T-1',
    householdCode: '0100000009',
    fullName: 'Lê Thị Hoa',
    dob: '2014-04-04',
    gender: 'F',
    bhxhCode: '0112345011',
    fatherName: 'Lê Văn Sơn',
    motherName: 'Vũ Thị Hà',
  }),
  member({
    memberId: 'T-2',
    householdCode: '0100000009',
    fullName: 'Lê Thị Hoa',
    dob: '2014-04-04',
    gender: 'F',
    bhxhCode: '0112345012',
    fatherName: 'Lê Văn Sơn',
    motherName: 'Vũ Thị Hà',
  }),
  // No BHXH code issued yet.
  member({
    memberId: 'C-4',
    householdCode: HOUSEHOLD,
    fullName: 'Nguyễn Minh Khang',
    dob: '2024-01-05',
    gender: 'M',
    fatherName: 'Nguyễn Văn Hùng',
    motherName: 'Trần Thị Lan',
    relationToHead: 'con',
  }),
  // Adults for rule 4.
  member({
    memberId: 'A-1',
    householdCode: '7900000001',
    fullName: 'Lê Minh Tuấn',
    dob: '1979-11-30',
    gender: 'M',
    idNumber: '079079000111',
    bhxhCode: '7912121212',
    provinceCode: '79',
  }),
  member({
    memberId: 'A-2',
    householdCode: '7900000002',
    fullName: 'Võ Thị Hạnh',
    dob: '2010-02-14',
    gender: 'F',
    idNumber: '079310000222',
    bhxhCode: '7900000555',
    provinceCode: '79',
  }),
  member({
    memberId: 'A-3',
    householdCode: '7900000003',
    fullName: 'Hoàng Văn Nam',
    dob: '1960',
    dobPrecision: 'year',
    gender: 'M',
    idNumber: '123456789',
    bhxhCode: '7900000666',
    provinceCode: '79',
  }),
];

export type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends object ? (T[K] extends Date ? T[K] : DeepPartial<T[K]>) : T[K];
};

export function childEvent(over: DeepPartial<ChildRegistrationSubmitted> = {}): ChildRegistrationSubmitted {
  const base: ChildRegistrationSubmitted = {
    eventId: randomUUID(),
    occurredAt: new Date('2026-03-02T02:00:00Z'),
    registrationId: `REG-C-${randomUUID().slice(0, 8)}`,
    submittedOn: '2026-03-02',
    parent: {
      accountId: 'ACC-1',
      fullName: 'Nguyễn Văn Hùng',
      dateOfBirth: '1985-03-12',
      idNumber: '001085012345',
      bhxhCode: '0112345678',
      accountStatus: 'APPROVED',
      householdCode: HOUSEHOLD,
    },
    relationship: 'FATHER',
    guardianshipDocumentRef: null,
    child: {
      fullName: 'Nguyễn Minh An',
      dateOfBirth: '2015-06-10',
      gender: 'MALE',
      bhxhCode: '0112345001',
      personalIdNumber: '001215000123',
      idCardNumber: null,
    },
    birthCertificate: {
      number: '123/2015',
      registrationPlace: 'UBND phường Hàng Bạc',
      registrationProvinceCode: '01',
      registrationDate: '2015-06-20',
      fullName: 'Nguyễn Minh An',
      dateOfBirth: '2015-06-10',
      gender: 'MALE',
      fatherName: 'Nguyễn Văn Hùng',
      motherName: 'Trần Thị Lan',
    },
  };
  return merge(base, over);
}

export function adultEvent(over: DeepPartial<AdultRegistrationSubmitted> = {}): AdultRegistrationSubmitted {
  const base: AdultRegistrationSubmitted = {
    eventId: randomUUID(),
    occurredAt: new Date('2026-03-02T02:00:00Z'),
    registrationId: `REG-A-${randomUUID().slice(0, 8)}`,
    submittedOn: '2026-03-02',
    person: {
      fullName: 'Lê Minh Tuấn',
      dateOfBirth: '1979-11-30',
      gender: 'MALE',
      bhxhCode: '7912121212',
      provinceCode: '79',
    },
    idDocument: { kind: 'CCCD', number: '079079000111', issueDate: '2021-05-01' },
    form01: {
      uri: 'archive://2026/03/form01.pdf',
      sha256: '0'.repeat(64),
      sizeBytes: 1,
      mediaType: 'application/pdf',
    },
    idCopy: {
      uri: 'archive://2026/03/id.jpg',
      sha256: '1'.repeat(64),
      sizeBytes: 1,
      mediaType: 'image/jpeg',
    },
    phone: null,
    email: null,
  };
  return merge(base, over);
}

function merge<T>(base: T, over: unknown): T {
  if (over === undefined) return base;
  if (over === null || typeof over !== 'object' || over instanceof Date || Array.isArray(over))
    return over as T;
  const out = { ...(base as object) } as Record<string, unknown>;
  for (const [k, v] of Object.entries(over)) out[k] = merge((base as Record<string, unknown>)[k], v);
  return out as T;
}
