import type { MemberRecord, PersonQuery } from '../../src/matching/types.js';

/** A declaration of exactly what HGD holds for a member (the person is present and declared without error). */
export function queryOfMember(m: MemberRecord, queryId = `Q-${m.memberId}`): PersonQuery {
  return {
    queryId,
    fullName: m.fullName,
    dob: m.dob,
    gender: m.gender,
    idNumber: m.idNumber,
    provinceCode: m.provinceCode,
    wardCode: m.wardCode,
    fatherName: m.fatherName,
    motherName: m.motherName,
  };
}
