import type { Knex } from 'knex';
import { NameFrequencyCounter } from '../../src/matching/frequencies.js';
import { MEMBER_COLUMNS, memberFromRow, type MemberRow } from '../hgd/rows.js';
import { indexEntry, keysDigest, type IndexEntry } from './plan.js';
import { INDEX_WRITE_LOCK } from './store.js';
import { markIndexScheme, readIndexScheme } from '../hgd/index-scheme.js';

/**
 * `vss-bridge hgd verify-index`: compares the search index (hgd_match) with HGD's members, in chunks of members by
 * id, with plain reads (no lock on HGD's tables beyond what any SELECT takes), and reports or repairs drift:
 * - per member, the checksum of its blocking keys against the keys computed from its HGD row (missing or stale);
 * - index entries of members HGD does not have (orphans);
 * - the follower's per-member state (name tokens, checksum) when the change feed is in use;
 * - the name frequency table and its total against a recount.
 */
export interface VerifyOptions {
  chunkSize?: number;
  repair?: boolean;
  onProgress?: (checked: number) => void;
}

export interface VerifyReport {
  /** The blocking-key scheme recorded with the index when the check began (this version's: `BLOCKING_KEY_SCHEME`). */
  scheme: number;
  members: number;
  missing: number;
  stale: number;
  orphans: number;
  /** Members whose follower state (hgd_match.cdc_members) disagrees with HGD. */
  stateDrift: number;
  /** Name tokens whose count differs, plus one if the counted-members total differs. */
  frequencyDrift: number;
  drift: number;
  repaired: boolean;
  elapsedMs: number;
}

const SELECT = MEMBER_COLUMNS.join(', ');

interface Actual {
  keys: Map<string, string>;
  state: Map<
    string,
    {
      family: string | null;
      given: string | null;
      digest: string;
      deleted: boolean;
      /** Checksum of the recorded keys (the follower writes only changed keys against them); null: not recorded. */
      keysDigest: string | null;
    }
  >;
}

async function actualFor(db: Knex | Knex.Transaction, ids: string[]): Promise<Actual> {
  const keys = (await db.raw(
    `select member_id, array_agg(key_hash::text) as keys from hgd_match.member_keys
      where member_id = any(?::text[]) group by member_id`,
    [ids],
  )) as { rows: Array<{ member_id: string; keys: string[] }> };
  const state = (await db.raw(
    `select member_id, family, given, keys_digest, deleted, keys::text[] as keys
       from hgd_match.cdc_members where member_id = any(?::text[])`,
    [ids],
  )) as {
    rows: Array<{
      member_id: string;
      family: string | null;
      given: string | null;
      keys_digest: string;
      deleted: boolean;
      keys: string[] | null;
    }>;
  };
  return {
    keys: new Map(keys.rows.map((r) => [r.member_id, keysDigest([...r.keys].sort())])),
    state: new Map(
      state.rows.map((r) => [
        r.member_id,
        {
          family: r.family,
          given: r.given,
          digest: r.keys_digest,
          deleted: r.deleted,
          keysDigest: r.keys === null ? null : keysDigest([...r.keys].sort()),
        },
      ]),
    ),
  };
}

async function rewrite(
  tx: Knex.Transaction,
  members: Array<{ id: string; entry: IndexEntry }>,
  followed: boolean,
) {
  const ids = members.map((m) => m.id);
  await tx.raw('delete from hgd_match.member_keys where member_id = any(?::text[])', [ids]);
  const h: string[] = [];
  const mm: string[] = [];
  for (const m of members)
    for (const k of m.entry.keys) {
      h.push(k);
      mm.push(m.id);
    }
  if (h.length > 0)
    await tx.raw(
      `insert into hgd_match.member_keys (key_hash, member_id) select * from unnest(?::bigint[], ?::text[]) on conflict do nothing`,
      [h, mm],
    );
  if (followed)
    await tx.raw(
      `insert into hgd_match.cdc_members (member_id, family, given, keys_digest, lsn, deleted, keys)
       select m, f, g, d, 0, false, k::bigint[]
         from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) as t(m, f, g, d, k)
       on conflict (member_id) do update set family = excluded.family, given = excluded.given,
         keys_digest = excluded.keys_digest, keys = excluded.keys, deleted = false, applied_at = now()`,
      [
        ids,
        members.map((m) => m.entry.family),
        members.map((m) => m.entry.given),
        members.map((m) => m.entry.digest),
        members.map((m) => `{${m.entry.keys.join(',')}}`),
      ],
    );
}

export async function verifyIndex(knex: Knex, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const started = Date.now();
  const chunk = opts.chunkSize ?? 10_000;
  const repair = opts.repair === true;
  const followedRes = (await knex.raw('select exists (select 1 from hgd_match.cdc_state) as f')) as {
    rows: Array<{ f: boolean }>;
  };
  const followed = followedRes.rows[0]!.f;
  const report: VerifyReport = {
    scheme: (await readIndexScheme(knex)).stored,
    members: 0,
    missing: 0,
    stale: 0,
    orphans: 0,
    stateDrift: 0,
    frequencyDrift: 0,
    drift: 0,
    repaired: false,
    elapsedMs: 0,
  };
  const counter = new NameFrequencyCounter();
  let after = '';
  for (;;) {
    const rows = (await knex.raw(
      `select ${SELECT} from hgd.members where member_id > ? order by member_id limit ?`,
      [after, chunk],
    )) as { rows: MemberRow[] };
    if (rows.rows.length === 0) break;
    after = rows.rows[rows.rows.length - 1]!.member_id;
    const expected = rows.rows.map((r) => {
      counter.add(r.full_name);
      return { id: r.member_id, entry: indexEntry(memberFromRow(r)) };
    });
    const actual = await actualFor(
      knex,
      expected.map((e) => e.id),
    );
    const drifted: typeof expected = [];
    for (const e of expected) {
      const got = actual.keys.get(e.id);
      let bad = false;
      if (got === undefined && e.entry.keys.length > 0) {
        report.missing++;
        bad = true;
      } else if (got !== undefined && got !== e.entry.digest) {
        report.stale++;
        bad = true;
      }
      if (followed) {
        const s = actual.state.get(e.id);
        if (
          s === undefined ||
          s.deleted ||
          s.digest !== e.entry.digest ||
          (s.keysDigest !== null && s.keysDigest !== e.entry.digest) ||
          s.family !== e.entry.family ||
          s.given !== e.entry.given
        ) {
          report.stateDrift++;
          bad = true;
        }
      }
      if (bad) drifted.push(e);
    }
    report.members += rows.rows.length;
    if (repair && drifted.length > 0)
      await knex.transaction(async (tx) => {
        await tx.raw('select pg_advisory_xact_lock(?)', [INDEX_WRITE_LOCK]);
        // Re-read under the lock: what HGD holds now, not what the unlocked read saw.
        const fresh = (await tx.raw(`select ${SELECT} from hgd.members where member_id = any(?::text[])`, [
          drifted.map((d) => d.id),
        ])) as { rows: MemberRow[] };
        await rewrite(
          tx,
          fresh.rows.map((r) => ({ id: r.member_id, entry: indexEntry(memberFromRow(r)) })),
          followed,
        );
      });
    opts.onProgress?.(report.members);
  }

  // Orphans: index entries (keys, or live follower states) of members HGD does not have.
  for (const source of [
    { sql: 'select distinct member_id from hgd_match.member_keys', col: 'member_id' },
    { sql: 'select member_id from hgd_match.cdc_members where not deleted', col: 'member_id' },
  ]) {
    let from = '';
    for (;;) {
      const ids = (await knex.raw(
        `select member_id from (${source.sql}) s where member_id > ? order by member_id limit ?`,
        [from, chunk],
      )) as { rows: Array<{ member_id: string }> };
      if (ids.rows.length === 0) break;
      from = ids.rows[ids.rows.length - 1]!.member_id;
      const list = ids.rows.map((r) => r.member_id);
      const present = (await knex.raw('select member_id from hgd.members where member_id = any(?::text[])', [
        list,
      ])) as { rows: Array<{ member_id: string }> };
      const have = new Set(present.rows.map((r) => r.member_id));
      const gone = list.filter((id) => !have.has(id));
      report.orphans += gone.length;
      if (repair && gone.length > 0)
        await knex.transaction(async (tx) => {
          await tx.raw('select pg_advisory_xact_lock(?)', [INDEX_WRITE_LOCK]);
          const still = (await tx.raw('select member_id from hgd.members where member_id = any(?::text[])', [
            gone,
          ])) as { rows: Array<{ member_id: string }> };
          const back = new Set(still.rows.map((r) => r.member_id));
          const del = gone.filter((id) => !back.has(id));
          await tx.raw('delete from hgd_match.member_keys where member_id = any(?::text[])', [del]);
          await tx.raw(
            `update hgd_match.cdc_members set deleted = true, family = null, given = null, keys_digest = '', keys = '{}'
              where member_id = any(?::text[])`,
            [del],
          );
        });
    }
  }

  // Frequencies against the recount made while walking the members.
  const freq = (await knex.raw('select kind, token, count from hgd_match.name_frequencies')) as {
    rows: Array<{ kind: string; token: string; count: number }>;
  };
  const want = new Map<string, number>();
  for (const [t, c] of counter.family) want.set(`family\u0000${t}`, c);
  for (const [t, c] of counter.given) want.set(`given\u0000${t}`, c);
  const seen = new Set<string>();
  for (const r of freq.rows) {
    const k = `${r.kind}\u0000${r.token}`;
    seen.add(k);
    if (want.get(k) !== r.count) report.frequencyDrift++;
  }
  for (const k of want.keys()) if (!seen.has(k)) report.frequencyDrift++;
  const totals = (await knex.raw('select members from hgd_match.frequency_totals')) as {
    rows: Array<{ members: number }>;
  };
  if ((totals.rows[0]?.members ?? 0) !== counter.total) report.frequencyDrift++;
  if (repair && report.frequencyDrift > 0)
    await knex.transaction(async (tx) => {
      await tx.raw('select pg_advisory_xact_lock(?)', [INDEX_WRITE_LOCK]);
      await tx.raw('delete from hgd_match.name_frequencies');
      const entries = [...want];
      if (entries.length > 0)
        await tx.raw(
          `insert into hgd_match.name_frequencies (kind, token, count) select * from unnest(?::text[], ?::text[], ?::int[])`,
          [
            entries.map(([k]) => k.split('\u0000')[0]!),
            entries.map(([k]) => k.split('\u0000')[1]!),
            entries.map(([, c]) => c),
          ],
        );
      await tx.raw(
        `insert into hgd_match.frequency_totals (id, members, refreshed_at) values (true, ?, now())
         on conflict (id) do update set members = excluded.members, refreshed_at = excluded.refreshed_at`,
        [counter.total],
      );
    });
  report.drift = report.missing + report.stale + report.orphans + report.stateDrift + report.frequencyDrift;
  report.repaired = repair && report.drift > 0;
  // Every member's keys are now this version's: the index may be searched with them (connectors/hgd/index-scheme.ts).
  if (repair) await markIndexScheme(knex);
  report.elapsedMs = Date.now() - started;
  return report;
}
