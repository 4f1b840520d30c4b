import { mergedProvinces } from '../../src/matching/province.js';
import type { DobPrecision, Gender, MemberRecord } from '../../src/matching/types.js';
import { FAMILY_NAMES, FEMALE_GIVEN, FEMALE_MIDDLE, MALE_GIVEN, MALE_MIDDLE } from './names.js';
import { Rng, WeightedPicker, zipf } from './rng.js';

/** A generated person: the HGD row plus the truth the row may have lost (full date, the person's CCCD). */
export interface GeneratedPerson {
  member: MemberRecord;
  trueDob: { year: number; month: number; day: number };
  cccd: string | null;
  /** Canonical (new-style) spelling of the name before HGD storage quirks. */
  trueName: { family: string; middle: string[]; given: string };
  /** Current (post-2025) province. */
  province: string;
}

export interface HgdGenOptions {
  seed: number;
  members: number;
  /** Reference year for ages (default 2025). */
  year?: number;
}

const familyPicker = new WeightedPicker(FAMILY_NAMES);
const maleMiddle = new WeightedPicker(MALE_MIDDLE);
const femaleMiddle = new WeightedPicker(FEMALE_MIDDLE);
const maleGiven = new WeightedPicker(zipf(MALE_GIVEN, 6));
const femaleGiven = new WeightedPicker(zipf(FEMALE_GIVEN, 6));

/** Provinces weighted roughly by population (big cities heavier); each with its pre-2025 codes. */
const PROVINCES = mergedProvinces().map((p) => ({
  code: p.code,
  oldCodes: p.mergedFrom,
  weight: p.code === '79' ? 6 : p.code === '01' ? 4 : 1 + p.mergedFrom.length * 0.6,
}));
const provincePicker = new WeightedPicker(PROVINCES.map((p) => [p, p.weight] as const));

/** Old-style tone placement (Hòa → Hoà, Thủy → Thuỷ) as some HGD rows and declarations write it. */
export function oldStyleTone(name: string): string {
  return name
    .normalize('NFD')
    .replace(/([oO])([\u0300\u0301\u0303\u0309\u0323])([aeAE])(?![\p{L}])/gu, '$1$3$2')
    .replace(/([uU])([\u0300\u0301\u0303\u0309\u0323])([yY])(?![\p{L}])/gu, '$1$3$2')
    .normalize('NFC');
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** A bijection on [0, 10^10): unique, scattered 10-digit codes from a counter. */
function scatter10(i: number, mult: bigint): string {
  return (((BigInt(i) * mult) % 10_000_000_000n) + 0n).toString().padStart(10, '0');
}

export function personName(
  rng: Rng,
  gender: Gender,
  family: string,
): { family: string; middle: string[]; given: string } {
  const middle: string[] = [];
  const r = rng.float();
  if (r > 0.03) middle.push((gender === 'M' ? maleMiddle : femaleMiddle).pick(rng));
  if (r > 0.88) {
    let second = (gender === 'M' ? maleMiddle : femaleMiddle).pick(rng);
    if (second === middle[0]) second = gender === 'M' ? 'Minh' : 'Ngọc';
    if (second !== middle[0]) middle.push(second);
  }
  const given = (gender === 'M' ? maleGiven : femaleGiven).pick(rng);
  return { family, middle, given };
}

export function joinName(n: { family: string; middle: string[]; given: string }): string {
  return [n.family, ...n.middle, n.given].join(' ');
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function randomDate(rng: Rng, year: number): { year: number; month: number; day: number } {
  const month = rng.int(1, 12);
  return { year, month, day: rng.int(1, daysIn(year, month)) };
}

function cccdFor(rng: Rng, birthProvince: string, gender: Gender, year: number): string {
  const century = year >= 2000 ? 2 : 0;
  const g = century + (gender === 'F' ? 1 : 0);
  return `0${birthProvince}${g}${pad(year % 100, 2)}${pad(rng.int(0, 999_999), 6)}`;
}

/**
 * Generates HGD households until `members` rows exist. Households: a head and usually a spouse, children with the
 * parents' names, sometimes a grandparent (older people often have a year-only date), twins (same date), and rare
 * same-name siblings. Province codes are written old-style (pre-2025) on part of the rows.
 */
export function* generateHgd(opts: HgdGenOptions): Generator<GeneratedPerson> {
  const rng = new Rng(opts.seed);
  const refYear = opts.year ?? 2025;
  let produced = 0;
  let yielded = 0;
  let householdIndex = 0;
  const make = (
    h: { code: string; province: (typeof PROVINCES)[number]; provinceWritten: string; ward: string },
    gender: Gender,
    name: { family: string; middle: string[]; given: string },
    dob: { year: number; month: number; day: number },
    relation: string,
    father: string | null,
    mother: string | null,
  ): GeneratedPerson => {
    const age = refYear - dob.year;
    // Older records often hold only the year (or month and year).
    let precision: DobPrecision = 'day';
    if (age >= 60) precision = rng.chance(0.55) ? 'year' : rng.chance(0.2) ? 'month' : 'day';
    else if (age >= 40) precision = rng.chance(0.12) ? 'year' : rng.chance(0.08) ? 'month' : 'day';
    const dobText =
      precision === 'year'
        ? String(dob.year)
        : precision === 'month'
          ? `${dob.year}-${pad(dob.month, 2)}`
          : `${dob.year}-${pad(dob.month, 2)}-${pad(dob.day, 2)}`;
    const birthProvince = rng.chance(0.85) ? h.province.code : rng.pick(PROVINCES).code;
    const hasCccd = age >= 14 ? rng.chance(0.85) : dob.year >= 2016 ? rng.chance(0.7) : rng.chance(0.2);
    const cccd = hasCccd ? cccdFor(rng, birthProvince, gender, dob.year) : null;
    // HGD holds the CCCD, an old 9-digit CMND, or nothing.
    const idOnFile =
      cccd && rng.chance(0.6)
        ? cccd
        : age >= 25 && rng.chance(0.25)
          ? pad(rng.int(10_000_000, 399_999_999), 9)
          : null;
    const written = rng.chance(0.25) ? oldStyleTone(joinName(name)) : joinName(name);
    const idx = produced++;
    return {
      member: {
        memberId: `HGD${pad(idx, 9)}`,
        householdCode: h.code,
        fullName: written,
        dob: dobText,
        dobPrecision: precision,
        gender,
        idNumber: idOnFile,
        bhxhCode: scatter10(idx + 1, 7_777_777_777n),
        provinceCode: h.provinceWritten,
        wardCode: h.ward,
        fatherName: father,
        motherName: mother,
        relationToHead: relation,
      },
      trueDob: dob,
      cccd,
      trueName: name,
      province: h.province.code,
    };
  };

  while (yielded < opts.members) {
    const province = provincePicker.pick(rng);
    const provinceWritten = rng.chance(0.5) ? rng.pick(province.oldCodes) : province.code;
    const h = {
      code: scatter10(++householdIndex, 3_333_333_337n),
      province,
      provinceWritten,
      ward: `${pad(rng.int(0, 99_999), 5)}`,
    };
    const out: GeneratedPerson[] = [];
    const headGender: Gender = rng.chance(0.75) ? 'M' : 'F';
    const headYear = rng.int(refYear - 85, refYear - 20);
    const headFamily = familyPicker.pick(rng);
    const head = personName(rng, headGender, headFamily);
    out.push(make(h, headGender, head, randomDate(rng, headYear), 'chu_ho', null, null));
    let spouse: { family: string; middle: string[]; given: string } | null = null;
    if (rng.chance(0.8)) {
      const g: Gender = headGender === 'M' ? 'F' : 'M';
      spouse = personName(rng, g, familyPicker.pick(rng));
      const y = Math.min(refYear - 18, headYear + rng.int(-6, 6));
      out.push(make(h, g, spouse, randomDate(rng, y), headGender === 'M' ? 'vo' : 'chong', null, null));
    }
    const fatherName = headGender === 'M' ? head : spouse;
    const motherName = headGender === 'F' ? head : spouse;
    const childFamily = fatherName?.family ?? headFamily;
    const nChildren = headYear > refYear - 22 ? 0 : rng.int(0, 4);
    let childYear = headYear + rng.int(20, 30);
    for (let c = 0; c < nChildren && childYear <= refYear; c++) {
      const g: Gender = rng.chance(0.5) ? 'M' : 'F';
      const name = personName(rng, g, childFamily);
      const dob = randomDate(rng, childYear);
      const fn = fatherName ? joinName(fatherName) : null;
      const mn = motherName ? joinName(motherName) : null;
      out.push(make(h, g, name, dob, 'con', fn, mn));
      if (rng.chance(0.02)) {
        // Twins: same date, often the same middle name, a different given name.
        const g2: Gender = rng.chance(0.5) ? g : g === 'M' ? 'F' : 'M';
        const twin = personName(rng, g2, childFamily);
        if (g2 === g) twin.middle = [...name.middle];
        if (twin.given === name.given) twin.given = g2 === 'M' ? 'Bảo' : 'Ngọc';
        out.push(make(h, g2, twin, { ...dob }, 'con', fn, mn));
      } else if (rng.chance(0.005)) {
        // Same-name siblings (a child named after one who died): same name, another year.
        out.push(
          make(
            h,
            g,
            { ...name },
            randomDate(rng, Math.min(refYear, childYear + rng.int(2, 6))),
            'con',
            fn,
            mn,
          ),
        );
      }
      childYear += rng.int(1, 5);
    }
    if (rng.chance(0.15) && headYear > refYear - 60) {
      const g: Gender = rng.chance(0.6) ? 'F' : 'M';
      const gp = personName(rng, g, g === 'M' ? headFamily : familyPicker.pick(rng));
      out.push(
        make(h, g, gp, randomDate(rng, headYear - rng.int(20, 32)), g === 'M' ? 'bo' : 'me', null, null),
      );
    }
    for (const p of out) {
      if (yielded >= opts.members) break;
      yielded++;
      yield p;
    }
  }
}
