import type { PreparedName } from './normalise.js';
import type { PreparedPerson } from './prepare.js';
import { isTypo, jaroWinkler, tokenSetSimilarity } from './similarity.js';
import type { ComparisonField, NameFrequencies } from './types.js';

/** What comparisons may consult besides the two records. */
export interface CompareContext {
  frequencies: NameFrequencies;
}

/**
 * Share above which a token counts as a real name. One edit separates many distinct Vietnamese given names
 * (Hùng/Dũng/Hưng, Công/Cường): a "typo" that lands on another real name is weak evidence, one that lands on a
 * non-name is a slip of the keyboard.
 */
const KNOWN_NAME_SHARE = 0.0002;

function isKnownName(table: ReadonlyMap<string, number>, token: string): boolean {
  return (table.get(token) ?? 0) >= KNOWN_NAME_SHARE;
}

/**
 * Per-field comparison levels (Splink-style "comparison levels"). Each function returns the level name; the
 * parameters file gives every level its m and u. `missing` means one side has no value: it carries no evidence.
 */

export type Comparison = {
  field: ComparisonField;
  level: string;
  /** value for term-frequency adjustment */ tfValue?: string;
};

/** Has the raw text any letters outside ASCII (so diacritics were typed)? */
function hasDiacritics(n: PreparedName): boolean {
  return n.canonical !== n.folded;
}

/**
 * Folded tokens equal. When both sides carry diacritics and they differ ("Hùng" vs "Hưng") the names are different
 * names that only fold together: that is weaker evidence ("accent_diff").
 */
function tokenLevel(
  qTok: string,
  mTok: string,
  qCanon: string | undefined,
  mCanon: string | undefined,
  bothAccented: boolean,
): 'exact' | 'accent_diff' | 'typo' | 'different' {
  if (qTok === mTok) {
    if (bothAccented && qCanon !== undefined && mCanon !== undefined && qCanon !== mCanon)
      return 'accent_diff';
    return 'exact';
  }
  return isTypo(qTok, mTok) ? 'typo' : 'different';
}

/** Same multiset of folded name tokens. */
function sameTokens(a: PreparedName, b: PreparedName): boolean {
  return a.parts.tokens.length === b.parts.tokens.length && a.sortedTokens === b.sortedTokens;
}

export function compareFamily(q: PreparedPerson, m: PreparedPerson, ctx?: CompareContext): Comparison {
  const field: ComparisonField = 'family_name';
  if (!q.name || !m.name || !q.name.parts.family || !m.name.parts.family) return { field, level: 'missing' };
  const qf = q.name.parts.family;
  const mf = m.name.parts.family;
  if (qf === mf) return { field, level: 'exact', tfValue: m.familyKey };
  if (q.familyKey === m.familyKey) return { field, level: 'equivalent', tfValue: m.familyKey };
  // The same tokens in another order ("Jassim Rybak" / "Rybak Jassim", a passport's "NGUYEN NAM VAN"): the name is
  // judged once, by the given name's `reordered` level; the family name adds nothing (no weight) and vetoes nothing.
  if (sameTokens(q.name, m.name)) return { field, level: 'reordered' };
  if (!isTypo(qf, mf)) return { field, level: 'different' };
  return {
    field,
    level: ctx && isKnownName(ctx.frequencies.family, q.familyKey) ? 'typo_other_name' : 'typo',
  };
}

export function compareGiven(q: PreparedPerson, m: PreparedPerson, ctx?: CompareContext): Comparison {
  const field: ComparisonField = 'given_name';
  if (!q.name || !m.name || !q.name.parts.given || !m.name.parts.given) return { field, level: 'missing' };
  const bothAccented = hasDiacritics(q.name) && hasDiacritics(m.name);
  const level = tokenLevel(
    q.name.parts.given,
    m.name.parts.given,
    q.name.canonicalParts.given,
    m.name.canonicalParts.given,
    bothAccented,
  );
  // Another order (passports print "NGUYEN NAM VAN"): same multiset of tokens.
  if (level === 'different' && sameTokens(q.name, m.name)) return { field, level: 'reordered' };
  if (level === 'typo' && ctx && isKnownName(ctx.frequencies.given, q.name.parts.given)) {
    return { field, level: 'typo_other_name' };
  }
  // One edit in a 2–3 letter name ("Nam"/"nah") leaves too little of the name to vouch for the person.
  if (level === 'typo' && Math.min(q.name.parts.given.length, m.name.parts.given.length) <= 3) {
    return { field, level: 'typo_short' };
  }
  return level === 'exact' ? { field, level, tfValue: m.name.parts.given } : { field, level };
}

export function compareMiddle(q: PreparedPerson, m: PreparedPerson): Comparison {
  const field: ComparisonField = 'middle_name';
  if (!q.name || !m.name || !q.name.parts.given || !m.name.parts.given) return { field, level: 'missing' };
  const a = q.name.parts.middle;
  const b = m.name.parts.middle;
  const sa = a.join(' ');
  const sb = b.join(' ');
  if (sa === sb) {
    if (a.length === 0) return { field, level: 'both_empty' };
    const bothAccented = hasDiacritics(q.name) && hasDiacritics(m.name);
    if (bothAccented && q.name.canonicalParts.middle.join(' ') !== m.name.canonicalParts.middle.join(' ')) {
      return { field, level: 'accent_diff' };
    }
    return { field, level: 'exact' };
  }
  // A middle name dropped or added between records ("Nguyễn Anh" / "Nguyễn Thị Anh").
  if (a.length !== b.length) {
    const [short, long] = a.length < b.length ? [a, b] : [b, a];
    if (short.every((t) => long.includes(t))) return { field, level: 'dropped_or_added' };
  }
  if (a.length === b.length && a.length > 0) {
    let typos = 0;
    let ok = true;
    for (let i = 0; i < a.length; i++) {
      if (a[i] === b[i]) continue;
      if (isTypo(a[i]!, b[i]!)) typos++;
      else ok = false;
    }
    if (ok && typos === 1) return { field, level: 'typo' };
  }
  if (tokenSetSimilarity(a, b) >= 0.5) return { field, level: 'partial' };
  return { field, level: 'different' };
}

export function compareDob(q: PreparedPerson, m: PreparedPerson): Comparison {
  const field: ComparisonField = 'dob';
  const a = q.dob;
  const b = m.dob;
  if (!a || !b) return { field, level: 'missing' };
  const order = { year: 0, month: 1, day: 2 } as const;
  const coarse = order[a.precision] <= order[b.precision] ? a.precision : b.precision;
  const dy = Math.abs(a.year - b.year);
  const sameMonth = a.month === b.month;
  const sameDay = a.day === b.day;
  if (coarse === 'day') {
    if (dy === 0 && sameMonth && sameDay) return { field, level: 'exact_day' };
    if (dy === 0 && a.day === b.month && a.month === b.day) return { field, level: 'swapped_day_month' };
    if (dy === 1 && sameMonth && sameDay) return { field, level: 'year_pm1_same_date' };
    if (dy === 0 && (sameMonth || sameDay)) return { field, level: 'same_year_one_part' };
    if (dy === 0) return { field, level: 'same_year_only' };
    return { field, level: dy === 1 ? 'year_pm1_other_date' : 'different' };
  }
  if (coarse === 'month') {
    if (dy === 0 && sameMonth) return { field, level: 'exact_month' };
    if (dy === 1 && sameMonth) return { field, level: 'year_pm1_same_date' };
    if (dy === 0) return { field, level: 'same_year_only' };
    return { field, level: dy === 1 ? 'year_pm1_other_date' : 'different' };
  }
  if (dy === 0) return { field, level: 'exact_year' };
  return { field, level: dy === 1 ? 'year_pm1_year_only' : 'different' };
}

export function compareGender(q: PreparedPerson, m: PreparedPerson): Comparison {
  const field: ComparisonField = 'gender';
  if (!q.gender || !m.gender) return { field, level: 'missing' };
  return { field, level: q.gender === m.gender ? 'exact' : 'different' };
}

function compareParent(field: ComparisonField, a: PreparedName | null, b: PreparedName | null): Comparison {
  if (!a || !b) return { field, level: 'missing' };
  if (a.folded === b.folded) return { field, level: 'exact' };
  const givenEqual = a.parts.given === b.parts.given && a.parts.given.length > 0;
  if (givenEqual && a.parts.family === b.parts.family) return { field, level: 'close' };
  if (givenEqual || jaroWinkler(a.folded, b.folded) >= 0.93) return { field, level: 'close' };
  return { field, level: 'different' };
}

export function compareFather(q: PreparedPerson, m: PreparedPerson): Comparison {
  return compareParent('father_name', q.father, m.father);
}

export function compareMother(q: PreparedPerson, m: PreparedPerson): Comparison {
  return compareParent('mother_name', q.mother, m.mother);
}

export function compareIdNumber(q: PreparedPerson, m: PreparedPerson): Comparison {
  const field: ComparisonField = 'id_number';
  if (!q.idNumber || !m.idNumber) return { field, level: 'missing' };
  if (q.idNumber === m.idNumber) return { field, level: 'exact' };
  // A 9-digit CMND against a 12-digit CCCD is two documents of maybe one person, not a contradiction.
  if (q.idNumber.length !== m.idNumber.length) return { field, level: 'different_kind' };
  return { field, level: 'different' };
}

export function compareProvince(q: PreparedPerson, m: PreparedPerson): Comparison {
  const field: ComparisonField = 'province';
  if (!q.province || !m.province) return { field, level: 'missing' };
  return { field, level: q.province === m.province ? 'exact' : 'different' };
}

export function compareWard(q: PreparedPerson, m: PreparedPerson): Comparison {
  const field: ComparisonField = 'ward';
  if (!q.ward || !m.ward) return { field, level: 'missing' };
  return { field, level: q.ward === m.ward ? 'exact' : 'different' };
}

export const COMPARATORS: ReadonlyArray<
  (q: PreparedPerson, m: PreparedPerson, ctx?: CompareContext) => Comparison
> = [
  compareFamily,
  compareMiddle,
  compareGiven,
  compareDob,
  compareGender,
  compareFather,
  compareMother,
  compareIdNumber,
  compareProvince,
  compareWard,
];

export function compareAll(q: PreparedPerson, m: PreparedPerson, ctx?: CompareContext): Comparison[] {
  return COMPARATORS.map((c) => c(q, m, ctx));
}
