import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHgd } from '../../../bench/generator/households.js';
import { importMembers } from '../../../connectors/hgd/import.js';
import { memberToLine, queryToLine } from '../../../src/matching/lines.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { queryOfMember } from '../../support/member-query.js';

/** HGD_READ_URL: member search reads there (a replica), not on DATABASE_URL. */
let primary: TestDatabase;
let replica: TestDatabase;
const dir = mkdtempSync(join(tmpdir(), 'hgd-read-'));
const members = [...generateHgd({ seed: 5150, members: 300 })].map((p) => p.member);

beforeAll(async () => {
  primary = await createTestDatabase();
  replica = await createTestDatabase();
  const file = join(dir, 'members.jsonl');
  writeFileSync(file, `${members.map(memberToLine).join('\n')}\n`);
  // Only the "replica" holds HGD: what `match` finds shows where it searched.
  await importMembers(replica.knex, file, { refreshFrequencies: true, workers: 0 });
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await primary?.drop();
  await replica?.drop();
});

function match(env: NodeJS.ProcessEnv): string[] {
  const queries = join(dir, 'queries.jsonl');
  writeFileSync(
    queries,
    `${members
      .slice(0, 20)
      .map((m, i) => queryToLine(queryOfMember(m, `Q${i}`)))
      .join('\n')}\n`,
  );
  const r = spawnSync(process.execPath, ['bin/vss-bridge.mjs', 'match', '--file', queries, '--no-evidence'], {
    env: { ...process.env, DATABASE_URL: primary.url, HGD_READ_URL: '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { decision: string }).decision);
}

describe('HGD_READ_URL', () => {
  it('`vss-bridge match` searches the read database when it is set, DATABASE_URL otherwise', () => {
    const onReplica = match({ HGD_READ_URL: replica.url });
    expect(onReplica.filter((d) => d === 'match').length).toBeGreaterThanOrEqual(15);
    const onPrimary = match({});
    expect(onPrimary.every((d) => d === 'no_match')).toBe(true);
  }, 120_000);
});
