/**
 * Seeded VssID registration events for the demo and benchmarks, derived from a generated HGD: children under 18
 * registered by a parent of their household (with a share of realistic problems: another mother on the birth
 * certificate, a child who is already 19, a guardian, a pending parent account), and 15+ registrations with the
 * archived form 01 scan and ID copy written to the archive (with a share of wrong hashes, missing files and
 * path-traversal references).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type {
  AdultRegistrationSubmitted,
  ChildRegistrationSubmitted,
} from '../../src/contracts/generated.js';
import { deterministicUuid } from '../../src/domain/ids.js';
import { Rng, joinName, type GeneratedPerson } from '../generator/index.js';

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const iso = (d: { year: number; month: number; day: number }) =>
  `${d.year}-${pad(d.month, 2)}-${pad(d.day, 2)}`;
const gender = (g: string | null) =>
  (g === 'M' ? 'MALE' : g === 'F' ? 'FEMALE' : 'UNKNOWN') as 'MALE' | 'FEMALE' | 'UNKNOWN';

function ageOn(dob: { year: number; month: number; day: number }, on: Date): number {
  const y = on.getUTCFullYear();
  const beforeBirthday =
    on.getUTCMonth() + 1 < dob.month || (on.getUTCMonth() + 1 === dob.month && on.getUTCDate() < dob.day);
  return y - dob.year - (beforeBirthday ? 1 : 0);
}

export interface RegistrationScenario {
  child: ChildRegistrationSubmitted[];
  adult: AdultRegistrationSubmitted[];
}

export function buildRegistrationEvents(
  people: readonly GeneratedPerson[],
  opts: { seed: number; children: number; adults: number; archiveDir: string; today?: Date },
): RegistrationScenario {
  const rng = new Rng(opts.seed ^ 0x2f6b3c1d);
  const today = opts.today ?? new Date();
  const submittedOn = today.toISOString().slice(0, 10);
  const byHousehold = new Map<string, GeneratedPerson[]>();
  for (const p of people) {
    const h = p.member.householdCode ?? '';
    const list = byHousehold.get(h) ?? [];
    list.push(p);
    byHousehold.set(h, list);
  }

  const child: ChildRegistrationSubmitted[] = [];
  for (const p of people) {
    if (child.length >= opts.children) break;
    if (p.member.relationToHead !== 'con' || !rng.chance(0.5)) continue;
    const age = ageOn(p.trueDob, today);
    if (age >= 18 && !(age === 19 && rng.chance(0.5))) continue;
    const household = byHousehold.get(p.member.householdCode ?? '') ?? [];
    const parents = household.filter(
      (q) =>
        q.cccd &&
        (joinName(q.trueName) === p.member.fatherName || joinName(q.trueName) === p.member.motherName),
    );
    const parent = parents[0];
    if (!parent) continue;
    const i = child.length;
    const isFather = joinName(parent.trueName) === p.member.fatherName;
    const roll = rng.float();
    const relationship = roll < 0.04 ? 'GUARDIAN' : isFather ? 'FATHER' : 'MOTHER';
    const otherMother = roll >= 0.04 && roll < 0.09;
    const pending = roll >= 0.09 && roll < 0.12;
    child.push({
      eventId: deterministicUuid('demo-child', String(opts.seed), String(i)),
      occurredAt: new Date(),
      registrationId: `REG-C-${opts.seed}-${pad(i, 6)}`,
      submittedOn,
      parent: {
        accountId: `VSSID-${parent.member.memberId}`,
        fullName: joinName(parent.trueName),
        dateOfBirth: iso(parent.trueDob),
        idNumber: parent.cccd!,
        bhxhCode: parent.member.bhxhCode,
        accountStatus: pending ? 'PENDING' : 'APPROVED',
        householdCode: parent.member.householdCode,
      },
      relationship,
      guardianshipDocumentRef: relationship === 'GUARDIAN' ? `QD-GH-${pad(i, 5)}` : null,
      child: {
        fullName: rng.chance(0.2) ? joinName(p.trueName).toUpperCase() : joinName(p.trueName),
        dateOfBirth: iso(p.trueDob),
        gender: gender(p.member.gender),
        bhxhCode: rng.chance(0.6) ? p.member.bhxhCode : null,
        personalIdNumber: p.cccd,
        idCardNumber: null,
      },
      birthCertificate: {
        number: `${pad(rng.int(1, 999), 3)}/${p.trueDob.year}`,
        registrationPlace: 'UBND xã/phường nơi đăng ký khai sinh',
        registrationProvinceCode: p.province,
        registrationDate: iso({ ...p.trueDob, day: Math.min(28, p.trueDob.day + 3) }),
        fullName: joinName(p.trueName),
        dateOfBirth: iso(p.trueDob),
        gender: gender(p.member.gender),
        fatherName: p.member.fatherName,
        motherName: otherMother ? 'Hoàng Thị Khác' : p.member.motherName,
      },
    });
  }

  const adult: AdultRegistrationSubmitted[] = [];
  const doc = (key: string, bytes: Buffer) => {
    const path = join(opts.archiveDir, key);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
    return {
      uri: `archive://${key}`,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      sizeBytes: bytes.length,
      mediaType: '',
    };
  };
  for (const p of people) {
    if (adult.length >= opts.adults) break;
    if (!p.cccd || ageOn(p.trueDob, today) < 15 || !rng.chance(0.3)) continue;
    const i = adult.length;
    const registrationId = `REG-A-${opts.seed}-${pad(i, 6)}`;
    const month = `${today.getUTCFullYear()}/${pad(today.getUTCMonth() + 1, 2)}`;
    const pdf = Buffer.concat([
      Buffer.from('%PDF-1.4\n% tờ khai mẫu 01\n'),
      Buffer.from(rng.int(0, 1e9).toString(36).repeat(40)),
    ]);
    const jpg = Buffer.concat([
      Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
      Buffer.from(rng.int(0, 1e9).toString(36).repeat(60)),
    ]);
    const form01 = { ...doc(`${month}/form01-${registrationId}.pdf`, pdf), mediaType: 'application/pdf' };
    const idCopy = { ...doc(`${month}/id-${registrationId}.jpg`, jpg), mediaType: 'image/jpeg' };
    const roll = rng.float();
    if (roll < 0.04) form01.sha256 = createHash('sha256').update('something else').digest('hex');
    else if (roll < 0.07) idCopy.uri = `archive://${month}/missing-${registrationId}.jpg`;
    else if (roll < 0.09) idCopy.uri = '../../etc/passwd';
    adult.push({
      eventId: deterministicUuid('demo-adult', String(opts.seed), String(i)),
      occurredAt: new Date(),
      registrationId,
      submittedOn,
      person: {
        fullName: rng.chance(0.15) ? joinName(p.trueName).normalize('NFD') : joinName(p.trueName),
        dateOfBirth: iso(p.trueDob),
        gender: gender(p.member.gender),
        bhxhCode: rng.chance(0.5) ? p.member.bhxhCode : null,
        provinceCode: p.province,
      },
      idDocument: { kind: 'CCCD', number: p.cccd, issueDate: `${Math.max(2016, p.trueDob.year + 14)}-07-01` },
      form01,
      idCopy,
      phone: `09${pad(rng.int(0, 99_999_999), 8)}`,
      email: null,
    });
  }
  return { child, adult };
}
