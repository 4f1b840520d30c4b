/**
 * Field-by-field comparison of a declaration with an HGD record, for the case page, and masking of personal
 * data for the viewer role. Names compare diacritic-insensitively: "Nguyen" vs "Nguyễn" is a spelling variant.
 */
import { canonicalName, foldName } from '../../matching/normalise.js';
import { currentProvinceCode } from '../../matching/province.js';
import type { PersonField, PersonView } from './review-port.js';

/** same: identical; variant: equal once folded (diacritics, tone placement, old/2025 province code, precision);
 *  different; missing: one side has no value. */
export type FieldComparison = 'same' | 'variant' | 'different' | 'missing';

export const COMPARED_FIELDS: PersonField[] = [
  'fullName',
  'dob',
  'gender',
  'idNumber',
  'bhxhCode',
  'householdCode',
  'householdHead',
  'fatherName',
  'motherName',
  'provinceCode',
  'wardCode',
];

const NAME_FIELDS = new Set<PersonField>(['fullName', 'householdHead', 'fatherName', 'motherName']);

export function compareNames(a: string, b: string): FieldComparison {
  if (a.normalize('NFC').trim() === b.normalize('NFC').trim()) return 'same';
  if (canonicalName(a) === canonicalName(b)) return 'variant';
  return foldName(a) === foldName(b) ? 'variant' : 'different';
}

/** Dates of birth at their precision: a declared year that agrees with a full date is a variant, not a match. */
export function compareDob(a: string, b: string): FieldComparison {
  if (a === b) return 'same';
  const n = Math.min(a.length, b.length);
  return a.slice(0, n) === b.slice(0, n) ? 'variant' : 'different';
}

export function compareField(field: PersonField, declared: PersonView, member: PersonView): FieldComparison {
  const a = declared[field];
  const b = member[field];
  if (a === null || a === '' || b === null || b === '') return 'missing';
  if (NAME_FIELDS.has(field)) return compareNames(a, b);
  if (field === 'dob') return compareDob(a, b);
  if (field === 'provinceCode') {
    if (a === b) return 'same';
    return currentProvinceCode(a) !== null && currentProvinceCode(a) === currentProvinceCode(b)
      ? 'variant'
      : 'different';
  }
  return a === b ? 'same' : 'different';
}

export function compareAll(declared: PersonView, member: PersonView): Record<PersonField, FieldComparison> {
  const out = {} as Record<PersonField, FieldComparison>;
  for (const f of COMPARED_FIELDS) out[f] = compareField(f, declared, member);
  return out;
}

const MASK = '•';

/** "Nguyễn Văn Hùng" → "N. V. H." */
export function maskName(s: string | null): string | null {
  if (!s) return s;
  return s
    .normalize('NFC')
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => `${[...w][0]!.toUpperCase()}.`)
    .join(' ');
}

/** Keeps the last `keep` characters: "001085012345" → "•••••••••345". */
export function maskDigits(s: string | null, keep = 3): string | null {
  if (!s) return s;
  return MASK.repeat(Math.max(0, s.length - keep)) + s.slice(-keep);
}

/**
 * What the viewer role sees: initials, the decade of birth (a year-only date of birth is the whole date), the last
 * digits of numbers.
 */
export function maskPerson(p: PersonView): PersonView {
  return {
    ...p,
    fullName: maskName(p.fullName),
    householdHead: maskName(p.householdHead),
    fatherName: maskName(p.fatherName),
    motherName: maskName(p.motherName),
    dob: p.dob ? p.dob.slice(0, 3) + p.dob.slice(3).replace(/\d/g, MASK) : p.dob,
    idNumber: maskDigits(p.idNumber),
    bhxhCode: maskDigits(p.bhxhCode),
    householdCode: maskDigits(p.householdCode),
    wardCode: p.wardCode,
  };
}
