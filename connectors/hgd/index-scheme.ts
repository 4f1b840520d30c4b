import type { Knex } from 'knex';
import { BLOCKING_KEY_SCHEME } from '../../src/matching/blocking.js';

type Db = Knex | Knex.Transaction;

/**
 * The blocking-key scheme the search index (`hgd_match.member_keys`) was built with. The keys are hashes of texts
 * whose definition may change between versions (`BLOCKING_KEY_SCHEME`, src/matching/blocking.ts); an index built
 * with other keys answers every lookup, but misses people, without any error. So matching refuses such an index,
 * and the commands that rebuild all of it record the scheme they wrote: `hgd import` into an empty index (first load
 * or `--truncate`) and `hgd verify-index --repair`.
 */
export interface IndexScheme {
  /** The scheme recorded with the index. */
  stored: number;
  /** The scheme this version computes. */
  current: number;
  /** Whether the index holds any key (an empty index is rebuilt by whatever fills it). */
  hasKeys: boolean;
}

export class IndexSchemeError extends Error {
  override readonly name = 'IndexSchemeError';
}

export async function readIndexScheme(db: Db): Promise<IndexScheme> {
  const table = (await db.raw("select to_regclass('hgd_match.index_scheme') is not null as present")) as {
    rows: Array<{ present: boolean }>;
  };
  if (!table.rows[0]?.present)
    throw new IndexSchemeError(
      'the database is not migrated to this version of vss-bridge (hgd_match.index_scheme is missing): run `vss-bridge migrate` with DATABASE_OWNER_URL set',
    );
  const r = (await db.raw(
    `select (select blocking_keys from hgd_match.index_scheme) as stored,
            exists (select 1 from hgd_match.member_keys) as has_keys`,
  )) as { rows: Array<{ stored: number | null; has_keys: boolean }> };
  const row = r.rows[0]!;
  return { stored: row.stored ?? 0, current: BLOCKING_KEY_SCHEME, hasKeys: row.has_keys };
}

/** Why an index cannot be searched, or null when it can. No personal data: only scheme numbers and commands. */
export function indexSchemeProblem(s: IndexScheme): string | null {
  if (!s.hasKeys || s.stored === s.current) return null;
  return (
    `the HGD search index was built with blocking-key scheme ${s.stored}, and this version of vss-bridge searches ` +
    `with scheme ${s.current}: lookups would miss people. Rebuild it as the database owner (DATABASE_OWNER_URL) ` +
    'with `vss-bridge hgd verify-index --repair`, or load HGD again with `vss-bridge hgd import --truncate`; see ' +
    'docs/matching.md, "Blocking-key scheme"'
  );
}

/** Throws `IndexSchemeError` when the index was built with other keys than this version's. */
export async function assertIndexScheme(db: Db): Promise<void> {
  const problem = indexSchemeProblem(await readIndexScheme(db));
  if (problem !== null) throw new IndexSchemeError(problem);
}

/** The statement recording this version's scheme (for a caller holding a raw connection, with `BLOCKING_KEY_SCHEME`). */
export const MARK_INDEX_SCHEME_SQL = `insert into hgd_match.index_scheme (id, blocking_keys, built_at) values (true, $1, now())
   on conflict (id) do update set blocking_keys = excluded.blocking_keys, built_at = excluded.built_at`;

/** Records that every key of the index is of this version's scheme (after a full rebuild). */
export async function markIndexScheme(db: Db): Promise<void> {
  await db.raw(MARK_INDEX_SCHEME_SQL.replace('$1', '?'), [BLOCKING_KEY_SCHEME]);
}

export { BLOCKING_KEY_SCHEME };
