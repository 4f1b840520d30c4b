import type { Knex } from 'knex';
import { markIndexScheme } from '../connectors/hgd/index-scheme.js';
import { memberToRow, MEMBER_COLUMNS } from '../connectors/hgd/rows.js';
import { memberBlockingKeys } from '../src/matching/blocking.js';
import { keyHash } from '../src/matching/key-hash.js';
import { preparePerson } from '../src/matching/prepare.js';
import type { MemberRecord } from '../src/matching/types.js';

/**
 * A bulk load for benchmarks only (`--load direct` of `eval:gen2` and `bench:match`): the same rows and the same
 * search keys as `vss-bridge hgd import`, written into emptied tables with plain multi-row inserts while the key
 * table's primary key and member index are dropped, then rebuilt in one sort each and analysed. It skips what an
 * import of real HGD data must do (upsert, rejects, one transaction per batch), so it is not a figure for the import
 * (see `hgd import`); it makes a 5M-member evaluation possible in minutes on a shared machine.
 */
export async function directLoad(
  knex: Knex,
  members: Iterable<MemberRecord>,
  opts: { batchSize?: number; onProgress?: (n: number) => void } = {},
): Promise<{ members: number; keys: number; seconds: number }> {
  const started = Date.now();
  const batchSize = opts.batchSize ?? 20_000;
  const columns = MEMBER_COLUMNS.filter((c) => c !== 'version');
  await knex.raw('truncate hgd.members, hgd.households, hgd_match.member_keys');
  await markIndexScheme(knex); // every key below is of this version's scheme
  await knex.raw('drop index if exists hgd_match.member_keys_key_member_uq');
  await knex.raw('drop index if exists hgd_match.member_keys_member_idx');
  let n = 0;
  let keys = 0;
  let batch: MemberRecord[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch.map(memberToRow);
    await knex.raw(
      `insert into hgd.members (${columns.join(', ')}) select * from unnest(${columns.map(() => '?::text[]').join(', ')})`,
      columns.map((c) => rows.map((r) => r[c])),
    );
    const households = new Map<string, MemberRecord>();
    for (const m of batch)
      if (m.householdCode !== null && !households.has(m.householdCode)) households.set(m.householdCode, m);
    const hs = [...households.values()];
    await knex.raw(
      `insert into hgd.households (household_code, province_code, ward_code)
       select * from unnest(?::text[], ?::text[], ?::text[]) on conflict (household_code) do nothing`,
      [hs.map((m) => m.householdCode), hs.map((m) => m.provinceCode), hs.map((m) => m.wardCode)],
    );
    const hashes: string[] = [];
    const ids: string[] = [];
    for (const m of batch) {
      for (const k of memberBlockingKeys(preparePerson(m))) {
        hashes.push(keyHash(k));
        ids.push(m.memberId);
      }
    }
    await knex.raw(
      'insert into hgd_match.member_keys (key_hash, member_id) select * from unnest(?::bigint[], ?::text[])',
      [hashes, ids],
    );
    n += batch.length;
    keys += hashes.length;
    batch = [];
    opts.onProgress?.(n);
  };
  for (const m of members) {
    batch.push(m);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  // A member's keys are distinct (a Set in `memberBlockingKeys`), so the unique index holds as the import makes it
  // (connectors/hgd/migrations.ts).
  await knex.raw(
    'create unique index member_keys_key_member_uq on hgd_match.member_keys (key_hash, member_id collate "C")',
  );
  await knex.raw('create index member_keys_member_idx on hgd_match.member_keys (member_id)');
  await knex.raw('vacuum (analyze) hgd.members');
  await knex.raw('vacuum (analyze) hgd_match.member_keys');
  return { members: n, keys, seconds: (Date.now() - started) / 1000 };
}
