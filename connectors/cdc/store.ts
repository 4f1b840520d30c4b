import type { Knex } from 'knex';
import type { ChangeEvent, MemberChange } from './events.js';
import { planBatch, type BatchPlan, type MemberState } from './plan.js';

/**
 * Writes the change feed into the search index (schema hgd_match): one transaction per batch holding the index
 * rows, the member states, the frequency deltas, the follower's inbox offsets and its state row.
 */
type Db = Knex | Knex.Transaction;

/** Taken by every batch and by `hgd verify-index --repair`: a repair never interleaves with a batch. */
export const INDEX_WRITE_LOCK = 0x76737331; // 'vss1'

export interface FeedMessage {
  offset: string;
  event: ChangeEvent | null;
}

export interface BatchOutcome {
  applied: number;
  duplicates: number;
  /** Messages below the inbox offset: already applied before a restart. */
  skipped: number;
  /** A snapshot started while the follower was streaming: the slot or the connector's offsets were lost. */
  resnapshotDetected: boolean;
  snapshotsCompleted: number;
  lastSourceTsMs: number | null;
}

/**
 * A PostgreSQL array literal of `values` (each element quoted; null as NULL), passed as one text parameter: the pg
 * client's own array serialisation costs more CPU than the rest of a batch's parameters together.
 */
export function pgArray(values: ReadonlyArray<string | number | boolean | null>): string {
  if (values.length === 0) return '{}';
  let plain = true;
  for (const v of values)
    if (typeof v !== 'string' || v.includes('"') || v.includes('\\')) {
      plain = false;
      break;
    }
  // Strings needing no escape (member ids, key hashes, names): one join.
  if (plain) return `{"${(values as readonly string[]).join('","')}"}`;
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    if (v === null || v === undefined) out += 'NULL';
    else if (typeof v !== 'string') out += String(v);
    else out += `"${v.replace(/[\\"]/g, '\\$&')}"`;
  }
  return `${out}}`;
}

interface StateRow {
  phase: 'snapshot' | 'streaming';
  snapshot_lsn: number | null;
}

async function loadStates(tx: Db, ids: string[]): Promise<Map<string, MemberState>> {
  const res = (await tx.raw(
    `select member_id, family, given, keys_digest, lsn, snapshot_lsn, deleted, array_to_string(keys, ',') as keys
       from hgd_match.cdc_members where member_id = any(?::text[])`,
    [pgArray(ids)],
  )) as {
    rows: Array<{
      member_id: string;
      family: string | null;
      given: string | null;
      keys_digest: string;
      lsn: number;
      snapshot_lsn: number | null;
      deleted: boolean;
      keys: string | null;
    }>;
  };
  return new Map(
    res.rows.map((r) => [
      r.member_id,
      {
        memberId: r.member_id,
        family: r.family,
        given: r.given,
        digest: r.keys_digest,
        lsn: Number(r.lsn),
        snapshotLsn: r.snapshot_lsn === null ? null : Number(r.snapshot_lsn),
        deleted: r.deleted,
        keys: r.keys === null ? null : r.keys === '' ? [] : r.keys.split(',').sort(),
      },
    ]),
  );
}

async function writePlan(tx: Db, plan: BatchPlan): Promise<void> {
  if (plan.members.length === 0) return;
  const ids = plan.members.map((m) => m.memberId);
  const rekeyed = plan.members.filter((m) => m.keysChanged);
  // Members whose indexed keys are known (hgd_match.cdc_members.keys) get only their changed (key, member) rows
  // deleted and inserted: a province move changes about half of a member's keys, a code change none. The others
  // (first seen, or recorded before the keys were) have all their rows replaced.
  const whole = rekeyed.filter((m) => m.keyDiff === null).map((m) => m.memberId);
  if (whole.length > 0)
    await tx.raw('delete from hgd_match.member_keys where member_id = any(?::text[])', [pgArray(whole)]);
  const goneHashes: string[] = [];
  const goneMembers: string[] = [];
  const keyHashes: string[] = [];
  const keyMembers: string[] = [];
  for (const m of rekeyed) {
    if (m.keyDiff !== null)
      for (const k of m.keyDiff.removed) {
        goneHashes.push(k);
        goneMembers.push(m.memberId);
      }
    for (const k of m.keyDiff?.added ?? m.keys) {
      keyHashes.push(k);
      keyMembers.push(m.memberId);
    }
  }
  if (goneHashes.length > 0)
    // The member_id condition makes PostgreSQL find the rows by the member index; joined on the pairs alone it
    // hashes the pairs and scans the whole table.
    await tx.raw(
      `delete from hgd_match.member_keys k using unnest(?::bigint[], ?::text[]) as g(key_hash, member_id)
        where k.member_id = any(?::text[]) and k.key_hash = g.key_hash and k.member_id = g.member_id`,
      [pgArray(goneHashes), pgArray(goneMembers), pgArray([...new Set(goneMembers)])],
    );
  if (keyHashes.length > 0)
    await tx.raw(
      `insert into hgd_match.member_keys (key_hash, member_id)
       select * from unnest(?::bigint[], ?::text[]) on conflict do nothing`,
      [pgArray(keyHashes), pgArray(keyMembers)],
    );
  await tx.raw(
    `insert into hgd_match.cdc_members (member_id, family, given, keys_digest, lsn, snapshot_lsn, deleted, applied_at, keys)
     select m, f, g, d, l, s, x, now(), k::bigint[]
       from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::boolean[], ?::text[])
         as t(m, f, g, d, l, s, x, k)
     on conflict (member_id) do update set family = excluded.family, given = excluded.given,
       keys_digest = excluded.keys_digest, lsn = excluded.lsn, snapshot_lsn = excluded.snapshot_lsn,
       deleted = excluded.deleted, applied_at = excluded.applied_at, keys = excluded.keys`,
    [
      pgArray(ids),
      pgArray(plan.members.map((m) => m.family)),
      pgArray(plan.members.map((m) => m.given)),
      pgArray(plan.members.map((m) => m.digest)),
      pgArray(plan.members.map((m) => m.lsn)),
      pgArray(plan.members.map((m) => m.snapshotLsn)),
      pgArray(plan.members.map((m) => m.deleted)),
      // Each member's keys as an array literal of its own: unnest of a two-dimensional array would flatten it.
      pgArray(plan.members.map((m) => `{${m.keys.join(',')}}`)),
    ],
  );
  if (plan.frequencyDeltas.size > 0) {
    const kinds: string[] = [];
    const tokens: string[] = [];
    const deltas: number[] = [];
    for (const [k, d] of plan.frequencyDeltas) {
      const [kind, token] = k.split('\u0000') as [string, string];
      kinds.push(kind);
      tokens.push(token);
      deltas.push(d);
    }
    await tx.raw(
      `insert into hgd_match.name_frequencies (kind, token, count)
       select * from unnest(?::text[], ?::text[], ?::int[])
       on conflict (kind, token) do update set count = hgd_match.name_frequencies.count + excluded.count`,
      [kinds, tokens, deltas],
    );
    await tx.raw(
      `delete from hgd_match.name_frequencies where (kind, token) in (select * from unnest(?::text[], ?::text[])) and count <= 0`,
      [kinds, tokens],
    );
  }
  if (plan.totalDelta !== 0)
    await tx.raw(
      `insert into hgd_match.frequency_totals (id, members, refreshed_at) values (true, ?, now())
       on conflict (id) do update set members = hgd_match.frequency_totals.members + excluded.members`,
      [plan.totalDelta],
    );
}

/**
 * The end of a snapshot: members the index holds that the snapshot did not read are gone from HGD (deleted while
 * no slot recorded it, or imported and since removed): drop them. Frequencies are then recounted from the member
 * states, which also corrects counts a bulk import had made before the first snapshot.
 */
export async function finishSnapshot(tx: Db, snapshotLsn: number): Promise<void> {
  await tx.raw(
    `with gone as (
       update hgd_match.cdc_members set deleted = true, family = null, given = null, keys_digest = '', keys = '{}',
              applied_at = now()
        where not deleted and snapshot_lsn is distinct from ? returning member_id)
     delete from hgd_match.member_keys k using gone where k.member_id = gone.member_id`,
    [snapshotLsn],
  );
  await tx.raw(
    `delete from hgd_match.member_keys k
      where not exists (select 1 from hgd_match.cdc_members c where c.member_id = k.member_id and not c.deleted)`,
  );
  await rebuildFrequencies(tx);
  await tx.raw(`update hgd_match.cdc_state set phase = 'streaming'`);
}

/** Name frequencies recounted from the follower's member states (the same counts NameFrequencyCounter makes). */
export async function rebuildFrequencies(tx: Db): Promise<void> {
  await tx.raw('delete from hgd_match.name_frequencies');
  await tx.raw(`
    insert into hgd_match.name_frequencies (kind, token, count)
    select 'family', family, count(*) from hgd_match.cdc_members
     where not deleted and given is not null and family is not null group by family
    union all
    select 'given', given, count(*) from hgd_match.cdc_members where not deleted and given is not null group by given`);
  await tx.raw(`
    insert into hgd_match.frequency_totals (id, members, refreshed_at)
    select true, count(*), now() from hgd_match.cdc_members where not deleted and given is not null
    on conflict (id) do update set members = excluded.members, refreshed_at = excluded.refreshed_at`);
}

/**
 * Applies one batch of one change-topic partition. Messages below the stored inbox offset are skipped (a restart
 * re-delivers what Kafka's group offset had not recorded); the new inbox offset commits with the index rows.
 */
export async function applyBatch(
  knex: Knex,
  topic: string,
  partition: number,
  messages: readonly FeedMessage[],
): Promise<BatchOutcome> {
  return knex.transaction(async (tx) => {
    await tx.raw('select pg_advisory_xact_lock(?)', [INDEX_WRITE_LOCK]);
    const inbox = (await tx.raw(
      'select next_offset from hgd_match.cdc_offsets where topic = ? and partition = ?',
      [topic, partition],
    )) as { rows: Array<{ next_offset: number }> };
    const from = inbox.rows[0] ? Number(inbox.rows[0].next_offset) : 0;
    const fresh = messages.filter((m) => Number(m.offset) >= from);
    const outcome: BatchOutcome = {
      applied: 0,
      duplicates: 0,
      skipped: messages.length - fresh.length,
      resnapshotDetected: false,
      snapshotsCompleted: 0,
      lastSourceTsMs: null,
    };
    if (fresh.length === 0) return outcome;
    const stateRes = (await tx.raw('select phase, snapshot_lsn from hgd_match.cdc_state for update')) as {
      rows: StateRow[];
    };
    let state: StateRow | null = stateRes.rows[0] ?? null;
    let lastLsn: number | null = null;

    // Segments end at a snapshot's last record: the snapshot is finished before the changes streamed after it.
    let segment: MemberChange[] = [];
    const flush = async () => {
      if (segment.length === 0) return;
      const ids = [...new Set(segment.map((e) => e.memberId))];
      const plan = planBatch(await loadStates(tx, ids), segment);
      await writePlan(tx, plan);
      outcome.applied += plan.applied;
      outcome.duplicates += plan.duplicates;
      segment = [];
    };
    for (const m of fresh) {
      const e = m.event;
      if (e === null) continue;
      lastLsn = Math.max(lastLsn ?? 0, e.lsn);
      if (e.sourceTsMs > 0) outcome.lastSourceTsMs = Math.max(outcome.lastSourceTsMs ?? 0, e.sourceTsMs);
      if (
        e.snapshot !== 'no' &&
        (state === null || state.snapshot_lsn !== e.lsn || state.phase === 'streaming')
      ) {
        // A snapshot read of a snapshot not seen before.
        if (state !== null && state.snapshot_lsn === e.lsn && state.phase === 'streaming') {
          // A record of the snapshot already finished, re-sent (Connect restarted before recording its offset).
        } else {
          await flush();
          const re = state !== null && state.phase === 'streaming';
          if (re) outcome.resnapshotDetected = true;
          await tx.raw(
            `insert into hgd_match.cdc_state (id, phase, snapshot_lsn, snapshots, resnapshots, last_resnapshot_at)
             values (true, 'snapshot', ?, 1, 0, null)
             on conflict (id) do update set phase = 'snapshot', snapshot_lsn = excluded.snapshot_lsn,
               snapshots = hgd_match.cdc_state.snapshots + 1,
               resnapshots = hgd_match.cdc_state.resnapshots + ?,
               last_resnapshot_at = case when ? then now() else hgd_match.cdc_state.last_resnapshot_at end`,
            [e.lsn, re ? 1 : 0, re],
          );
          state = { phase: 'snapshot', snapshot_lsn: e.lsn };
        }
      }
      if (e.table === 'members') segment.push(e);
      else outcome.applied++;
      if (e.snapshot === 'last' && state !== null && state.phase === 'snapshot') {
        await flush();
        await finishSnapshot(tx, state.snapshot_lsn ?? e.lsn);
        state = { phase: 'streaming', snapshot_lsn: state.snapshot_lsn };
        outcome.snapshotsCompleted++;
      }
    }
    await flush();
    const last = fresh[fresh.length - 1]!;
    await tx.raw(
      `insert into hgd_match.cdc_offsets (topic, partition, next_offset) values (?, ?, ?)
       on conflict (topic, partition) do update set next_offset = excluded.next_offset`,
      [topic, partition, Number(last.offset) + 1],
    );
    await tx.raw(
      `insert into hgd_match.cdc_state (id, phase, last_lsn, last_source_at, last_applied_at, applied, duplicates)
       values (true, 'streaming', ?, to_timestamp(?::double precision / 1000), now(), ?, ?)
       on conflict (id) do update set
         last_lsn = greatest(hgd_match.cdc_state.last_lsn, excluded.last_lsn),
         last_source_at = greatest(hgd_match.cdc_state.last_source_at, excluded.last_source_at),
         last_applied_at = now(),
         applied = hgd_match.cdc_state.applied + excluded.applied,
         duplicates = hgd_match.cdc_state.duplicates + excluded.duplicates`,
      [lastLsn, outcome.lastSourceTsMs, outcome.applied, outcome.duplicates],
    );
    return outcome;
  });
}
