/**
 * Comparisons of a declared identity with a document or an HGD record, shared by the child and adult
 * registration flows. Each answer is a level, not a boolean: the flows turn "clearly different" into a
 * rejection and "probably the same, written differently" into a review (precision first, no silent pass).
 */
import { distance } from 'fastest-levenshtein';
import { parseDob } from '../../matching/dob.js';
import { canonicalName, foldName } from '../../matching/normalise.js';
import type { MemberRecord } from '../../matching/types.js';
import type { AvroGender } from '../shared.js';

/**
 * - `same`: equal after normalisation (NFC, case, spaces, tone placement), or one side is written without
 *   diacritics (ASCII/upper-case data entry) and the letters agree.
 * - `marks_differ`: both sides carry diacritics, the letters agree, the marks do not ("Hòa" vs "Hóa"): a typo or
 *   another name; a human decides.
 * - `similar`: one typo, a dropped/added middle name, or the tokens in another order.
 * - `different`: none of the above.
 */
export type NameAgreement = 'same' | 'marks_differ' | 'similar' | 'different';

const MARKS = /[\u0300-\u036f]/;
const D_STROKE = /[đĐÐð]/;

/** True when the text carries any Vietnamese diacritic (tone or vowel mark, or đ). */
export function hasDiacritics(s: string): boolean {
  return MARKS.test(s.normalize('NFD')) || D_STROKE.test(s);
}

export function compareNames(a: string, b: string): NameAgreement {
  const ca = canonicalName(a);
  const cb = canonicalName(b);
  if (ca === cb && ca !== '') return 'same';
  const fa = foldName(a);
  const fb = foldName(b);
  if (fa === '' || fb === '') return 'different';
  if (fa === fb) return hasDiacritics(a) && hasDiacritics(b) ? 'marks_differ' : 'same';
  const ta = fa.split(' ');
  const tb = fb.split(' ');
  // Another order (passports: NGUYEN NAM VAN), or a middle name dropped or added — family and given kept.
  const sameSet = ta.length === tb.length && [...ta].sort().join(' ') === [...tb].sort().join(' ');
  const shorter = ta.length <= tb.length ? ta : tb;
  const longer = ta.length <= tb.length ? tb : ta;
  const middleDropped =
    shorter.length >= 2 &&
    shorter[0] === longer[0] &&
    shorter[shorter.length - 1] === longer[longer.length - 1] &&
    shorter.every((t) => longer.includes(t));
  if (sameSet || middleDropped) return 'similar';
  // One typo in a short name is still a typo; the given name (last token) must then agree.
  if (distance(fa, fb) <= 1 && ta[ta.length - 1] === tb[tb.length - 1]) return 'similar';
  return 'different';
}

/**
 * - `same`: equal at full precision.
 * - `same_coarse`: the record holds only the year (or month and year) and that part agrees: weaker evidence,
 *   accepted (docs/domain.md, "Dates of birth": compare at the coarser precision).
 * - `unknown`: the record has no usable date.
 * - `different`: disagrees at the precision both hold.
 */
export type DobAgreement = 'same' | 'same_coarse' | 'unknown' | 'different';

export function compareDobWithMember(
  declared: string,
  member: Pick<MemberRecord, 'dob' | 'dobPrecision'>,
): DobAgreement {
  const d = parseDob(declared);
  const m = parseDob(member.dob, member.dobPrecision);
  if (!d || !m) return 'unknown';
  if (d.year !== m.year) return 'different';
  if (m.precision === 'year') return 'same_coarse';
  if (d.month !== m.month) return 'different';
  if (m.precision === 'month') return 'same_coarse';
  return d.day === m.day ? 'same' : 'different';
}

export type GenderAgreement = 'same' | 'unknown' | 'different';

/** Declared (Avro) gender against an HGD record's 'M'/'F'. */
export function compareGenderWithMember(
  declared: AvroGender,
  member: Pick<MemberRecord, 'gender'>,
): GenderAgreement {
  if (declared === 'UNKNOWN' || member.gender === null) return 'unknown';
  return (declared === 'MALE' ? 'M' : 'F') === member.gender ? 'same' : 'different';
}
