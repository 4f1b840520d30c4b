import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { scrubText } from '../../src/runtime/logger.js';
import { memberBlockingKeys } from '../../src/matching/blocking.js';
import { NameFrequencyCounter } from '../../src/matching/frequencies.js';
import { keyHash } from '../../src/matching/key-hash.js';
import { memberFromLine } from '../../src/matching/lines.js';
import { preparePerson } from '../../src/matching/prepare.js';
import type { MemberRecord } from '../../src/matching/types.js';
import { MEMBER_COLUMNS, memberToRow } from './rows.js';

/**
 * Bulk import of HGD members from JSON lines (docs/batch-formats.md): batched multi-row upserts through
 * `unnest` (one statement per table per batch), idempotent on member_id, our search keys rewritten for every
 * imported member in the same transaction. A bad line goes to the reject file with its line number and reason and
 * the import goes on.
 */
export interface ImportOptions {
  /** Empty hgd.members, hgd.households and the search keys first. */
  truncate?: boolean;
  /**
   * Where rejected lines go (JSON lines: line number, member_id when readable, reason naming the field, SHA-256 of
   * the line). Never the line itself: it holds names, ID numbers, BHXH codes and dates of birth.
   */
  rejectsPath?: string;
  batchSize?: number;
  /** Called after each batch (progress bar). */
  onProgress?: (p: ImportProgress) => void;
}

export interface ImportProgress {
  lines: number;
  imported: number;
  rejected: number;
  elapsedMs: number;
}

export interface ImportSummary extends ImportProgress {
  unchanged: number;
  inserted: number;
  updated: number;
  keys: number;
  rowsPerSecond: number;
}

interface Reject {
  line: number;
  memberId: string | null;
  reason: string;
  /** Identifies the line in the source file without copying it. */
  sha256: string;
}

/** A reject without personal data: the reason scrubbed of quoted values and digit runs, the line as a digest. */
function rejectOf(line: number, text: string, reason: string, memberId: string | null = null): Reject {
  return {
    line,
    memberId,
    reason: scrubText(reason, 300),
    sha256: createHash('sha256').update(text).digest('hex'),
  };
}

/** A database refusal as a reason that names the constraint, never the values (pg's `detail` quotes them). */
function databaseReason(e: unknown): string {
  const err = e as { code?: string; constraint?: string; column?: string };
  if (err.code === '23505')
    return `database: ${err.constraint ?? 'a unique constraint'}: value held by another row`;
  if (err.code === '23514') return `database: check ${err.constraint ?? ''} failed`.trim();
  if (err.code === '23502') return `database: ${err.column ?? 'a column'} must not be null`;
  return `database: error ${err.code ?? 'unknown'}`;
}

/** The columns an import writes: every member column but `version`, which the database keeps. */
const MEMBER_ARRAY_COLUMNS = MEMBER_COLUMNS.filter(
  (c): c is Exclude<(typeof MEMBER_COLUMNS)[number], 'version'> => c !== 'version',
);

const UPSERT_MEMBERS = `
  insert into hgd.members (${MEMBER_ARRAY_COLUMNS.join(', ')})
  select * from unnest(${MEMBER_ARRAY_COLUMNS.map(() => '?::text[]').join(', ')})
  on conflict (member_id) do update set
    ${MEMBER_ARRAY_COLUMNS.filter((c) => c !== 'member_id')
      .map((c) => `${c} = excluded.${c}`)
      .join(', ')},
    version = hgd.members.version + 1,
    updated_at = now()
  where (${MEMBER_ARRAY_COLUMNS.map((c) => `hgd.members.${c}`).join(', ')})
    is distinct from (${MEMBER_ARRAY_COLUMNS.map((c) => `excluded.${c}`).join(', ')})
  returning (xmax = 0) as inserted`;

async function writeBatch(
  tx: Knex.Transaction,
  members: MemberRecord[],
  truncated: boolean,
): Promise<{ inserted: number; updated: number; keys: number }> {
  const rows = members.map(memberToRow);
  const arrays = MEMBER_ARRAY_COLUMNS.map((c) => rows.map((r) => r[c]));
  const res = (await tx.raw(UPSERT_MEMBERS, arrays)) as { rows: Array<{ inserted: boolean }> };
  const inserted = res.rows.filter((r) => r.inserted).length;
  const households = new Map<string, MemberRecord>();
  for (const m of members)
    if (m.householdCode !== null && !households.has(m.householdCode)) households.set(m.householdCode, m);
  if (households.size > 0) {
    const hs = [...households.values()];
    await tx.raw(
      `insert into hgd.households (household_code, province_code, ward_code)
       select * from unnest(?::text[], ?::text[], ?::text[]) on conflict (household_code) do nothing`,
      [hs.map((m) => m.householdCode), hs.map((m) => m.provinceCode), hs.map((m) => m.wardCode)],
    );
  }
  const ids = members.map((m) => m.memberId);
  if (!truncated) await tx.raw('delete from hgd_match.member_keys where member_id = any(?::text[])', [ids]);
  const keyHashes: string[] = [];
  const keyMembers: string[] = [];
  for (const m of members) {
    for (const k of memberBlockingKeys(preparePerson(m))) {
      keyHashes.push(keyHash(k));
      keyMembers.push(m.memberId);
    }
  }
  await tx.raw(
    `insert into hgd_match.member_keys (key_hash, member_id)
     select * from unnest(?::bigint[], ?::text[]) on conflict do nothing`,
    [keyHashes, keyMembers],
  );
  return { inserted, updated: res.rows.length - inserted, keys: keyHashes.length };
}

export async function importMembers(
  knex: Knex,
  input: string | Readable,
  opts: ImportOptions = {},
): Promise<ImportSummary> {
  const batchSize = opts.batchSize ?? 2000;
  const started = Date.now();
  if (opts.truncate) {
    await knex.raw('truncate hgd.members, hgd.households, hgd_match.member_keys');
  }
  let rejectStream: WriteStream | null = null;
  const rejects: Reject[] = [];
  const reject = (r: Reject) => {
    rejects.push(r);
    if (opts.rejectsPath) {
      rejectStream ??= createWriteStream(opts.rejectsPath);
      rejectStream.write(`${JSON.stringify(r)}\n`);
    }
  };
  const stream = typeof input === 'string' ? createReadStream(input, { encoding: 'utf8' }) : input;
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNo = 0;
  let imported = 0;
  let inserted = 0;
  let updated = 0;
  let keys = 0;
  // Within one statement a member may appear only once: the last line for an id wins, as a re-import would.
  let batch = new Map<string, { member: MemberRecord; line: number; text: string }>();

  const flush = async () => {
    if (batch.size === 0) return;
    const items = [...batch.values()];
    batch = new Map();
    try {
      const r = await knex.transaction((tx) =>
        writeBatch(
          tx,
          items.map((i) => i.member),
          opts.truncate === true,
        ),
      );
      inserted += r.inserted;
      updated += r.updated;
      keys += r.keys;
      imported += items.length;
    } catch {
      // Something in the batch violates a constraint (e.g. a BHXH code held by another member): go row by row so
      // only the offending lines are rejected.
      for (const it of items) {
        try {
          const r = await knex.transaction((tx) => writeBatch(tx, [it.member], opts.truncate === true));
          inserted += r.inserted;
          updated += r.updated;
          keys += r.keys;
          imported++;
        } catch (e) {
          reject(rejectOf(it.line, it.text, databaseReason(e), it.member.memberId));
        }
      }
    }
    opts.onProgress?.({ lines: lineNo, imported, rejected: rejects.length, elapsedMs: Date.now() - started });
  };

  for await (const text of rl) {
    lineNo++;
    if (text.trim() === '') continue;
    const parsed = memberFromLine(text);
    if (!parsed.ok) {
      reject(rejectOf(lineNo, text, parsed.reason));
      continue;
    }
    batch.set(parsed.value.memberId, { member: parsed.value, line: lineNo, text });
    if (batch.size >= batchSize) await flush();
  }
  await flush();
  if (rejectStream !== null) {
    const s: WriteStream = rejectStream;
    await new Promise<void>((resolve, reject) =>
      s.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
  }
  if (opts.truncate) {
    // VACUUM (not only ANALYZE) sets the visibility map, so blocking's index-only scans on the key table skip the heap.
    // One statement per call: VACUUM cannot run inside the implicit transaction of a multi-statement query.
    await knex.raw('vacuum (analyze) hgd.members');
    await knex.raw('vacuum (analyze) hgd_match.member_keys');
  }
  const elapsedMs = Date.now() - started;
  return {
    lines: lineNo,
    imported,
    rejected: rejects.length,
    unchanged: imported - inserted - updated,
    inserted,
    updated,
    keys,
    elapsedMs,
    rowsPerSecond: elapsedMs > 0 ? Math.round((imported / elapsedMs) * 1000) : 0,
  };
}

/**
 * Recomputes family/given name frequencies from every HGD member (term-frequency adjustment: "Nguyễn" is weak
 * evidence). Reads names in pages by member_id so memory stays flat at 10M members.
 */
export async function refreshNameFrequencies(
  knex: Knex,
  pageSize = 50_000,
): Promise<{ members: number; tokens: number }> {
  const counter = new NameFrequencyCounter();
  let after = '';
  for (;;) {
    const rows = (await knex('hgd.members')
      .select('member_id', 'full_name')
      .where('member_id', '>', after)
      .orderBy('member_id')
      .limit(pageSize)) as Array<{ member_id: string; full_name: string }>;
    if (rows.length === 0) break;
    for (const r of rows) counter.add(r.full_name);
    after = rows[rows.length - 1]!.member_id;
  }
  const entries: Array<[string, string, number]> = [
    ...[...counter.family].map(([t, c]) => ['family', t, c] as [string, string, number]),
    ...[...counter.given].map(([t, c]) => ['given', t, c] as [string, string, number]),
  ];
  await knex.transaction(async (tx) => {
    await tx.raw('delete from hgd_match.name_frequencies');
    if (entries.length > 0) {
      await tx.raw(
        `insert into hgd_match.name_frequencies (kind, token, count) select * from unnest(?::text[], ?::text[], ?::int[])`,
        [entries.map((e) => e[0]), entries.map((e) => e[1]), entries.map((e) => e[2])],
      );
    }
    await tx.raw(
      `insert into hgd_match.frequency_totals (id, members, refreshed_at) values (true, ?, now())
       on conflict (id) do update set members = excluded.members, refreshed_at = excluded.refreshed_at`,
      [counter.total],
    );
  });
  return { members: counter.total, tokens: entries.length };
}
