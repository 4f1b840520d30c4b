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

/**
 * Normalises a person once. The name is prepared at once (blocking and the first comparisons read it); the other
 * fields when first read: a candidate that the name comparisons already rule out (`scorePairAtLeast`) never parses
 * its date, codes or parents' names, which was most of the CPU of preparing candidates.
 */
export function preparePerson(p: PersonQuery | MemberRecord): PreparedPerson {
  return new LazyPreparedPerson(p);
}

class LazyPreparedPerson implements PreparedPerson {
  readonly name: PreparedName | null;
  readonly familyKey: string;
  private readonly source: PersonQuery | MemberRecord;
  private dobValue: ParsedDob | null | undefined;
  private genderValue: Gender | null | undefined;
  private idValue: string | null | undefined;
  private provinceValue: string | null | undefined;
  private wardValue: string | null | undefined;
  private fatherValue: PreparedName | null | undefined;
  private motherValue: PreparedName | null | undefined;

  constructor(p: PersonQuery | MemberRecord) {
    this.source = p;
    this.name = prepareName(p.fullName);
    this.familyKey = this.name ? familyRepresentative(this.name.parts.family) : '';
  }

  get dob(): ParsedDob | null {
    if (this.dobValue === undefined) {
      const p = this.source;
      this.dobValue = parseDob(p.dob, 'dobPrecision' in p ? p.dobPrecision : null);
    }
    return this.dobValue;
  }

  get gender(): Gender | null {
    if (this.genderValue === undefined) this.genderValue = normaliseGender(this.source.gender);
    return this.genderValue;
  }

  get idNumber(): string | null {
    if (this.idValue === undefined) this.idValue = cleanId(this.source.idNumber);
    return this.idValue;
  }

  get province(): string | null {
    if (this.provinceValue === undefined) this.provinceValue = currentProvinceCode(this.source.provinceCode);
    return this.provinceValue;
  }

  get ward(): string | null {
    if (this.wardValue === undefined) this.wardValue = cleanCode(this.source.wardCode);
    return this.wardValue;
  }

  get father(): PreparedName | null {
    if (this.fatherValue === undefined) this.fatherValue = prepareName(this.source.fatherName);
    return this.fatherValue;
  }

  get mother(): PreparedName | null {
    if (this.motherValue === undefined) this.motherValue = prepareName(this.source.motherName);
    return this.motherValue;
  }
}
