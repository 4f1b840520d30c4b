import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHgd } from '../../../bench/generator/households.js';
import { verifyIndex } from '../../../connectors/cdc/verify.js';
import { importMembers } from '../../../connectors/hgd/import.js';
import { IndexSchemeError, readIndexScheme } from '../../../connectors/hgd/index-scheme.js';
import { loadMatchModel } from '../../../connectors/hgd/matcher.js';
import { hgdMigrations } from '../../../connectors/hgd/migrations.js';
import { BLOCKING_KEY_SCHEME } from '../../../src/matching/blocking.js';
import { memberToLine, queryToLine } from '../../../src/matching/lines.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { queryOfMember } from '../../support/member-query.js';

/**
 * The search index records the blocking-key scheme it was built with; matching refuses an index of other keys
 * (it would miss people silently), and a full rebuild records the new scheme.
 */
let db: TestDatabase;
const dir = mkdtempSync(join(tmpdir(), 'hgd-scheme-'));
const members = [...generateHgd({ seed: 6061, members: 200 })].map((p) => p.member);
const lines = members.map(memberToLine).join('\n');

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await db?.drop();
});

const setStored = (scheme: number) =>
  db.knex.raw('update hgd_match.index_scheme set blocking_keys = ?', [scheme]);

function matchCli(): { status: number | null; stdout: string; stderr: string } {
  const queries = join(dir, 'queries.jsonl');
  writeFileSync(queries, `${queryToLine(queryOfMember(members[0]!, 'Q1'))}\n`);
  return spawnSync(process.execPath, ['bin/vss-bridge.mjs', 'match', '--file', queries, '--no-evidence'], {
    env: { ...process.env, DATABASE_URL: db.url, HGD_READ_URL: '' },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('blocking-key scheme of the search index', () => {
  it('an empty index takes this version’s scheme; a first import records it and matching accepts it', async () => {
    expect(await readIndexScheme(db.knex)).toEqual({
      stored: BLOCKING_KEY_SCHEME,
      current: BLOCKING_KEY_SCHEME,
      hasKeys: false,
    });
    await importMembers(db.knex, Readable.from([lines]), { refreshFrequencies: true, workers: 0 });
    expect((await readIndexScheme(db.knex)).hasKeys).toBe(true);
    await expect(loadMatchModel(db.knex)).resolves.toBeDefined();
    const r = matchCli();
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('"decision":"match"');
  }, 120_000);

  it('an index of another scheme: matching and a merging import refuse, naming the rebuild and no person', async () => {
    await setStored(BLOCKING_KEY_SCHEME - 1);
    const err = await loadMatchModel(db.knex).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IndexSchemeError);
    expect((err as Error).message).toContain(`scheme ${BLOCKING_KEY_SCHEME - 1}`);
    expect((err as Error).message).toContain('hgd verify-index --repair');

    const r = matchCli();
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('hgd verify-index --repair');
    for (const m of members.slice(0, 20)) {
      expect(r.stderr).not.toContain(m.fullName);
      if (m.idNumber) expect(r.stderr).not.toContain(m.idNumber);
    }

    // A merge would put this version's keys next to the old ones: refused, nothing written.
    const before = await db.knex.raw('select count(*)::int as n from hgd_match.member_keys');
    await expect(importMembers(db.knex, Readable.from([lines]), { workers: 0 })).rejects.toThrow(
      /hgd import refused: .*scheme/,
    );
    const after = await db.knex.raw('select count(*)::int as n from hgd_match.member_keys');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  }, 120_000);

  it('`hgd verify-index --repair` rebuilds the keys and records the scheme; matching works again', async () => {
    // Keys of the old scheme: every member's keys replaced by one foreign hash (as an older version's would differ).
    await db.knex.raw('delete from hgd_match.member_keys');
    await db.knex.raw(
      'insert into hgd_match.member_keys (key_hash, member_id) select 42, member_id from hgd.members',
    );
    const check = await verifyIndex(db.knex);
    expect(check.scheme).toBe(BLOCKING_KEY_SCHEME - 1);
    expect(check.stale).toBe(members.length);
    await expect(loadMatchModel(db.knex)).rejects.toBeInstanceOf(IndexSchemeError);

    const repaired = await verifyIndex(db.knex, { repair: true });
    expect(repaired.repaired).toBe(true);
    expect((await readIndexScheme(db.knex)).stored).toBe(BLOCKING_KEY_SCHEME);
    expect((await verifyIndex(db.knex)).drift).toBe(0);
    expect(matchCli().stdout).toContain('"decision":"match"');
  }, 120_000);

  it('`hgd import --truncate` rebuilds an index of another scheme and records this one', async () => {
    await setStored(BLOCKING_KEY_SCHEME - 1);
    await importMembers(db.knex, Readable.from([lines]), { truncate: true, workers: 0 });
    expect((await readIndexScheme(db.knex)).stored).toBe(BLOCKING_KEY_SCHEME);
    await expect(loadMatchModel(db.knex)).resolves.toBeDefined();
  }, 120_000);

  it('the migration records scheme 1 for an index that already held keys (built before the scheme existed)', async () => {
    const migration = hgdMigrations.find((m) => m.name === '20261126100000_hgd_match_index_scheme')!;
    await migration.down(db.knex);
    await migration.up(db.knex);
    expect((await readIndexScheme(db.knex)).stored).toBe(1);
    await db.knex.raw('truncate hgd_match.member_keys');
    await migration.down(db.knex);
    await migration.up(db.knex);
    expect((await readIndexScheme(db.knex)).stored).toBe(2);
  }, 60_000);
});
