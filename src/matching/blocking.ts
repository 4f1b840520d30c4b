import type { PreparedPerson } from './prepare.js';
import type { Gender } from './types.js';

/**
 * Blocking keys (docs/matching.md). A member is stored under every key of `memberBlockingKeys`; a query looks up
 * `queryBlockingKeys`. Every key is built from folded (ASCII) text, so diacritics, case, NFD and tone placement never
 * split a block. Which error each key family tolerates:
 *
 * | key | built from | still finds the person when … |
 * |---|---|---|
 * | `g:` | given name or one-deletion variant · birth year · current province · gender | a typo in the given name (symmetric deletion), a typo / dropped / added family or middle name, old vs new province code, year-only DOB, swapped day/month; queried at year ±1 |
 * | `n:` | family · middle names · given · birth year | the province is missing or differs; queried at year ±1 |
 * | `f:` | family · given · birth year | no province and a dropped or added middle name; queried at year ±1 |
 * | `m:` | middle names · given · birth year | no province and a typo in the family name; queried at year ±1 |
 * | `p:` | family · given · current province | the query has no date of birth |
 * | `d:` | family · full date of birth | a typo in the given name with no or another province; a dropped middle name |
 * | `e:` | given · full date of birth | a typo in the family name with no or another province |
 * | `w:` | full date of birth · ward | a name garbled beyond one typo per token, or written in another order, when the date and ward agree |
 * | `i:` | ID number | anything else, when both sides carry the same ID |
 *
 * `d:`, `e:` and `w:` exist only for full dates; a query looks them up under its date and its swapped day/month. A
 * ward holds some thousands of people, so a `w:` block stays near one member at any HGD size.
 *
 * Unknown years are written as `?` so members without a DOB stay findable. A `g:` key carries the gender: a member
 * whose gender is not recorded is stored under both, and a query without one looks under both. The `g:` family is
 * the one whose blocks grow with the HGD (a common given name, a year, a province), and the gender halves them: at
 * 1M members a third of all candidates were the other gender, found by `g:` alone. A declaration with the wrong
 * gender still finds its person by the other families (exact name, full date, ID number), not by a typo-tolerant
 * `g:` key.
 *
 * `BLOCKING_KEY_SCHEME` numbers this definition; the search index records the scheme it was built with, and
 * matching refuses an index built with another (`hgd import --truncate` or `hgd verify-index --repair` rebuilds it).
 *
 * Parameter estimation (`vss-bridge match estimate`) searches with `estimationBlockingKeys`: the keys that fix at
 * most the names and the birth year (± 1), and the ID number, without `d:`, `e:` and `w:`. A pair found by a full-date
 * key agrees on its date because it was found that way, and the EM, which reads the date as evidence, would take
 * those namesakes-by-date for matches.
 */

export const UNKNOWN_YEAR = '?';

/** The version of the key definitions below; bump it with any change to the keys (and say so in docs/matching.md). */
export const BLOCKING_KEY_SCHEME = 2;

const BOTH_GENDERS: readonly Gender[] = ['M', 'F'];
const ONLY_M: readonly Gender[] = ['M'];
const ONLY_F: readonly Gender[] = ['F'];

/** The genders a `g:` key is written (member) or looked up (query) under: its own, or both when unknown. */
export function gGenders(gender: Gender | null): readonly Gender[] {
  return gender === 'M' ? ONLY_M : gender === 'F' ? ONLY_F : BOTH_GENDERS;
}

/** The token itself and every string obtained by deleting one character (a typo shares at least one of them). */
export function deletionVariants(token: string): string[] {
  const out = new Set<string>([token]);
  if (token.length >= 3) {
    for (let i = 0; i < token.length; i++) out.add(token.slice(0, i) + token.slice(i + 1));
  }
  return [...out];
}

function yearOf(p: PreparedPerson): string {
  return p.dob ? String(p.dob.year) : UNKNOWN_YEAR;
}

export function memberBlockingKeys(p: PreparedPerson): string[] {
  const keys = new Set<string>();
  const parts = p.name?.parts;
  const year = yearOf(p);
  if (parts && parts.given) {
    if (p.province) {
      const genders = gGenders(p.gender);
      for (const v of deletionVariants(parts.given))
        for (const g of genders) keys.add(`g:${v}|${year}|${p.province}|${g}`);
      keys.add(`p:${p.familyKey}|${parts.given}|${p.province}`);
    }
    keys.add(`n:${p.familyKey}|${parts.middle.join(' ')}|${parts.given}|${year}`);
    keys.add(`f:${p.familyKey}|${parts.given}|${year}`);
    keys.add(`m:${parts.middle.join(' ')}|${parts.given}|${year}`);
  }
  for (const date of fullDates(p, false)) addDateKeys(keys, p, date);
  if (p.idNumber) keys.add(`i:${p.idNumber}`);
  return [...keys];
}

/** The full date of birth as text, and (for queries) its swapped day/month when that is a date too. */
function fullDates(p: PreparedPerson, withSwapped: boolean): string[] {
  const d = p.dob;
  if (!d || d.precision !== 'day' || d.month === null || d.day === null) return [];
  const out = [`${d.year}-${d.month}-${d.day}`];
  if (withSwapped && d.day <= 12 && d.day !== d.month) out.push(`${d.year}-${d.day}-${d.month}`);
  return out;
}

function addDateKeys(keys: Set<string>, p: PreparedPerson, date: string): void {
  if (p.ward) keys.add(`w:${date}|${p.ward}`);
  const given = p.name?.parts.given;
  if (!given) return;
  if (p.familyKey) keys.add(`d:${p.familyKey}|${date}`);
  keys.add(`e:${given}|${date}`);
}

export function queryBlockingKeys(p: PreparedPerson, opts: { anyGender?: boolean } = {}): string[] {
  const keys = new Set<string>();
  const parts = p.name?.parts;
  const years = p.dob ? [p.dob.year - 1, p.dob.year, p.dob.year + 1].map(String) : [];
  years.push(UNKNOWN_YEAR);
  if (parts && parts.given) {
    if (p.province) {
      const variants = deletionVariants(parts.given);
      const genders = opts.anyGender ? BOTH_GENDERS : gGenders(p.gender);
      for (const y of years)
        for (const v of variants) for (const g of genders) keys.add(`g:${v}|${y}|${p.province}|${g}`);
      if (!p.dob) keys.add(`p:${p.familyKey}|${parts.given}|${p.province}`);
    }
    for (const y of years) keys.add(`n:${p.familyKey}|${parts.middle.join(' ')}|${parts.given}|${y}`);
    if (!p.province) {
      // Without a province the `g:` keys are unavailable: widen on the other name parts instead.
      for (const y of years) {
        keys.add(`f:${p.familyKey}|${parts.given}|${y}`);
        keys.add(`m:${parts.middle.join(' ')}|${parts.given}|${y}`);
      }
    }
  }
  for (const date of fullDates(p, true)) addDateKeys(keys, p, date);
  if (p.idNumber) keys.add(`i:${p.idNumber}`);
  return [...keys];
}

/** Key families built on the full date of birth (`d:`, `e:`, `w:`). */
export const FULL_DATE_KEY_PREFIXES: readonly string[] = ['d:', 'e:', 'w:'];

/**
 * The keys `vss-bridge match estimate` blocks its unlabelled declarations with: those of `queryBlockingKeys` less the
 * full-date keys, so that every EM pair was found without looking at the date of birth beyond the year (or by the ID
 * number, which makes it the same person); and the `g:` keys of both genders, so that the EM, which reads the
 * gender as evidence, also sees the pairs that disagree on it. See the module comment.
 */
export function estimationBlockingKeys(p: PreparedPerson): string[] {
  return queryBlockingKeys(p, { anyGender: true }).filter(
    (k) => !FULL_DATE_KEY_PREFIXES.some((prefix) => k.startsWith(prefix)),
  );
}
