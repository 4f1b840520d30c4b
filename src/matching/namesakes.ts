import type { FieldEvidence, MatchParameters, ComparisonField } from './types.js';

/** Fields that name, date and place a person; ID number and parents' names are what tells namesakes apart. */
export const DESCRIPTIVE_FIELDS: ReadonlySet<ComparisonField> = new Set([
  'family_name',
  'middle_name',
  'given_name',
  'dob',
  'gender',
  'province',
  'ward',
]);

/** Probability that two HGD members were born in the same year (Σ over years of the squared share), a default. */
export const DEFAULT_SAME_YEAR_SHARE = 0.016;

/**
 * Share of members whose date is compatible with the query's at the precision the pair was compared at. A date
 * level's u is the joint share of (precision, agreement) over random pairs, which understates how many members a
 * year-only date lets through; here it is conditional on the precision: a birth year lets ~1/80 of members through
 * (the shipped `dobSameYearShare`), a year and month ~1/950, a full date ~1/29,000.
 */
function dateShare(level: string, sameYear: number): number {
  switch (level) {
    case 'exact_day':
    case 'swapped_day_month':
      return sameYear / 365.25;
    case 'year_pm1_same_date':
      return (3 * sameYear) / 365.25;
    case 'exact_month':
      return sameYear / 12;
    case 'exact_year':
    case 'same_year_one_part':
    case 'same_year_only':
      return sameYear;
    case 'year_pm1_year_only':
    case 'year_pm1_other_date':
      return 3 * sameYear;
    default:
      return 1;
  }
}

/**
 * Expected number of members, other than the true one, who agree with the query at least as well on name, date of
 * birth, gender and place: population × Π u over the agreeing levels of those fields. u is P(level | two different
 * people) — estimated on random pairs of HGD members, and for an exact family or given name the share of HGD members
 * holding that name — so it is read back (dates: see `dateShare`) from each level's weight (weight = log2 m/u, u = m · 2^−weight).
 * Disagreeing levels (weight ≤ 0) do not narrow the count.
 *
 * "Nguyễn Thị Liên" born in 1962 (year only) in one province of an HGD of 1M members gives ≈ 0.06 with the shipped
 * parameters; with a full date ≈ 0.0002. The middle name enters at its level's average u, which understates
 * namesakes of the commonest middle names ("Thị", "Văn") by a few times.
 */
export function expectedNamesakes(
  evidence: readonly FieldEvidence[],
  parameters: MatchParameters,
  population: number,
): number {
  let share = 1;
  for (const e of evidence) {
    if (!DESCRIPTIVE_FIELDS.has(e.field) || !(e.weight > 0)) continue;
    if (e.field === 'dob') {
      share *= dateShare(e.level, parameters.dobSameYearShare ?? DEFAULT_SAME_YEAR_SHARE);
      continue;
    }
    const m = parameters.fields[e.field]?.levels[e.level]?.m;
    if (m === undefined) continue;
    share *= Math.min(1, m * 2 ** -e.weight);
  }
  return Math.max(0, population - 1) * share;
}
