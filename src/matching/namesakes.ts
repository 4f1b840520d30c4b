import type { FieldEvidence, MatchParameters, ComparisonField } from './types.js';

/** Fields that name, date and place a person; ID number and parents' names are what tells namesakes apart. */
const DESCRIPTIVE: ReadonlySet<ComparisonField> = new Set([
  'family_name',
  'middle_name',
  'given_name',
  'dob',
  'gender',
  'province',
  'ward',
]);

/**
 * Expected number of members, other than the true one, who agree with the query at least as well on name, date of
 * birth, gender and place: population × Π u over the agreeing levels of those fields. u is P(level | two different
 * people) — estimated on random pairs of HGD members, and for an exact family or given name the share of HGD members
 * holding that name — so it is read back from each level's weight (weight = log2 m/u, u = m · 2^−weight).
 * Disagreeing levels (weight ≤ 0) do not narrow the count.
 *
 * "Nguyễn Thị Liên" born in 1962 (year only) in one province of an HGD of 1M members gives ≈ 0.5: one namesake is
 * as likely as none, so name, year and province cannot pick the person. With a full date it is ≈ 0.002.
 */
export function expectedNamesakes(
  evidence: readonly FieldEvidence[],
  parameters: MatchParameters,
  population: number,
): number {
  let share = 1;
  for (const e of evidence) {
    if (!DESCRIPTIVE.has(e.field) || !(e.weight > 0)) continue;
    const m = parameters.fields[e.field]?.levels[e.level]?.m;
    if (m === undefined) continue;
    share *= Math.min(1, m * 2 ** -e.weight);
  }
  return Math.max(0, population - 1) * share;
}
