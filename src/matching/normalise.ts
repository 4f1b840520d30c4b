/**
 * Text normalisation for Vietnamese personal names (docs/domain.md, "Names").
 *
 * Two forms are produced:
 * - `canonicalName`: NFC, lower case, single spaces, tone marks placed the "new" way (Hoà → Hòa) so the two
 *   accepted placements compare equal while diacritics are kept.
 * - `foldName`: ASCII, lower case, single spaces; every mark stripped and đ/Đ/Ð (U+00D0, the Icelandic Eth typed
 *   by mistake) mapped to d explicitly, because NFD + stripping combining marks does not decompose đ.
 */

const COMBINING_MARKS = /[\u0300-\u036f]/g;
const D_LIKE = /[đĐÐð]/g;
const NON_NAME = /[^\p{L}\p{N}\s'-]/gu;
const SPACES = /[\s\u00a0\u200b]+/g;

/**
 * Old-style tone placement ("Hoà", "Thuỷ", "Thuý") → the placement on the main vowel ("Hòa", "Thủy", "Thúy").
 * Applied after NFC and lower-casing, within a syllable ending in the listed vowel pair.
 */
const TONE_PLACEMENT: { pattern: RegExp; newForm: ReadonlyMap<string, string> } = (() => {
  // For each diphthong oa/oe/uy, the tone sits on the second vowel in the old style, on the first in the new.
  const tones = ['\u0300', '\u0301', '\u0303', '\u0309', '\u0323'];
  const pairs: Array<[string, string]> = [
    ['o', 'a'],
    ['o', 'e'],
    ['u', 'y'],
  ];
  const newForm = new Map<string, string>();
  for (const [first, second] of pairs) {
    for (const t of tones) {
      const oldForm = (first + (second + t).normalize('NFC')).normalize('NFC');
      newForm.set(oldForm, ((first + t).normalize('NFC') + second).normalize('NFC'));
    }
  }
  // One pass over all fifteen old forms (was one regex each): a replacement never makes or breaks another old form
  // (its second vowel carries no tone, and the look-ahead only reads the letter after the pair), so the result is
  // the same. Only when the pair ends the syllable (no final consonant): "hoàng" must not become "hòang".
  return { pattern: new RegExp(`(?:${[...newForm.keys()].join('|')})(?![\\p{L}])`, 'gu'), newForm };
})();

/** NFC, lower case, trimmed, single spaces, punctuation removed. Keeps diacritics. */
export function basicNormalise(input: string): string {
  return input.normalize('NFC').toLowerCase().replace(NON_NAME, ' ').replace(SPACES, ' ').trim();
}

/** NFC + lower case + one tone-mark placement. "HOÀ" and "Hòa" give the same string; "Hoa" stays different. */
export function canonicalName(input: string): string {
  const s = basicNormalise(input).replace(/Ð/g, 'Đ').replace(/ð/g, 'đ');
  return s.replace(TONE_PLACEMENT.pattern, (old) => TONE_PLACEMENT.newForm.get(old)!);
}

/** ASCII fold: strip every mark, đ/Đ/Ð → d, lower case, single spaces. */
export function foldName(input: string): string {
  return input
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .replace(D_LIKE, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9\s'-]/g, ' ')
    .replace(/[-']/g, ' ')
    .replace(SPACES, ' ')
    .trim()
    .split(' ')
    .map(spellingRepresentative)
    .join(' ');
}

/** Splits a folded or canonical full name into family, middle tokens and given name (docs/domain.md order). */
export interface NameParts {
  tokens: string[];
  family: string;
  middle: string[];
  given: string;
}

export function splitName(normalised: string): NameParts {
  const tokens = normalised.split(' ').filter((t) => t.length > 0);
  if (tokens.length === 0) return { tokens, family: '', middle: [], given: '' };
  if (tokens.length === 1) return { tokens, family: '', middle: [], given: tokens[0]! };
  return {
    tokens,
    family: tokens[0]!,
    middle: tokens.slice(1, -1),
    given: tokens[tokens.length - 1]!,
  };
}

/**
 * Regional pairs that are the same family name (docs/domain.md): Hoàng/Huỳnh, Vũ/Võ. Keys are folded tokens; the value is
 * a representative used for comparisons.
 */
const FAMILY_EQUIVALENTS: Readonly<Record<string, string>> = {
  huynh: 'hoang',
  hoang: 'hoang',
  vo: 'vu',
  vu: 'vu',
};

export function familyRepresentative(foldedFamily: string): string {
  return FAMILY_EQUIVALENTS[foldedFamily] ?? foldedFamily;
}

/** Spelling pairs Lý/Lí, Kỳ/Kì, Quý/Quí: final "y" after a consonant-only onset reads as "i". */
export function spellingRepresentative(foldedToken: string): string {
  if (/^(l|k|qu|m|t|h|s|v)y$/.test(foldedToken)) return foldedToken.slice(0, -1) + 'i';
  return foldedToken;
}

/** A person's name prepared once for comparison and blocking. */
export interface PreparedName {
  raw: string;
  canonical: string;
  folded: string;
  parts: NameParts;
  canonicalParts: NameParts;
  /** The folded tokens sorted and joined by spaces: equal for the same name in any order. */
  sortedTokens: string;
}

/**
 * Memo of `prepareName` by raw text. Names repeat a lot (the same full names and parents' names come back as
 * candidates of many queries), and normalisation (NFC/NFD, regexes) was the largest CPU cost of batch matching.
 * Results are frozen and shared, so callers must not mutate them. Bounded: cleared when full.
 */
const NAME_MEMO = new Map<string, PreparedName | null>();
const NAME_MEMO_MAX = 200_000;

function freezeName(n: PreparedName): PreparedName {
  for (const p of [n.parts, n.canonicalParts]) {
    Object.freeze(p.tokens);
    Object.freeze(p.middle);
    Object.freeze(p);
  }
  return Object.freeze(n);
}

export function prepareName(raw: string | null | undefined): PreparedName | null {
  if (raw === null || raw === undefined) return null;
  const hit = NAME_MEMO.get(raw);
  if (hit !== undefined) return hit;
  const prepared = prepareNameUncached(raw);
  if (NAME_MEMO.size >= NAME_MEMO_MAX) NAME_MEMO.clear();
  NAME_MEMO.set(raw, prepared);
  return prepared;
}

function prepareNameUncached(raw: string): PreparedName | null {
  const canonical = canonicalName(raw);
  const folded = foldName(raw);
  if (folded.length === 0) return null;
  const parts = splitName(folded);
  return freezeName({
    raw,
    canonical,
    folded,
    parts,
    canonicalParts: splitName(canonical),
    sortedTokens: [...parts.tokens].sort().join(' '),
  });
}
