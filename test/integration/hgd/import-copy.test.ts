import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateHgd } from '../../../bench/generator/households.js';
import { importMembers, refreshNameFrequencies } from '../../../connectors/hgd/import.js';
import { memberKeyHashes, sha256 } from '../../../connectors/hgd/import-lines.js';
import { getMember } from '../../../connectors/hgd/repository.js';
import { memberToLine } from '../../../src/matching/lines.js';
import type { MemberRecord } from '../../../src/matching/types.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';

/**
 * `hgd import` through COPY and the staging merge, on the real PostgreSQL: idempotence, rejects, changed members'
 * keys, frequencies, the fresh-load path (indexes built afterwards) against the incremental one, and the progress
 * line of the command.
 */
let db: TestDatabase;
const dir = mkdtempSync(join(tmpdir(), 'hgd-copy-'));
const people = [...generateHgd({ seed: 4711, members: 3000 })].map((p) => p.member);

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await db?.drop();
});

function writeLines(name: string, members: Array<MemberRecord | string>): string {
  const file = join(dir, name);
  writeFileSync(file, `${members.map((m) => (typeof m === 'string' ? m : memberToLine(m))).join('\n')}\n`);
  return file;
}

async function snapshot() {
  const q = async (sql: string) => ((await db.knex.raw(sql)) as { rows: unknown[] }).rows;
  return {
    members: await q('select *, updated_at::text as updated_at from hgd.members order by member_id'),
    households: await q('select * from hgd.households order by household_code'),
    keys: await q('select key_hash::text, member_id from hgd_match.member_keys order by 1, 2'),
    names: await q('select kind, token, count from hgd_match.name_frequencies order by kind, token'),
    totals: await q('select members from hgd_match.frequency_totals'),
  };
}

async function keysOf(memberId: string): Promise<string[]> {
  const r = (await db.knex.raw(
    'select key_hash::text as h from hgd_match.member_keys where member_id = ? order by 1',
    [memberId],
  )) as { rows: Array<{ h: string }> };
  return r.rows.map((x) => x.h);
}

const sorted = (xs: string[]) => [...xs].sort();

describe('hgd import with COPY', () => {
  beforeEach(async () => {
    await db.knex.raw(
      'truncate hgd.members, hgd.households, hgd_match.member_keys, hgd_match.name_frequencies, hgd_match.frequency_totals',
    );
  });

  it('importing the same file twice changes nothing (not even versions, timestamps or keys)', async () => {
    const file = writeLines('same.jsonl', people);
    const first = await importMembers(db.knex, file, { refreshFrequencies: true, workers: 2 });
    expect(first).toMatchObject({ lines: 3000, imported: 3000, inserted: 3000, updated: 0, rejected: 0 });
    expect(first.keys).toBe(people.reduce((n, m) => n + memberKeyHashes(m).length, 0));
    const before = await snapshot();
    expect(before.members).toHaveLength(3000);
    const again = await importMembers(db.knex, file, { refreshFrequencies: true, workers: 2 });
    expect(again).toMatchObject({ imported: 3000, inserted: 0, updated: 0, unchanged: 3000, keys: 0 });
    const after = await snapshot();
    expect(after.members).toEqual(before.members);
    expect(after.households).toEqual(before.households);
    expect(after.keys).toEqual(before.keys);
    expect(after.names).toEqual(before.names);
    expect(after.totals).toEqual(before.totals);
    // The frequencies written from the import's own counts equal a recount of every member.
    await refreshNameFrequencies(db.knex);
    expect((await snapshot()).names).toEqual(before.names);
  });

  it('writes rejects with line number and reason, never a value; the last line for a member wins', async () => {
    const [a, b, c, d] = people;
    await importMembers(db.knex, writeLines('base.jsonl', [a!, b!]), { workers: 0 });
    const badDob = JSON.stringify({
      member_id: 'X1',
      full_name: 'Lê Văn Bình',
      dob: '1990-13-01',
      id_number: '001190001234',
    });
    const lines = [
      c!, // 1
      '{not json', // 2
      badDob, // 3
      { ...d!, bhxhCode: a!.bhxhCode }, // 4: a's code, and a stays as it is → rejected
      { ...c!, fullName: 'Trịnh Văn Cường' }, // 5: replaces line 1
      { ...people[4]!, bhxhCode: '8800000001' }, // 6
      { ...people[5]!, bhxhCode: '8800000001' }, // 7: an earlier line gave this code → rejected
    ];
    const file = writeLines('rejects.jsonl', lines);
    const rejectsPath = join(dir, 'rejects.out.jsonl');
    const s = await importMembers(db.knex, file, { rejectsPath, workers: 2 });
    expect(s).toMatchObject({ lines: 7, rejected: 4, superseded: 1, imported: 2, inserted: 2 });
    const text = readFileSync(rejectsPath, 'utf8');
    const rows = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; memberId: string | null; reason: string; sha256: string });
    const raw = readFileSync(file, 'utf8').split('\n');
    expect(rows.map((r) => r.line)).toEqual([2, 3, 4, 7]);
    for (const r of rows) expect(r.sha256).toBe(sha256(raw[r.line - 1]!));
    expect(rows[1]!.reason).toMatch(/^dob/);
    expect(rows[2]).toMatchObject({
      memberId: d!.memberId,
      reason: expect.stringMatching(/members_bhxh_code_uq/) as unknown,
    });
    expect(rows[3]).toMatchObject({ memberId: people[5]!.memberId });
    for (const m of [a!, c!, d!, people[5]!])
      for (const v of [m.fullName, m.bhxhCode, m.idNumber, m.dob, '8800000001', 'Bình', '001190001234'])
        if (v) expect(text).not.toContain(v);
    expect((await getMember(db.knex, c!.memberId))?.fullName).toBe('Trịnh Văn Cường');
    expect(await getMember(db.knex, d!.memberId)).toBeNull();
    expect((await getMember(db.knex, a!.memberId))?.bhxhCode).toBe(a!.bhxhCode);
    expect((await getMember(db.knex, people[4]!.memberId))?.bhxhCode).toBe('8800000001');
  });

  it('a re-import with a changed member updates its row, version and keys, and nothing else', async () => {
    const file = writeLines('all.jsonl', people);
    await importMembers(db.knex, file, { refreshFrequencies: true, workers: 2 });
    const before = await snapshot();
    const target = people[17]!;
    const changed: MemberRecord = {
      ...target,
      fullName: 'Nguyễn Thị Hằng Nga',
      dob: '1961-02-03',
      dobPrecision: 'day',
    };
    // Two members swap their BHXH codes in the same file: both updates go through.
    const x = people[30]!;
    const y = people[31]!;
    expect(x.bhxhCode && y.bhxhCode).toBeTruthy();
    const file2 = writeLines(
      'changed.jsonl',
      people.map((m) =>
        m === target
          ? changed
          : m === x
            ? { ...x, bhxhCode: y.bhxhCode }
            : m === y
              ? { ...y, bhxhCode: x.bhxhCode }
              : m,
      ),
    );
    const s = await importMembers(db.knex, file2, { refreshFrequencies: true, workers: 2 });
    expect(s).toMatchObject({ imported: 3000, inserted: 0, updated: 3, unchanged: 2997, rejected: 0 });
    const m = await getMember(db.knex, target.memberId);
    expect(m).toMatchObject({ fullName: changed.fullName, dob: '1961-02-03', version: 2 });
    expect(await keysOf(target.memberId)).toEqual(sorted(memberKeyHashes(changed)));
    expect(sorted(memberKeyHashes(changed))).not.toEqual(sorted(memberKeyHashes(target)));
    expect((await getMember(db.knex, x.memberId))?.bhxhCode).toBe(y.bhxhCode);
    expect((await getMember(db.knex, y.memberId))?.bhxhCode).toBe(x.bhxhCode);
    const after = await snapshot();
    const others = (rows: unknown[]) =>
      (rows as Array<{ member_id: string }>).filter(
        (r) => ![target, x, y].some((t) => t.memberId === r.member_id),
      );
    expect(others(after.members)).toEqual(others(before.members));
    expect(others(after.keys)).toEqual(others(before.keys));
    // Frequencies follow the changed name (recounted: HGD held other members before this import).
    const recount = await snapshot();
    await refreshNameFrequencies(db.knex);
    expect((await snapshot()).names).toEqual(recount.names);
    expect(recount.names).not.toEqual(before.names);
  });

  it('the fresh-load path (indexes built afterwards) and the incremental path give the same keys', async () => {
    await importMembers(db.knex, writeLines('first.jsonl', people.slice(0, 1000)), { workers: 1 });
    await importMembers(db.knex, writeLines('rest.jsonl', people.slice(1000)), { workers: 1 });
    const incremental = (await snapshot()).keys;
    const s = await importMembers(db.knex, writeLines('everyone.jsonl', people), {
      truncate: true,
      workers: 2,
    });
    expect(s.inserted).toBe(3000);
    expect((await snapshot()).keys).toEqual(incremental);
    const idx = (await db.knex.raw(
      "select indexname from pg_indexes where schemaname = 'hgd_match' and tablename = 'member_keys' order by 1",
    )) as { rows: Array<{ indexname: string }> };
    expect(idx.rows.map((r) => r.indexname)).toEqual(['member_keys_key_member_uq', 'member_keys_member_idx']);
    // The members' indexes, dropped for the fresh load, are back, the unique BHXH code one included.
    const memberIdx = (await db.knex.raw(
      "select indexdef from pg_indexes where schemaname = 'hgd' and tablename = 'members' order by indexname",
    )) as { rows: Array<{ indexdef: string }> };
    expect(memberIdx.rows.map((r) => r.indexdef.replace(/^.* INDEX (\S+) ON .*$/, '$1'))).toEqual([
      'members_bhxh_code_uq',
      'members_household_idx',
      'members_id_number_idx',
      'members_pkey',
    ]);
    expect(memberIdx.rows[0]!.indexdef).toMatch(/UNIQUE INDEX .* WHERE \(bhxh_code IS NOT NULL\)/);
  });

  it('a fresh load with lines taken out by the checks keeps exactly the keys of the lines kept (COPY FREEZE path)', async () => {
    // Into empty tables, the key rows go straight into the key table while the file is read; lines the merge then
    // takes out (a later line for the same member, a BHXH code an earlier line gave to someone else) must not leave
    // their keys behind. Expected: the keys of the same members imported the incremental way.
    const base = people.slice(0, 2000);
    const renamed = { ...base[10]!, fullName: 'Trịnh Văn Cường', dob: '1971-02-03' };
    const lines: Array<MemberRecord | string> = [
      ...base,
      renamed, // replaces base[10]: its first line's keys must go
      { ...base[20]!, memberId: 'NEW-1', bhxhCode: base[21]!.bhxhCode, fullName: 'Đỗ Thị Hà' }, // code taken: rejected
      { ...base[30]!, bhxhCode: base[31]!.bhxhCode }, // base[30] again, with base[31]'s code: rejected
      '{broken',
    ];
    const s = await importMembers(db.knex, writeLines('fresh-checks.jsonl', lines), {
      workers: 2,
      chunkBytes: 64 * 1024,
      copyBatchChars: 256 * 1024,
    });
    expect(s).toMatchObject({ superseded: 2, imported: 1999, inserted: 1999, rejected: 3 });
    // Superseded: the first lines of base[10] and base[30]; base[30]'s kept line is then rejected by the code check, so
    // base[30] is not imported at all. The incremental path over the same file is the reference.
    const fresh = await snapshot();
    expect(s.keys).toBe(fresh.keys.length);
    await db.knex.raw('truncate hgd.members, hgd.households, hgd_match.member_keys');
    await importMembers(db.knex, writeLines('seed.jsonl', [people[2999]!]), { workers: 0 });
    const inc = await importMembers(db.knex, writeLines('fresh-checks-again.jsonl', lines), { workers: 2 });
    expect(inc).toMatchObject({ superseded: 2, rejected: 3 });
    await db.knex.raw('delete from hgd_match.member_keys where member_id = ?', [people[2999]!.memberId]);
    await db.knex.raw('delete from hgd.members where member_id = ?', [people[2999]!.memberId]);
    const incremental = await snapshot();
    expect(fresh.keys).toEqual(incremental.keys);
    expect(fresh.members.map((m) => (m as { member_id: string }).member_id)).toEqual(
      incremental.members.map((m) => (m as { member_id: string }).member_id),
    );
    expect(await keysOf(base[10]!.memberId)).toEqual(sorted(memberKeyHashes(renamed)));
    expect(await keysOf('NEW-1')).toEqual([]);
  });

  it('with `truncate` (members COPYed straight into hgd.members) the load gives what the staged fresh load gives', async () => {
    // A truncating load COPYs the members into hgd.members while reading, and makes the staging table only when the
    // file repeats a member id or a BHXH code. Reference: the same file loaded into empty tables without `truncate`,
    // which stages every line. Household H's lines disagree on the ward: its first line kept gives it, so in the file
    // with repeats (H's first line superseded) the next one does.
    const base = people.slice(0, 1500);
    const h = base[40]!;
    const first = { ...h, wardCode: '11111' };
    const second = {
      ...base[41]!,
      memberId: 'H-SECOND',
      bhxhCode: null,
      householdCode: h.householdCode,
      wardCode: '22222',
    };
    // H's two lines far apart (other chunks of the file): its first line must win across chunks.
    const clean: Array<MemberRecord | string> = [...base.slice(0, 40), first, ...base.slice(41), second];
    const repeats: Array<MemberRecord | string> = [
      ...clean.slice(0, 700),
      '{broken in the middle',
      '',
      ...clean.slice(700),
      { ...first, wardCode: '33333', householdCode: 'H-ELSEWHERE' }, // supersedes H's first line
      { ...base[50]!, memberId: 'NEW-2', bhxhCode: base[51]!.bhxhCode }, // a code an earlier line holds: rejected
      '{broken',
    ];
    const summary = (x: Awaited<ReturnType<typeof importMembers>>) => {
      const { lines, imported, rejected, superseded, unchanged, inserted, updated, keys } = x;
      return { lines, imported, rejected, superseded, unchanged, inserted, updated, keys };
    };
    const state = async () => {
      const snap = await snapshot();
      return { ...snap, members: snap.members.map((m) => ({ ...(m as object), updated_at: null })) };
    };
    for (const [name, lines] of [
      ['clean', clean],
      ['repeats', repeats],
    ] as const) {
      await db.knex.raw('truncate hgd.members, hgd.households, hgd_match.member_keys');
      const opts = {
        workers: 2,
        chunkBytes: 64 * 1024,
        copyBatchChars: 256 * 1024,
        refreshFrequencies: true,
      };
      const stagedRejects = join(dir, `${name}-staged.rejects.jsonl`);
      const staged = await importMembers(db.knex, writeLines(`${name}.jsonl`, lines), {
        ...opts,
        rejectsPath: stagedRejects,
      });
      const reference = await state();
      const directRejects = join(dir, `${name}-direct.rejects.jsonl`);
      const direct = await importMembers(db.knex, writeLines(`${name}.jsonl`, lines), {
        ...opts,
        truncate: true,
        rejectsPath: directRejects,
      });
      expect(summary(direct)).toEqual(summary(staged));
      expect(await state()).toEqual(reference);
      if (name === 'repeats') {
        expect(direct).toMatchObject({ superseded: 1, rejected: 3, inserted: 1501 });
        expect(readFileSync(directRejects, 'utf8')).toBe(readFileSync(stagedRejects, 'utf8'));
      } else expect(direct).toMatchObject({ superseded: 0, rejected: 0, inserted: 1501 });
      const ward = (await db.knex('hgd.households').where('household_code', h.householdCode).first()) as {
        ward_code: string;
      };
      // Without H's first line, the next line of H gives the ward.
      const next = lines.find(
        (l): l is MemberRecord => typeof l !== 'string' && l !== first && l.householdCode === h.householdCode,
      );
      expect(ward.ward_code).toBe(name === 'clean' ? '11111' : next!.wardCode);
      expect(ward.ward_code).not.toBe(name === 'clean' ? '22222' : '11111');
    }
  });

  it('a fresh load leaves the key table all-visible without a VACUUM (index-only scans skip the heap)', async () => {
    const s = await importMembers(db.knex, writeLines('visible.jsonl', people), {
      workers: 2,
      copyBatchChars: 1 << 20,
    });
    expect(s.keys).toBe(people.reduce((n, m) => n + memberKeyHashes(m).length, 0));
    const r = (await db.knex.raw(
      `select relpages, relallvisible from pg_class where oid = 'hgd_match.member_keys'::regclass`,
    )) as { rows: Array<{ relpages: number; relallvisible: number }> };
    const { relpages, relallvisible } = r.rows[0]!;
    expect(relpages).toBeGreaterThan(50);
    // All but the last page of each COPY batch (a COPY FREEZE marks only pages it started empty).
    expect(relallvisible).toBeGreaterThanOrEqual(relpages - 10);
  });

  it('`vss-bridge hgd import` prints a progress line every few seconds when stderr is not a terminal', async () => {
    // Five copies of the members under other ids (without BHXH codes, which belong to one person): an import long
    // enough for several lines at any speed of the machine.
    const many = [0, 1, 2, 3, 4].flatMap((k) =>
      people.map((m) => ({ ...m, memberId: `${m.memberId}-${k}`, bhxhCode: null })),
    );
    const file = writeLines('cli.jsonl', many);
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const p = spawn(
        process.execPath,
        ['bin/vss-bridge.mjs', 'hgd', 'import', '--file', file, '--truncate', '--progress-every', '0.1'],
        {
          env: { ...process.env, DATABASE_URL: db.url, DATABASE_OWNER_URL: db.ownerUrl },
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let stderr = '';
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      p.on('close', (code) => resolve({ code, stderr }));
    });
    expect(r.code).toBe(0);
    const progress = r.stderr.split('\n').filter((l) => l.startsWith('import: '));
    expect(progress.length).toBeGreaterThanOrEqual(2);
    for (const l of progress)
      expect(l).toMatch(/^import: [a-z -]+; lines [\d,]+, staged [\d,]+ \([\d,]+\/s\), rejected \d+; \d+ s$/);
    expect(r.stderr).not.toContain('\r');
    expect(r.stderr).toMatch(/lines 15000: imported 15000 \(new 15000, updated 0, unchanged 0\), rejected 0/);
    // The CPU line: this process, and the PostgreSQL backend of the test stack (on this machine, so readable).
    const cpu =
      /CPU: node ([\d.]+) s, PostgreSQL ([\d.]+) s \(backend \+ parallel workers\); ([\d.]+) CPU-s, ([\d.]+) CPU-s per million lines/.exec(
        r.stderr,
      );
    expect(cpu).not.toBeNull();
    const [node, postgres, total, perMillion] = cpu!.slice(1).map(Number) as [number, number, number, number];
    expect(node).toBeGreaterThan(0);
    expect(postgres).toBeGreaterThan(0);
    expect(total).toBeCloseTo(node + postgres, 0);
    expect(perMillion).toBeCloseTo((total / 15000) * 1e6, -2);
    for (const m of people.slice(0, 50)) expect(r.stderr).not.toContain(m.fullName);
  }, 120_000);
});
