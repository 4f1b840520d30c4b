import { currentProvinceCode } from '../../src/matching/province.js';
import type { Gender, PersonQuery } from '../../src/matching/types.js';
import { joinName, oldStyleTone, personName, type GeneratedPerson } from './households.js';
import { FEMALE_MIDDLE, MALE_MIDDLE } from './names.js';
import { Rng } from './rng.js';

export interface QueryTruth {
  queryId: string;
  /** The member the query describes, or null for a person who is not in HGD. */
  memberId: string | null;
  /** What was done to the declaration (for error analysis). */
  tags: string[];
}

export interface QueryGenOptions {
  seed: number;
  count: number;
  /** Share of queries for people who are NOT in HGD but resemble someone who is (default 0.1). */
  nonMemberShare?: number;
}

const VOWELS = 'aăâeêioôơuưy';
const LETTERS = 'abcdeghiklmnopqrstuvxy';

/** One keyboard-style slip in a word: substitution, deletion, insertion or transposition. */
export function typo(rng: Rng, word: string): string {
  const chars = [...word.normalize('NFC')];
  if (chars.length < 2) return word + rng.pick([...LETTERS]);
  const i = rng.int(0, chars.length - 1);
  const op = rng.int(0, 3);
  if (op === 0) {
    const isVowel = VOWELS.includes(chars[i]!.normalize('NFD')[0]!.toLowerCase());
    let c = rng.pick([...(isVowel ? VOWELS : LETTERS)]);
    if (c === chars[i]) c = c === 'a' ? 'o' : 'a';
    chars[i] = i === 0 && chars[0] === chars[0]!.toUpperCase() ? c.toUpperCase() : c;
  } else if (op === 1 && chars.length > 2) chars.splice(i, 1);
  else if (op === 2) chars.splice(i + 1, 0, rng.pick([...LETTERS]));
  else if (i + 1 < chars.length) [chars[i], chars[i + 1]] = [chars[i + 1]!, chars[i]!];
  else chars.splice(i, 1);
  return chars.join('');
}

function ascii(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D');
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Surface variants that do not change who the name denotes. */
function surface(rng: Rng, name: string, tags: string[]): string {
  let s = name;
  if (rng.chance(0.15)) {
    s = oldStyleTone(s);
    tags.push('tone_placement');
  }
  if (rng.chance(0.03) && s.includes('Đ')) {
    s = s.replace('Đ', 'Ð');
    tags.push('eth');
  }
  if (rng.chance(0.2)) {
    s = ascii(s);
    tags.push('ascii');
  }
  if (rng.chance(0.15)) {
    s = s.toUpperCase();
    tags.push('upper');
  }
  if (rng.chance(0.1)) {
    s = s.normalize('NFD');
    tags.push('nfd');
  }
  if (rng.chance(0.05)) {
    s = ` ${s.replace(' ', '  ')} `;
    tags.push('spaces');
  }
  return s;
}

function declaredName(rng: Rng, p: GeneratedPerson, tags: string[]): string {
  const n = { family: p.trueName.family, middle: [...p.trueName.middle], given: p.trueName.given };
  const r = rng.float();
  if (r < 0.06 && n.middle.length > 0) {
    n.middle = n.middle.slice(0, -1);
    tags.push('dropped_middle');
  } else if (r < 0.08) {
    const extra = (p.member.gender === 'M' ? MALE_MIDDLE : FEMALE_MIDDLE)[rng.int(0, 5)]![0];
    if (!n.middle.includes(extra)) {
      n.middle.push(extra);
      tags.push('added_middle');
    }
  }
  if (rng.chance(0.1)) {
    const which = rng.int(0, 2);
    if (which === 0) n.family = typo(rng, n.family);
    else if (which === 1 && n.middle.length > 0)
      n.middle[0] = typo(rng, n.middle[0]!)
        .toLowerCase()
        .replace(/^./, (c) => c.toUpperCase());
    else n.given = typo(rng, n.given);
    tags.push(`typo_${['family', 'middle', 'given'][which]}`);
  }
  return surface(rng, joinName(n), tags);
}

function declaredDob(rng: Rng, p: GeneratedPerson, tags: string[]): string | null {
  if (rng.chance(0.02)) {
    tags.push('no_dob');
    return null;
  }
  let { year, month, day } = p.trueDob;
  if (rng.chance(0.04)) {
    year += rng.chance(0.5) ? 1 : -1;
    tags.push('year_off_by_one');
    // eslint-disable-next-line no-dupe-else-if -- a second, independent random draw
  } else if (rng.chance(0.04) && day <= 12 && day !== month) {
    [day, month] = [month, day];
    tags.push('swapped_day_month');
  }
  // Most declarations give the full date; some give only the year, as the older records do.
  if (p.member.dobPrecision === 'year' && rng.chance(0.3)) return String(year);
  return `${year}-${pad(month)}-${pad(day)}`;
}

function declaredProvince(rng: Rng, p: GeneratedPerson, tags: string[]): string | null {
  if (rng.chance(0.04)) {
    tags.push('no_province');
    return null;
  }
  const written = p.member.provinceCode;
  const current = p.province;
  if (
    written !== null &&
    currentProvinceCode(written) === current &&
    written !== current &&
    rng.chance(0.5)
  ) {
    tags.push('new_province_code');
    return current;
  }
  return written;
}

function queryFrom(rng: Rng, p: GeneratedPerson, queryId: string, tags: string[]): PersonQuery {
  const fullName = declaredName(rng, p, tags);
  const dob = declaredDob(rng, p, tags);
  let gender: Gender | null = p.member.gender;
  if (rng.chance(0.03)) {
    gender = null;
    tags.push('no_gender');
  }
  // The declarer gives their CCCD half of the time (HGD may hold it, an old CMND, or nothing).
  const idNumber = p.cccd && rng.chance(0.5) ? p.cccd : null;
  const withParents = p.member.fatherName !== null && rng.chance(0.6);
  const father = withParents && p.member.fatherName ? surface(rng, p.member.fatherName, []) : null;
  const mother = withParents && p.member.motherName ? surface(rng, p.member.motherName, []) : null;
  return {
    queryId,
    fullName,
    dob,
    gender,
    idNumber,
    provinceCode: declaredProvince(rng, p, tags),
    wardCode: declaredWard(rng, p, tags),
    fatherName: father,
    motherName: mother,
  };
}

/** The ward: declared 70 % of the time; one in ten declarers has moved since HGD was updated (another ward). */
function declaredWard(rng: Rng, p: GeneratedPerson, tags: string[]): string | null {
  if (!rng.chance(0.7) || p.member.wardCode === null) return null;
  if (rng.chance(0.1)) {
    tags.push('moved_ward');
    return String(rng.int(0, 99_999)).padStart(5, '0');
  }
  return p.member.wardCode;
}

/** A person who is NOT in HGD but resembles a member: a sibling, a namesake elsewhere in time, or a twin-like. */
function lookalike(rng: Rng, p: GeneratedPerson): { person: GeneratedPerson; tag: string } {
  const kind = rng.int(0, 2);
  const base: GeneratedPerson = structuredClone(p);
  base.cccd = p.cccd ? `${p.cccd.slice(0, 6)}${String(rng.int(0, 999_999)).padStart(6, '0')}` : null;
  if (kind === 0) {
    // Sibling not registered in this HGD: same family and parents, another given name, a few years apart.
    const n = personName(rng, p.member.gender ?? 'M', p.trueName.family);
    if (n.given === p.trueName.given) n.given = p.member.gender === 'F' ? 'Ngọc' : 'Bảo';
    base.trueName = n;
    base.trueDob = { ...p.trueDob, year: p.trueDob.year + (rng.chance(0.5) ? 2 : -2) - rng.int(0, 3) };
    return { person: base, tag: 'lookalike_sibling' };
  }
  if (kind === 1) {
    // Namesake: same name and province, born ≥ 2 years apart, other parents.
    base.trueDob = {
      ...p.trueDob,
      year: p.trueDob.year + (rng.chance(0.5) ? 1 : -1) * rng.int(2, 6),
      month: rng.int(1, 12),
    };
    base.member = { ...base.member, fatherName: null, motherName: null };
    return { person: base, tag: 'lookalike_namesake' };
  }
  // Twin-like: same date and parents, another given name.
  const n = personName(rng, p.member.gender ?? 'F', p.trueName.family);
  n.middle = [...p.trueName.middle];
  if (n.given === p.trueName.given) n.given = p.member.gender === 'F' ? 'Ngọc' : 'Bảo';
  base.trueName = n;
  return { person: base, tag: 'lookalike_twin' };
}

/** Derives queries from generated members (with declaration errors) plus look-alikes of people not in HGD. */
export function generateQueries(
  people: readonly GeneratedPerson[],
  opts: QueryGenOptions,
): { queries: PersonQuery[]; truth: QueryTruth[] } {
  const rng = new Rng(opts.seed ^ 0x5bd1e995);
  const share = opts.nonMemberShare ?? 0.1;
  const queries: PersonQuery[] = [];
  const truth: QueryTruth[] = [];
  for (let i = 0; i < opts.count; i++) {
    const queryId = `Q${String(i + 1).padStart(7, '0')}`;
    const p = people[rng.int(0, people.length - 1)]!;
    const tags: string[] = [];
    if (rng.chance(share)) {
      const { person, tag } = lookalike(rng, p);
      tags.push(tag);
      queries.push(queryFrom(rng, person, queryId, tags));
      truth.push({ queryId, memberId: null, tags });
    } else {
      queries.push(queryFrom(rng, p, queryId, tags));
      truth.push({ queryId, memberId: p.member.memberId, tags });
    }
  }
  return { queries, truth };
}
