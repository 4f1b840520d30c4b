import type { Knex } from 'knex';
import { fromCounts } from '../../src/matching/frequencies.js';
import { keyHash } from '../../src/matching/key-hash.js';
import type {
  CandidateQueryOptions,
  CandidateSource,
  MemberRecord,
  NameFrequencies,
} from '../../src/matching/types.js';
import { MEMBER_COLUMNS, memberFromRow, type MemberRow } from './rows.js';

/**
 * Database operations over HGD's tables and our search keys: small functions taking a knex instance or a
 * transaction (`tx`) and returning plain records.
 */
type Db = Knex | Knex.Transaction;

const SELECT_MEMBER = MEMBER_COLUMNS.map((c) => `m.${c}`).join(', ');

/** Default cap on candidates per query: protects latency from a pathological key; far above real block sizes. */
const DEFAULT_CANDIDATE_LIMIT = 2000;

const INTEGER = /^-?\d{1,20}$/;

/**
 * Candidate retrieval (blocking). One round trip: the key index (an index-only scan on (key_hash, member_id)) joined
 * to members by primary key.
 */
export async function findCandidates(
  tx: Db,
  keys: string[],
  options: CandidateQueryOptions = {},
): Promise<MemberRecord[]> {
  const limit = options.limit ?? DEFAULT_CANDIDATE_LIMIT;
  if (options.householdCode !== undefined) {
    const rows = (await tx.raw(
      `select ${SELECT_MEMBER} from hgd.members m where m.household_code = ? limit ?`,
      [options.householdCode, limit],
    )) as { rows: MemberRow[] };
    return rows.rows.map(memberFromRow);
  }
  if (keys.length === 0) return [];
  const hashes = keys.map(keyHash);
  const res = (await tx.raw(
    `select ${SELECT_MEMBER} from hgd.members m
      where m.member_id in (select k.member_id from hgd_match.member_keys k where k.key_hash = any(?::bigint[]))
      limit ?`,
    [hashes, limit],
  )) as { rows: MemberRow[] };
  return res.rows.map(memberFromRow);
}

/**
 * Blocking for many queries in one round trip (batch matching): returns candidates per query index, the same sets
 * `findCandidates` returns for each query (capped at `limit` per query).
 *
 * One statement per chunk: the chunk's (key hash, query index) pairs as two array literals, joined to the key index
 * (one index-only probe per pair), reduced to distinct (query, member) pairs, and each member row sent with the index
 * of the query it is a candidate of: Node only appends it to that query's list. (Before, each member row came once
 * with the hashes it was found under as comma-separated text, and Node split it and looked up the queries holding
 * each hash; ~7 % more CPU per query at 1M. A member two queries of a chunk share, ~1 % of rows, now comes twice.)
 * `offset 0` keeps the member lookups on the primary key: without it the planner picks a hash join over a
 * parallel seq scan of all members (~3× slower at 1M). (An earlier per-query unnest-join with DISTINCT took ~2.8 ms
 * per query at 1M members; one lookup per query spent most of its time in round trips.)
 *
 * The planner overestimates the hits (3–5× the rows it finds at 1M members), so a chunk's estimated cost passes
 * `jit_above_cost` and even `jit_optimize_above_cost`: PostgreSQL then compiled and optimised the statement with
 * LLVM for every chunk, about a second of CPU per 128 queries at 1M members, more than the whole lookup. The
 * statement runs with `jit = off`, and with enough `work_mem` that the grouping (planned for the overestimate) does
 * not spill to disk. The hits are sorted by member id, so the member lookups walk the primary key in order (~20 %
 * less PostgreSQL CPU at 1M than in hash order). Both settings are `set local` in the same simple-protocol message
 * (one round trip; the statements of one message form one transaction, or belong to the caller's), and are put back
 * to their defaults after it.
 */
export async function findCandidatesBatch(
  tx: Db,
  keysPerQuery: string[][],
  options: { limit?: number } = {},
): Promise<MemberRecord[][]> {
  const limit = options.limit ?? DEFAULT_CANDIDATE_LIMIT;
  // (key hash, query index) pairs, each once: a hash two queries share is looked up for both.
  const hashes: string[] = [];
  const owners: number[] = [];
  keysPerQuery.forEach((keys, i) => {
    const own = new Set<string>();
    for (const k of keys) {
      const h = keyHash(k);
      if (own.has(h)) continue;
      own.add(h);
      hashes.push(h);
      owners.push(i);
    }
  });
  const out: MemberRecord[][] = keysPerQuery.map(() => []);
  if (hashes.length === 0) return out;
  // The hashes are decimal integers we computed (`keyHash`), so they are written into the statement as array
  // literals: a message with parameters cannot carry several statements.
  if (!hashes.every((h) => INTEGER.test(h))) throw new Error('key hash is not an integer');
  const res = (await tx.raw(
    `set local jit = off; set local work_mem = '64MB';
     with hits as (select distinct q.i, k.member_id
                     from unnest('{${hashes.join(',')}}'::bigint[], '{${owners.join(',')}}'::int[]) as q(h, i)
                     join hgd_match.member_keys k on k.key_hash = q.h
                    order by k.member_id)
     select hits.i, ${SELECT_MEMBER} from hits
       cross join lateral (select * from hgd.members m where m.member_id = hits.member_id offset 0) m;
     set local jit to default; set local work_mem to default`,
  )) as Array<{ command: string; rows: Array<MemberRow & { i: number }> }>;
  const rows = res.find((r) => r.command === 'SELECT')?.rows ?? [];
  // Rows come in member-id order, so each query gets its candidates, and is capped, in that order.
  for (const r of rows) {
    const list = out[r.i]!;
    if (list.length < limit) list.push(memberFromRow(r));
  }
  return out;
}

/** The `CandidateSource` port over Postgres. */
export function postgresCandidateSource(db: Db): CandidateSource {
  return { findCandidates: (keys, options) => findCandidates(db, keys, options) };
}

export async function getMember(tx: Db, memberId: string): Promise<MemberRecord | null> {
  const row = (await tx('hgd.members as m')
    .select(MEMBER_COLUMNS.map((c) => `m.${c}`))
    .where('m.member_id', memberId)
    .first()) as MemberRow | undefined;
  return row ? memberFromRow(row) : null;
}

export async function findMemberByBhxhCode(tx: Db, bhxhCode: string): Promise<MemberRecord | null> {
  const row = (await tx('hgd.members as m')
    .select(MEMBER_COLUMNS.map((c) => `m.${c}`))
    .where('m.bhxh_code', bhxhCode)
    .first()) as MemberRow | undefined;
  return row ? memberFromRow(row) : null;
}

export async function findMembersByIdNumber(tx: Db, idNumber: string): Promise<MemberRecord[]> {
  const rows = (await tx('hgd.members as m')
    .select(MEMBER_COLUMNS.map((c) => `m.${c}`))
    .where('m.id_number', idNumber)
    .orderBy('m.member_id')) as MemberRow[];
  return rows.map(memberFromRow);
}

export async function listHouseholdMembers(tx: Db, householdCode: string): Promise<MemberRecord[]> {
  const rows = (await tx('hgd.members as m')
    .select(MEMBER_COLUMNS.map((c) => `m.${c}`))
    .where('m.household_code', householdCode)
    .orderBy('m.member_id')) as MemberRow[];
  return rows.map(memberFromRow);
}

export type CodeChangeOutcome = 'changed' | 'guard_failed' | 'code_in_use';

/**
 * The guarded BHXH code change (docs/architecture.md): applies only if the member still holds `expectedOldCode` (null
 * allowed), and never takes a code another member holds. Bumps `version`. Run it inside the transaction that also
 * writes the inbox, audit and outbox rows; a non-'changed' outcome is a review case, never an overwrite.
 */
export async function changeBhxhCode(
  tx: Db,
  memberId: string,
  expectedOldCode: string | null,
  newCode: string,
): Promise<CodeChangeOutcome> {
  const holder = (await tx.raw(
    `select member_id from hgd.members where bhxh_code = ? and member_id <> ? limit 1`,
    [newCode, memberId],
  )) as { rows: Array<{ member_id: string }> };
  if (holder.rows.length > 0) return 'code_in_use';
  try {
    const res = (await tx.raw(
      `update hgd.members set bhxh_code = ?, version = version + 1, updated_at = now()
        where member_id = ? and bhxh_code is not distinct from ?::text`,
      [newCode, memberId, expectedOldCode],
    )) as { rowCount: number };
    return res.rowCount === 1 ? 'changed' : 'guard_failed';
  } catch (e) {
    // A concurrent writer took the code between the check and the update: the partial unique index says so.
    if ((e as { code?: string }).code === '23505') return 'code_in_use';
    throw e;
  }
}

/** Name frequencies as last refreshed (`refreshNameFrequencies`); empty before the first refresh. */
export async function loadNameFrequencies(tx: Db): Promise<NameFrequencies> {
  const total = (await tx('hgd_match.frequency_totals').select('members').first()) as
    | { members: number }
    | undefined;
  const rows = (await tx('hgd_match.name_frequencies').select('kind', 'token', 'count')) as Array<{
    kind: string;
    token: string;
    count: number;
  }>;
  const family = new Map<string, number>();
  const given = new Map<string, number>();
  for (const r of rows) (r.kind === 'family' ? family : given).set(r.token, r.count);
  return fromCounts(total?.members ?? 0, family, given);
}

/**
 * A uniform pseudo-random sample of about `n` members (for u estimation: random pairs of members are non-matches),
 * the same for the same members however the table is laid out: a member is drawn when the first 28 bits of
 * md5('42:' || member_id) fall below the share, and the sample comes ordered by those bits. (It was a `tablesample
 * bernoulli … repeatable (42)`, which follows the pages: the same members loaded another way gave another sample, and
 * `match estimate` other u values, up to 3 bits on a rare level.)
 */
export async function sampleMembers(tx: Db, n: number): Promise<MemberRecord[]> {
  const total = (await tx('hgd.members').count<Array<{ count: string }>>('* as count'))[0]?.count ?? '0';
  const share = Math.min(1, (n * 1.1) / Math.max(Number(total), 1));
  const rows = (await tx.raw(
    `select ${SELECT_MEMBER} from (
       select m.*, ('x' || substr(md5('42:' || m.member_id), 1, 7))::bit(28)::int as draw from hgd.members m) m
      where m.draw < ? order by m.draw, m.member_id limit ?`,
    [Math.ceil(share * 2 ** 28), n],
  )) as { rows: MemberRow[] };
  return rows.rows.map(memberFromRow);
}
