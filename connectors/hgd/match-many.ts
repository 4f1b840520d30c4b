import type { Knex } from 'knex';
import type { MatchModel, MemberRecord } from '../../src/matching/types.js';
import type { MatchMany } from '../../src/ports/hgd.js';
import { matchBatch } from './batch-match.js';
import { MEMBER_COLUMNS, memberFromRow, type MemberRow } from './rows.js';

/**
 * The MatchMany port over Postgres, through the batch matcher of `vss-bridge match`: the queries of a micro-batch
 * are blocked with one statement and scored. Answers in the order of the queries.
 */
export function hgdMatchMany(knex: Knex, model: MatchModel): MatchMany {
  return async (queries) => {
    if (queries.length === 0) return [];
    const out = [];
    for await (const { result } of matchBatch(knex, queries, model, {
      chunkSize: queries.length,
      concurrency: 1,
    }))
      out.push(result);
    return out;
  };
}

/** Members holding these BHXH codes, one statement; answers in the order of the codes (null: nobody). */
export async function findMembersByBhxhCodes(knex: Knex, codes: string[]): Promise<(MemberRecord | null)[]> {
  if (codes.length === 0) return [];
  const rows = (await knex('hgd.members as m')
    .select(MEMBER_COLUMNS.map((c) => `m.${c}`))
    .whereIn('m.bhxh_code', [...new Set(codes)])) as MemberRow[];
  const byCode = new Map<string, MemberRecord>();
  for (const r of rows) {
    const m = memberFromRow(r);
    if (m.bhxhCode !== null && !byCode.has(m.bhxhCode)) byCode.set(m.bhxhCode, m);
  }
  return codes.map((c) => byCode.get(c) ?? null);
}
