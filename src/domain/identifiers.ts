/**
 * Identifier and date formats of docs/domain.md, "Identifier formats". Pure functions, no I/O; used by contract
 * validation and by the flows. Formats only: nothing here decides whether a person is who they claim to be.
 */

export type CccdGender = 'MALE' | 'FEMALE';

export interface ParsedCccd {
  /** 3-digit code of the province of birth registration, 001–096. */
  provinceCode: string;
  gender: CccdGender;
  birthYear: number;
}

const DIGITS_10 = /^\d{10}$/;
const CCCD_RE = /^(\d{3})(\d)(\d{2})\d{6}$/;
const ISO_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Splits a 12-digit CCCD / personal identification number: province (001–096), gender-and-century digit
 * (0/1 = male/female born 1900–1999, 2/3 = 2000–2099, 4/5 = 2100–2199 …), two digits of the birth year, six
 * random digits. There is no check digit, so a well-formed number may still be wrong. Null when malformed.
 */
export function parseCccd(s: string): ParsedCccd | null {
  const m = CCCD_RE.exec(s);
  if (!m) return null;
  const [, province, centuryDigit, yy] = m as unknown as [string, string, string, string];
  const p = Number(province);
  if (p < 1 || p > 96) return null;
  const d = Number(centuryDigit);
  return {
    provinceCode: province,
    gender: d % 2 === 0 ? 'MALE' : 'FEMALE',
    birthYear: 1900 + Math.floor(d / 2) * 100 + Number(yy),
  };
}

/** mã số BHXH: 10 digits, kept as text (Hà Nội codes start with 0). No prefix rule: none is published. */
export function isBhxhCode(s: string): boolean {
  return DIGITS_10.test(s);
}

/** CMND: 9 digits, or 12 digits (issued 2012–2016 in the CCCD layout). */
export function isCmnd(s: string): boolean {
  return /^\d{9}$/.test(s) || /^\d{12}$/.test(s);
}

/** Passport: one capital letter followed by 7 digits (e.g. C1234567). */
export function isPassport(s: string): boolean {
  return /^[A-Z]\d{7}$/.test(s);
}

/** mã hộ gia đình: 10 digits in current data. */
export function isHouseholdCode(s: string): boolean {
  return DIGITS_10.test(s);
}

/** A calendar date 'YYYY-MM-DD' that exists (2024-02-29 yes, 2023-02-29 no), years 0001–9999. */
export function isValidDate(s: string): boolean {
  const m = ISO_DATE_RE.exec(s);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  return y >= 1 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, month: number): number {
  return [31, isLeapYear(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

/** 'YYYY-MM' with a month 01–12. */
export function isValidYearMonth(s: string): boolean {
  const m = /^(\d{4})-(\d{2})$/.exec(s);
  return m !== null && Number(m[1]) >= 1 && Number(m[2]) >= 1 && Number(m[2]) <= 12;
}

/** 'YYYY', year 0001–9999. */
export function isValidYear(s: string): boolean {
  return /^\d{4}$/.test(s) && Number(s) >= 1;
}

/**
 * Age in whole years on `onDate` (both 'YYYY-MM-DD'), as on a birthday calendar: one year older on each
 * anniversary. A 29 February birth turns a year older on 1 March in non-leap years (on 28 February the
 * anniversary has not yet come), which is the common civil reading. Throws on a malformed date; negative
 * when `onDate` precedes the birth.
 */
export function ageOn(dob: string, onDate: string): number {
  if (!isValidDate(dob)) throw new RangeError('date of birth: not a valid date');
  if (!isValidDate(onDate)) throw new RangeError('reference date: not a valid date');
  const [y1, m1, d1] = dob.split('-').map(Number) as [number, number, number];
  const [y2, m2, d2] = onDate.split('-').map(Number) as [number, number, number];
  let age = y2 - y1;
  if (m2 < m1 || (m2 === m1 && d2 < d1)) age -= 1;
  return age;
}

/**
 * Problems (empty when none) between a CCCD and a declared date of birth ('YYYY', 'YYYY-MM' or 'YYYY-MM-DD';
 * only its year is compared) and gender. Null/UNKNOWN inputs are not compared.
 */
export function cccdConsistentWith(
  cccd: string,
  dob: string | null | undefined,
  gender: CccdGender | 'UNKNOWN' | null | undefined,
): string[] {
  const parsed = parseCccd(cccd);
  if (!parsed) return ['not a CCCD number (12 digits, province 001–096)'];
  const problems: string[] = [];
  if (dob) {
    const year = Number(dob.slice(0, 4));
    if (/^\d{4}/.test(dob) && year !== parsed.birthYear) {
      problems.push('the CCCD encodes another birth year than the date of birth');
    }
  }
  if ((gender === 'MALE' || gender === 'FEMALE') && gender !== parsed.gender) {
    problems.push('the CCCD encodes another gender than the one declared');
  }
  return problems;
}
