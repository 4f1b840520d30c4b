import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHgd } from '../../../bench/generator/households.js';
import { importMembers } from '../../../connectors/hgd/import.js';
import { sampleMembers } from '../../../connectors/hgd/repository.js';
import { memberToLine } from '../../../src/matching/lines.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';

/** `match estimate` draws its u pairs from this sample: the same members must give the same sample. */
let db: TestDatabase;
const members = [...generateHgd({ seed: 7070, members: 3000 })].map((p) => p.member);

beforeAll(async () => {
  db = await createTestDatabase();
  await importMembers(db.knex, Readable.from([members.map(memberToLine).join('\n')]), { workers: 0 });
});
afterAll(async () => {
  await db?.drop();
});

describe('sampleMembers', () => {
  it('draws about n members spread over the table, the same ones in the same order however the rows are laid out', async () => {
    const ids = async () => (await sampleMembers(db.knex, 400)).map((m) => m.memberId);
    const before = await ids();
    expect(before.length).toBeGreaterThan(300);
    expect(before.length).toBeLessThanOrEqual(400);
    expect(new Set(before).size).toBe(before.length);
    // Not the first members by id or by position: drawn from the whole table.
    const sorted = [...members.map((m) => m.memberId)].sort();
    expect(before.filter((id) => sorted.indexOf(id) >= 1500).length).toBeGreaterThan(100);

    // Move the first half of the table (by physical position) to its end.
    await db.knex.raw(`with moved as (
        delete from hgd.members where member_id in (select member_id from hgd.members order by ctid limit 1500)
        returning *)
      insert into hgd.members select * from moved`);
    const firstNow = (await db.knex.raw('select member_id from hgd.members order by ctid limit 1')) as {
      rows: Array<{ member_id: string }>;
    };
    const firstBefore = members[0]!.memberId;
    expect(firstNow.rows[0]!.member_id).not.toBe(firstBefore);
    expect(await ids()).toEqual(before);
  }, 60_000);
});
