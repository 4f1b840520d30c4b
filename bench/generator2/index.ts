/**
 * A second, independent generator of synthetic Vietnamese HGD members and declarations, written to evaluate the
 * matcher on data it was not tuned to. It shares nothing with `bench/generator/` (own PRNG, name lists, household
 * model and error model) and is never used to estimate parameters. Its error model leans on what hurts matching:
 *
 * - dates: people born before 1960 are held year-only (50 %) or year-month (15 %) in HGD, those born 1960–1979
 *   year-only (25 %) or year-month (11 %); declarations give a full
 *   date, sometimes a day off, day and month swapped, a year off, or only the year;
 * - absent people: 15 % of declarations, two thirds of them sharing a member's exact, common name, birth year and
 *   province (another day of birth, no ID or another ID);
 * - provinces: households in provinces merged in 2025 often keep their old code in HGD, declarations use the new one;
 * - spelling: ASCII-only declarations (25 %), all caps (20 %), one typo in one name token (6 %), a dropped middle
 *   name (5 %), a name with old-style tone marks;
 * - identifiers: a CCCD on 70 % of adult HGD rows and 85 % of adult declarations (VssID accounts are tied to the
 *   CCCD); the ward on 85 % of declarations (a quarter of absent namesakes live in the member's ward); parents'
 *   names on children's.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { queryToLine } from '../../src/matching/lines.js';
import { mergedProvinces } from '../../src/matching/province.js';
import type { DobPrecision, Gender, MemberRecord, PersonQuery } from '../../src/matching/types.js';

/** mulberry32: a tiny seeded PRNG. */
export class Prng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  p(x: number): boolean {
    return this.next() < x;
  }
  one<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
}

class Weighted<T> {
  private readonly cum: number[] = [];
  private readonly items: T[] = [];
  constructor(pairs: ReadonlyArray<readonly [T, number]>) {
    let c = 0;
    for (const [v, w] of pairs) {
      c += w;
      this.items.push(v);
      this.cum.push(c);
    }
  }
  draw(r: Prng): T {
    const x = r.next() * this.cum[this.cum.length - 1]!;
    let lo = 0;
    let hi = this.cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cum[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo]!;
  }
}

const ranked = (names: string, s = 1.0): Array<readonly [string, number]> =>
  names.split(' ').map((n, i) => [n, 1 / (i + 3) ** s] as const);

const FAMILY = new Weighted<string>([
  ['Nguyễn', 380],
  ['Trần', 110],
  ['Lê', 95],
  ['Phạm', 70],
  ['Hoàng', 30],
  ['Huỳnh', 21],
  ['Phan', 45],
  ['Vũ', 22],
  ['Võ', 17],
  ['Đặng', 21],
  ['Bùi', 20],
  ['Đỗ', 14],
  ['Hồ', 13],
  ['Ngô', 13],
  ['Dương', 10],
  ['Lý', 5],
  ...'Đinh Trương Lâm Mai Tô Cao Hà Tạ Lương Đoàn Trịnh Châu Phùng Quách Kiều Khúc Thái Lưu La Triệu Mạc Tăng Lò Giáp'
    .split(' ')
    .map((n, i) => [n, 8 / (i + 2)] as const),
]);
const MIDDLE_M = new Weighted(
  ranked(
    'Văn Đức Minh Quang Hữu Công Thanh Đình Quốc Ngọc Xuân Tiến Hoàng Anh Trung Bá Mạnh Duy Gia Tuấn',
    1.3,
  ),
);
const MIDDLE_F = new Weighted(
  ranked('Thị Ngọc Thu Thanh Kim Hồng Minh Phương Hoài Bích Mỹ Thùy Diệu Khánh Bảo Tuyết Thúy Hải', 1.6),
);
const GIVEN_M = new Weighted(
  ranked(
    'Hùng Dũng Tuấn Minh Nam Hải Long Sơn Thắng Cường Bình Quang Huy Đức Trung Tùng Phong Hiếu Khánh Thành Việt Tâm ' +
      'Hưng Lâm Vinh Toàn Hoàng Anh Nghĩa Lộc Quân Tài Đạt Khoa Phúc Kiên Thịnh Duy Bảo Khang Nhân Tín Trọng Hậu ' +
      'Thông Chiến Lực Hiển Tú Vũ Hòa Thụy Khôi Luân',
  ),
);
const GIVEN_F = new Weighted(
  ranked(
    'Hương Lan Hoa Linh Trang Hằng Mai Liên Thảo Nga Hà Phương Tuyết Huyền Yến Dung Hạnh Ngọc Anh Thủy Vân Loan ' +
      'Nhung Hiền Giang Oanh Quỳnh Chi My Bích Duyên Ngân Tâm Thu Trinh Xuân Lụa Nhàn Quyên Thoa Vy Huệ Nhi Thơ Diệp ' +
      'Hòa Thúy Khuê Uyên',
  ),
);

const PROVINCES = mergedProvinces().map((p) => ({ code: p.code, old: p.mergedFrom }));
const PROVINCE = new Weighted(
  PROVINCES.map((p) => [p, p.code === '79' ? 7 : p.code === '01' ? 5 : 1 + p.old.length] as const),
);

export interface Gen2Person {
  member: MemberRecord;
  full: { y: number; m: number; d: number };
  name: { family: string; middle: string[]; given: string };
  gender: Gender;
  province: string;
  cccd: string;
  father: string | null;
  mother: string | null;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const days = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
const join = (n: { family: string; middle: string[]; given: string }) =>
  [n.family, ...n.middle, n.given].join(' ');

function nameFor(r: Prng, g: Gender, family: string): { family: string; middle: string[]; given: string } {
  const middle: string[] = [];
  if (!r.p(0.04)) middle.push((g === 'M' ? MIDDLE_M : MIDDLE_F).draw(r));
  if (r.p(0.1)) {
    const second = (g === 'M' ? MIDDLE_M : MIDDLE_F).draw(r);
    if (!middle.includes(second)) middle.push(second);
  }
  return { family, middle, given: (g === 'M' ? GIVEN_M : GIVEN_F).draw(r) };
}

/** HGD members, household by household. */
export function* generateMembers2(seed: number, count: number): Generator<Gen2Person> {
  const r = new Prng(seed);
  let n = 0;
  let h = 0;
  while (n < count) {
    h++;
    const prov = PROVINCE.draw(r);
    // Households of a merged province keep an old code in HGD half of the time (the 2025 merger).
    const written = prov.old.length > 1 && r.p(0.5) ? r.one(prov.old) : prov.code;
    const ward = pad(r.int(0, 29_999), 5);
    const household = `HG${pad(seed % 1000, 3)}${pad(h, 9)}`;
    const headYear = r.int(1935, 2000);
    const fam = FAMILY.draw(r);
    const people: Array<{
      g: Gender;
      name: ReturnType<typeof nameFor>;
      y: number;
      rel: string;
      f: string | null;
      mo: string | null;
    }> = [];
    const head = { g: (r.p(0.75) ? 'M' : 'F') as Gender, y: headYear, rel: 'Chủ hộ' };
    const headName = nameFor(r, head.g, fam);
    people.push({ ...head, name: headName, f: null, mo: null });
    let spouseName: ReturnType<typeof nameFor> | null = null;
    if (r.p(0.8)) {
      const g: Gender = head.g === 'M' ? 'F' : 'M';
      spouseName = nameFor(r, g, FAMILY.draw(r));
      people.push({
        g,
        name: spouseName,
        y: headYear + r.int(-6, 4),
        rel: head.g === 'M' ? 'Vợ' : 'Chồng',
        f: null,
        mo: null,
      });
    }
    const kids = r.int(0, 3);
    for (let k = 0; k < kids; k++) {
      const g: Gender = r.p(0.5) ? 'M' : 'F';
      const y = Math.min(2024, headYear + r.int(20, 40));
      const father = head.g === 'M' ? join(headName) : spouseName ? join(spouseName) : null;
      const mother = head.g === 'F' ? join(headName) : spouseName ? join(spouseName) : null;
      people.push({
        g,
        name: nameFor(r, g, head.g === 'M' || !spouseName ? fam : spouseName.family),
        y,
        rel: 'Con',
        f: father,
        mo: mother,
      });
    }
    if (r.p(0.15)) {
      const g: Gender = r.p(0.6) ? 'F' : 'M';
      people.push({
        g,
        name: nameFor(r, g, r.p(0.5) ? fam : FAMILY.draw(r)),
        y: headYear - r.int(20, 32),
        rel: g === 'F' ? 'Mẹ' : 'Bố',
        f: null,
        mo: null,
      });
    }
    for (const p of people) {
      if (n >= count) return;
      if (p.y < 1920) continue;
      const m = r.int(1, 12);
      const full = { y: p.y, m, d: r.int(1, days(p.y, m)) };
      // HGD precision: before 1980 often year-only or year-month.
      let prec: DobPrecision = 'day';
      if (p.y < 1960) prec = r.p(0.5) ? 'year' : r.p(0.3) ? 'month' : 'day';
      else if (p.y < 1980) prec = r.p(0.25) ? 'year' : r.p(0.15) ? 'month' : 'day';
      else if (r.p(0.03)) prec = 'year';
      const dob =
        prec === 'year'
          ? String(p.y)
          : prec === 'month'
            ? `${p.y}-${pad(m, 2)}`
            : `${p.y}-${pad(m, 2)}-${pad(full.d, 2)}`;
      const cccd = `0${prov.code}${(p.y >= 2000 ? 2 : 0) + (p.g === 'F' ? 1 : 0)}${pad(p.y % 100, 2)}${pad(r.int(0, 999_999), 6)}`;
      const adult = 2025 - p.y >= 14;
      n++;
      yield {
        member: {
          memberId: `G2M${pad(seed % 1000, 3)}${pad(n, 9)}`,
          householdCode: household,
          fullName: join(p.name),
          dob,
          dobPrecision: prec,
          gender: p.g,
          idNumber: adult && r.p(0.7) ? cccd : null,
          bhxhCode: null,
          provinceCode: written,
          wardCode: ward,
          fatherName: p.f,
          motherName: p.mo,
          relationToHead: p.rel,
        },
        full,
        name: p.name,
        gender: p.g,
        province: prov.code,
        cccd,
        father: p.f,
        mother: p.mo,
      };
    }
  }
}

export function ascii(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D');
}

function typo(r: Prng, w: string): string {
  const cs = [...w];
  if (cs.length < 3) return w;
  const i = r.int(1, cs.length - 1);
  const op = r.int(0, 2);
  if (op === 0) cs[i] = r.one([...'aeiouynhmtgc']);
  else if (op === 1) cs.splice(i, 1);
  else if (i + 1 < cs.length) [cs[i], cs[i + 1]] = [cs[i + 1]!, cs[i]!];
  else cs.splice(i, 0, r.one([...'hng']));
  return cs.join('');
}

/** Old-style tone placement on "oa/oe/uy" endings (Hòa → Hoà, Thủy → Thuỷ). */
function oldTone(s: string): string {
  return s
    .normalize('NFD')
    .replace(/([oOuU])([\u0300\u0301\u0303\u0309\u0323])([aeyAEY])(?![\p{L}])/gu, '$1$3$2')
    .normalize('NFC');
}

export interface Truth2 {
  queryId: string;
  memberId: string | null;
  tags: string[];
}

/** Declarations: 85 % of people in HGD (errors as described above), 15 % absent (mostly namesakes). */
export function generateQueries2(
  people: readonly Gen2Person[],
  seed: number,
  count: number,
): { queries: PersonQuery[]; truth: Truth2[] } {
  const r = new Prng(seed);
  const queries: PersonQuery[] = [];
  const truth: Truth2[] = [];
  const used = new Set<number>();
  // Index of common names for absent namesakes: full name → people with it.
  for (let i = 0; i < count; i++) {
    const queryId = `G2Q${pad(i + 1, 8)}`;
    const tags: string[] = [];
    let idx = r.int(0, people.length - 1);
    while (used.has(idx)) idx = (idx + 1) % people.length;
    used.add(idx);
    const p = people[idx]!;
    const absent = r.p(0.15);
    let name = { ...p.name, middle: [...p.name.middle] };
    let full = { ...p.full };
    let gender: Gender | null = p.gender;
    let id: string | null = 2025 - full.y >= 14 && r.p(0.85) ? p.cccd : null;
    let father = p.father;
    let mother = p.mother;
    let ward: string | null = r.p(0.85) ? p.member.wardCode : null;
    if (absent) {
      if (r.p(2 / 3)) {
        // A namesake: same name, birth year, gender and province; another day; another household.
        tags.push('namesake');
        let m = r.int(1, 12);
        let d = r.int(1, days(full.y, m));
        if (m === full.m && d === full.d) [m, d] = [full.m === 12 ? 1 : full.m + 1, 1];
        full = { y: full.y, m, d };
      } else {
        tags.push('absent_other');
        name = nameFor(r, p.gender, FAMILY.draw(r));
        const m = r.int(1, 12);
        full = { y: full.y + r.int(-3, 3), m, d: r.int(1, days(full.y, m)) };
      }
      id = r.p(0.4)
        ? `0${p.province}${r.int(0, 3)}${pad(full.y % 100, 2)}${pad(r.int(0, 999_999), 6)}`
        : null;
      father = r.p(0.3) ? `${name.family} Văn ${GIVEN_M.draw(r)}` : null;
      mother = null;
      // A quarter of namesakes live in the member's own ward (neighbours).
      ward = r.p(0.85) ? (r.p(0.25) ? p.member.wardCode : pad(r.int(0, 29_999), 5)) : null;
    } else {
      const x = r.next();
      if (x < 0.03) {
        tags.push('day_off');
        const dd = full.d + (full.d > 1 && r.p(0.5) ? -1 : 1);
        full.d = Math.min(dd, days(full.y, full.m));
        if (full.d === p.full.d) full.d = full.d - 1;
      } else if (x < 0.05) {
        if (full.d <= 12 && full.d !== full.m) {
          tags.push('swapped');
          [full.m, full.d] = [full.d, full.m];
        }
      } else if (x < 0.08) {
        tags.push('year_off');
        full.y += r.p(0.5) ? 1 : -1;
        full.d = Math.min(full.d, days(full.y, full.m));
      }
      const y = r.next();
      if (y < 0.06) {
        tags.push('typo');
        const which = r.int(0, 2);
        if (which === 0) name.given = typo(r, name.given);
        else if (which === 1 && name.middle.length > 0) name.middle[0] = typo(r, name.middle[0]!);
        else name.family = typo(r, name.family);
      } else if (y < 0.11 && name.middle.length > 0) {
        tags.push('dropped_middle');
        name.middle = name.middle.slice(1);
      }
      if (r.p(0.03)) {
        tags.push('no_gender');
        gender = null;
      }
    }
    let fullName = join(name);
    if (r.p(0.1)) fullName = oldTone(fullName);
    if (r.p(0.25)) {
      tags.push('ascii');
      fullName = ascii(fullName);
    }
    if (r.p(0.2)) {
      tags.push('caps');
      fullName = fullName.toUpperCase();
    }
    const yearOnly = r.p(0.02);
    if (yearOnly) tags.push('declared_year_only');
    const dob = yearOnly ? String(full.y) : `${full.y}-${pad(full.m, 2)}-${pad(full.d, 2)}`;
    const province = r.p(0.05) ? null : p.province;
    if (province === null) tags.push('no_province');
    queries.push({
      queryId,
      fullName,
      dob,
      gender,
      idNumber: id,
      provinceCode: province,
      wardCode: ward,
      fatherName: father && r.p(0.8) ? (tags.includes('ascii') ? ascii(father) : father) : null,
      motherName: mother && r.p(0.8) ? (tags.includes('ascii') ? ascii(mother) : mother) : null,
    });
    truth.push({ queryId, memberId: absent ? null : p.member.memberId, tags });
  }
  return { queries, truth };
}

/** The declarations and their truth as files in `dir` (`queries.jsonl` in the query line format, `truth.jsonl`). */
export function writeQueryFiles(
  dir: string,
  queries: readonly PersonQuery[],
  truth: readonly Truth2[],
): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/queries.jsonl`, queries.map((q) => `${queryToLine(q)}\n`).join(''));
  writeFileSync(
    `${dir}/truth.jsonl`,
    truth
      .map((t) => `${JSON.stringify({ query_id: t.queryId, member_id: t.memberId, tags: t.tags })}\n`)
      .join(''),
  );
}
