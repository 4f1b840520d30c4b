import { parseDob, type ParsedDob } from './dob.js';
import { familyRepresentative, prepareName, type PreparedName } from './normalise.js';
import { currentProvinceCode } from './province.js';
import type { Gender, MemberRecord, PersonQuery } from './types.js';

/** A person (query or member) normalised once; comparisons and blocking read only this. */
export interface PreparedPerson {
  name: PreparedName | null;
  /** Folded family name with regional pairs unified (Hoàng/Huỳnh, Vũ/Võ). */
  familyKey: string;
  dob: ParsedDob | null;
  gender: Gender | null;
  idNumber: string | null;
  /** Province code mapped to the post-2025 province. */
  province: string | null;
  ward: string | null;
  father: PreparedName | null;
  mother: PreparedName | null;
}

function cleanId(id: string | null | undefined): string | null {
  if (id === null || id === undefined) return null;
  const s = id.replace(/\s+/g, '').toUpperCase();
  return s.length > 0 ? s : null;
}

function cleanCode(code: string | null | undefined): string | null {
  if (code === null || code === undefined) return null;
  const s = code.trim();
  return s.length > 0 ? s : null;
}

function normaliseGender(g: string | null | undefined): Gender | null {
  if (g === 'M' || g === 'F') return g;
  return null;
}

export function preparePerson(p: PersonQuery | MemberRecord): PreparedPerson {
  const name = prepareName(p.fullName);
  const precision = 'dobPrecision' in p ? p.dobPrecision : null;
  return {
    name,
    familyKey: name ? familyRepresentative(name.parts.family) : '',
    dob: parseDob(p.dob, precision),
    gender: normaliseGender(p.gender),
    idNumber: cleanId(p.idNumber),
    province: currentProvinceCode(p.provinceCode),
    ward: cleanCode(p.wardCode),
    father: prepareName(p.fatherName),
    mother: prepareName(p.motherName),
  };
}
