import type { DobPrecision } from './types.js';

/** A date of birth with the precision it was recorded at (docs/domain.md, "Dates of birth"). */
export interface ParsedDob {
  year: number;
  month: number | null;
  day: number | null;
  precision: DobPrecision;
}

const DOB_RE = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$/;
const DMY_RE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

/**
 * Parses "YYYY", "YYYY-MM", "YYYY-MM-DD" (and HGD's "DD/MM/YYYY"). A declared precision coarser than the text wins:
 * HGD stores year-only dates as "01/01/1950" with a flag, and those 01s mean nothing.
 */
export function parseDob(text: string | null | undefined, declared?: DobPrecision | null): ParsedDob | null {
  if (text === null || text === undefined) return null;
  const s = text.trim();
  let year: number;
  let month: number | null = null;
  let day: number | null = null;
  const iso = DOB_RE.exec(s);
  if (iso) {
    year = Number(iso[1]);
    month = iso[2] !== undefined ? Number(iso[2]) : null;
    day = iso[3] !== undefined ? Number(iso[3]) : null;
  } else {
    const dmy = DMY_RE.exec(s);
    if (!dmy) return null;
    day = Number(dmy[1]);
    month = Number(dmy[2]);
    year = Number(dmy[3]);
  }
  if (year < 1850 || year > 2200) return null;
  if (month !== null && (month < 1 || month > 12)) return null;
  if (day !== null && (day < 1 || day > 31)) return null;
  let precision: DobPrecision = day !== null ? 'day' : month !== null ? 'month' : 'year';
  if (declared === 'year' || (declared === 'month' && precision === 'day')) precision = declared;
  if (precision === 'year') {
    month = null;
    day = null;
  } else if (precision === 'month') day = null;
  return { year, month, day, precision };
}

/** Canonical text for a parsed date at its precision. */
export function formatDob(d: ParsedDob): string {
  const mm = String(d.month ?? 1).padStart(2, '0');
  const dd = String(d.day ?? 1).padStart(2, '0');
  if (d.precision === 'year') return String(d.year);
  if (d.precision === 'month') return `${d.year}-${mm}`;
  return `${d.year}-${mm}-${dd}`;
}
