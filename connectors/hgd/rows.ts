import { memberToSnakeCase } from '../../src/matching/lines.js';
import type { DobPrecision, Gender, MemberRecord } from '../../src/matching/types.js';

/** Row of `hgd.members` as Postgres returns it. */
export interface MemberRow {
  member_id: string;
  household_code: string | null;
  full_name: string;
  dob: string | null;
  dob_precision: string | null;
  gender: string | null;
  id_number: string | null;
  bhxh_code: string | null;
  province_code: string | null;
  ward_code: string | null;
  father_name: string | null;
  mother_name: string | null;
  relation_to_head: string | null;
  version: number;
}

export const MEMBER_COLUMNS = [
  'member_id',
  'household_code',
  'full_name',
  'dob',
  'dob_precision',
  'gender',
  'id_number',
  'bhxh_code',
  'province_code',
  'ward_code',
  'father_name',
  'mother_name',
  'relation_to_head',
  'version',
] as const;

export function memberFromRow(r: MemberRow): MemberRecord {
  return {
    memberId: r.member_id,
    householdCode: r.household_code,
    fullName: r.full_name,
    dob: r.dob,
    dobPrecision: (r.dob_precision as DobPrecision | null) ?? null,
    gender: (r.gender as Gender | null) ?? null,
    idNumber: r.id_number,
    bhxhCode: r.bhxh_code,
    provinceCode: r.province_code,
    wardCode: r.ward_code,
    fatherName: r.father_name,
    motherName: r.mother_name,
    relationToHead: r.relation_to_head,
    version: r.version,
  };
}

export function memberToRow(m: MemberRecord): Omit<MemberRow, 'version'> {
  return memberToSnakeCase(m);
}
