import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Knex } from 'knex';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { NameFrequencyCounter } from '../../src/matching/frequencies.js';
import { ImportCpuMeter, type ImportCpu } from './import-cpu.js';
import { BINARY_COPY_HEADER, BINARY_COPY_TRAILER } from './import-keys.js';
import { memberFromRow, type MemberRow } from './rows.js';
import {
  IMPORT_COLUMNS,
  STAGING_COLUMNS,
  STAGING_COLUMNS_WITHOUT_KEYS,
  SeenHashes,
  memberKeyHashes,
  processChunkBytes,
  rejectOf,
  sha256,
  type EncodedChunkResult,
  type Reject,
} from './import-lines.js';
import {
  BLOCKING_KEY_SCHEME,
  IndexSchemeError,
  indexSchemeProblem,
  MARK_INDEX_SCHEME_SQL,
} from './index-scheme.js';

/**
 * Bulk import of HGD members from JSON lines (docs/batch-formats.md), idempotent on member_id.
 *
 * 1. Worker threads parse and validate the lines and compute each member's search-key hashes; the rows go with
 *    COPY into a temporary staging table (the member's columns and its key hashes as a `bigint[]`). A bad line goes
 *    to the reject file with its line number and reason, and the import goes on. Into an empty key table (first
 *    load, `truncate`) the key rows go straight into it instead, with COPY FREEZE in the import's transaction, and
 *    its indexes are built once at the end.
 * 2. One transaction merges the staging table: the last line for a member_id wins; a line whose BHXH code another
 *    member keeps (in HGD, or an earlier line of the file) is rejected; members are upserted in one statement (a
 *    line equal to the stored member changes nothing, not even its version); the search keys of new and changed
 *    members are rewritten (on a fresh load: the keys of members with a line taken out by these checks).
 * 3. After a load into empty tables, VACUUM (ANALYZE) of the members and ANALYZE of the key table (written frozen
 *    and all-visible by COPY FREEZE, so blocking's index-only scans skip the heap without a VACUUM).
 *
 * Name frequencies (the term-frequency tables matching reads) are refreshed when asked: from the counts of the
 * imported lines when HGD held nothing else, else by recounting every member (`refreshNameFrequencies`).
 */
export interface ImportOptions {
  /** Empty hgd.members, hgd.households and the search keys first (in the import's transaction). */
  truncate?: boolean;
  /**
   * Where rejected lines go (JSON lines: line number, member_id when readable, reason naming the field, SHA-256 of
   * the line). Never the line itself: it holds names, ID numbers, BHXH codes and dates of birth.
   */
  rejectsPath?: string;
  /** Refresh the name frequencies after the import (in its transaction when the import filled empty tables). */
  refreshFrequencies?: boolean;
  /** Worker threads for parsing and key computation (default: one per CPU, at most 4; 0 runs them inline). */
  workers?: number;
  /** @deprecated Ignored since the COPY import (rows are staged, then merged in one statement per step). */
  batchSize?: number;
  /** Bytes of input per chunk handed to a worker. */
  chunkBytes?: number;
  /** Bytes of COPY text per COPY statement (rows are sent in batches; default 16 MiB). */
  copyBatchChars?: number;
  /** Called as the import advances (after each chunk while reading, and at each merge step). */
  onProgress?: (p: ImportProgress) => void;
  /** Measure CPU time (this process, and the PostgreSQL backend when it runs on this machine): `summary.cpu`. */
  measureCpu?: boolean;
}

export type ImportPhase = 'reading' | 'merging' | 'keys' | 'indexing' | 'frequencies' | 'vacuum' | 'done';

export interface ImportProgress {
  phase: ImportPhase;
  lines: number;
  /** Lines staged so far (valid lines). */
  staged: number;
  /** Members written; known once the merge has run. */
  imported: number;
  rejected: number;
  elapsedMs: number;
}

export interface ImportSummary {
  lines: number;
  /** Distinct members merged (inserted, updated or unchanged). */
  imported: number;
  rejected: number;
  /** Lines for a member_id that a later line of the same file replaced. */
  superseded: number;
  unchanged: number;
  inserted: number;
  updated: number;
  /** Search-key rows written (for new and changed members). */
  keys: number;
  elapsedMs: number;
  rowsPerSecond: number;
  /** Time per step, in ms. */
  timings: Record<string, number>;
  /** CPU seconds spent, when `measureCpu` was set. */
  cpu?: ImportCpu;
  /** CPU seconds of the PostgreSQL backend per step (parallel workers not included), when measured. */
  backendCpuSteps?: Record<string, number>;
}

export type { Reject };

const STAGING = 'hgd_import_lines';
/** A direct load's households: each chunk's first line per household code (line, code, province, ward). */
const HOUSEHOLDS = 'hgd_import_households';

/** A database refusal as a reason that names the constraint, never the values (pg's `detail` quotes them). */
function databaseReason(constraint: string): string {
  return `database: ${constraint}: value held by another row`;
}

/** Runs chunks on worker threads (or inline), answering in submission order per worker. */
class ChunkPool {
  private readonly workers: Worker[] = [];
  private readonly waiting: Array<
    Array<{ resolve: (r: EncodedChunkResult) => void; reject: (e: Error) => void }>
  > = [];
  private next = 0;

  private submitted = 0;

  /**
   * Workers start with the second chunk: an input of one chunk (small files, tests) runs inline. `warm()` starts them
   * at once, for an input known to be larger (booting a worker, TypeScript loader included, takes a few hundred ms:
   * it then overlaps the import's first statements instead of delaying the reading).
   */
  constructor(private readonly size: number) {}

  warm(): void {
    if (this.workers.length === 0 && this.size > 0) this.start();
  }

  private start(): void {
    // The worker is TypeScript: it registers tsx, as bin/vss-bridge.mjs does, then loads import-worker.ts.
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href;
    const worker = new URL('./import-worker.ts', import.meta.url).href;
    const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(worker)}); })`;
    for (let i = 0; i < this.size; i++) {
      const w = new Worker(boot, { eval: true });
      const queue: (typeof this.waiting)[number] = [];
      w.on('message', (m: { ok: boolean; result?: EncodedChunkResult; error?: string }) => {
        const p = queue.shift();
        if (m.ok) p?.resolve(m.result!);
        else p?.reject(new Error(`import worker failed: ${m.error ?? 'unknown'}`));
      });
      w.on('error', (e) => {
        for (const p of queue.splice(0)) p.reject(e);
      });
      this.workers.push(w);
      this.waiting.push(queue);
    }
  }

  /** `bytes` must own its ArrayBuffer: it is moved to the worker thread. */
  run(
    bytes: Uint8Array,
    firstLine: number,
    keyRows: boolean,
    withLine: boolean,
  ): Promise<EncodedChunkResult> {
    if (this.submitted++ === 1 && this.size > 0 && this.workers.length === 0) this.start();
    if (this.workers.length === 0) {
      return new Promise((resolve, reject) =>
        setImmediate(() => {
          try {
            resolve(processChunkBytes(bytes, firstLine, keyRows, withLine));
          } catch (e) {
            reject(e as Error);
          }
        }),
      );
    }
    const i = this.next++ % this.workers.length;
    return new Promise((resolve, reject) => {
      this.waiting[i]!.push({ resolve, reject });
      this.workers[i]!.postMessage({ bytes, firstLine, keyRows, withLine }, [bytes.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * The input as byte chunks that end on a line boundary (a `\n` byte never occurs inside a UTF-8 sequence), each in an
 * ArrayBuffer of its own so it can move to a worker, with the number of the first line of each.
 */
export async function* byteChunks(
  input: string | Readable,
  chunkBytes: number,
): AsyncGenerator<{ bytes: Uint8Array; firstLine: number; lines: number }> {
  const stream =
    typeof input === 'string'
      ? createReadStream(input, { highWaterMark: Math.min(chunkBytes, 1 << 20) })
      : input;
  const countLines = (b: Uint8Array) => {
    let n = 0;
    for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) n++;
    return n;
  };
  // Parts are collected and joined once a chunk's worth has arrived: joining on every part would copy the pending
  // bytes again for each one, quadratic for a stream of small parts (a Readable of single lines).
  let parts: Buffer[] = [];
  let size = 0;
  let line = 1;
  for await (const part of stream as AsyncIterable<string | Buffer>) {
    const buf = typeof part === 'string' ? Buffer.from(part) : part;
    parts.push(buf);
    size += buf.length;
    if (size < chunkBytes) continue;
    const data = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
    const cut = data.lastIndexOf(10);
    if (cut === -1) {
      parts = [data];
      continue;
    }
    const bytes = new Uint8Array(data.subarray(0, cut + 1)); // a copy with its own ArrayBuffer
    const rest = data.subarray(cut + 1);
    parts = rest.length > 0 ? [rest] : [];
    size = rest.length;
    const lines = countLines(bytes);
    yield { bytes, firstLine: line, lines };
    line += lines;
  }
  if (size > 0) {
    const bytes = new Uint8Array(Buffer.concat(parts, size));
    const lines = countLines(bytes) + (bytes[bytes.length - 1] === 10 ? 0 : 1);
    yield { bytes, firstLine: line, lines };
  }
}

/** SHA-256 of the given lines of a file (for rejects decided by the database, after the file was read). */
async function digestsOfLines(path: string, wanted: Set<number>): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  if (wanted.size === 0) return out;
  for await (const c of byteChunks(path, 1 << 20)) {
    // A chunk ends on a line boundary, so it decodes whole.
    const ls = Buffer.from(c.bytes.buffer, c.bytes.byteOffset, c.bytes.byteLength)
      .toString('utf8')
      .split('\n');
    for (let i = 0; i < c.lines; i++) {
      const n = c.firstLine + i;
      if (wanted.has(n)) out.set(n, sha256(ls[i]!.endsWith('\r') ? ls[i]!.slice(0, -1) : ls[i]!));
    }
  }
  return out;
}

interface Conn {
  query(
    sql: string,
    params?: unknown[],
  ): Promise<{ rows: Array<Record<string, unknown>>; rowCount: number | null }>;
}

/** Indexes and unique/primary-key constraints of a table, as statements that create them again. */
async function indexDefinitions(c: Conn, table: string): Promise<{ drop: string[]; create: string[] }> {
  const cons = await c.query(
    `select conname, pg_get_constraintdef(oid) as def from pg_constraint
      where conrelid = $1::regclass and contype in ('p', 'u') order by conname`,
    [table],
  );
  const idx = await c.query(
    `select i.relname as name, pg_get_indexdef(i.oid) as def from pg_index x join pg_class i on i.oid = x.indexrelid
      where x.indrelid = $1::regclass and not exists (select 1 from pg_constraint k where k.conindid = i.oid)
      order by i.relname`,
    [table],
  );
  const schema = table.split('.')[0]!;
  return {
    drop: [
      ...cons.rows.map((r) => `alter table ${table} drop constraint ${String(r['conname'])}`),
      ...idx.rows.map((r) => `drop index ${schema}.${String(r['name'])}`),
    ],
    create: [
      ...cons.rows.map(
        (r) => `alter table ${table} add constraint ${String(r['conname'])} ${String(r['def'])}`,
      ),
      ...idx.rows.map((r) => String(r['def'])),
    ],
  };
}

export async function importMembers(
  knex: Knex,
  input: string | Readable,
  opts: ImportOptions = {},
): Promise<ImportSummary> {
  const started = Date.now();
  const meter = opts.measureCpu ? new ImportCpuMeter(knex) : null;
  const timings: Record<string, number> = {};
  let stepStart = started;
  const backendCpuSteps: Record<string, number> = {};
  let backendCpuStart = 0;
  const step = (name: string) => {
    const now = Date.now();
    timings[name] = now - stepStart;
    stepStart = now;
    const cpu = meter?.backendSeconds() ?? null;
    if (cpu !== null) {
      backendCpuSteps[name] = Math.round((cpu - backendCpuStart) * 100) / 100;
      backendCpuStart = cpu;
    }
  };
  let phase: ImportPhase = 'reading';
  let lines = 0;
  let staged = 0;
  let imported = 0;
  const rejects: Reject[] = [];
  const progress = (p: ImportPhase) => {
    phase = p;
    opts.onProgress?.({
      phase,
      lines,
      staged,
      imported,
      rejected: rejects.length,
      elapsedMs: Date.now() - started,
    });
  };

  const workers = opts.workers ?? Math.min(4, availableParallelism());
  const names = new NameFrequencyCounter();
  const raw = (await knex.client.acquireConnection()) as pg.Client;
  const c: Conn = raw as unknown as Conn;
  if (meter) meter.follow(Number((await c.query('select pg_backend_pid() as pid')).rows[0]!['pid']));
  let inTransaction = false;
  const pool = new ChunkPool(workers);
  const chunkBytes = opts.chunkBytes ?? 256 * 1024;
  try {
    // (An unreadable file fails below, when read, as it did before.)
    const size =
      typeof input === 'string'
        ? await stat(input).then(
            (st) => st.size,
            () => 0,
          )
        : 0;
    if (size > chunkBytes) pool.warm();
    // A load into empty tables (first load, `truncate`) runs in one transaction from the start: the key table is
    // truncated in it (empty already when not asked to), so the search keys go straight in with COPY FREEZE — no
    // second copy of them through the staging table, and the pages are written frozen and all-visible, so blocking's
    // index-only scans need no VACUUM of the key table. Any other import reads first and merges in a transaction at
    // the end.
    await c.query('begin');
    inTransaction = true;
    await c.query(`set local work_mem = '256MB'`);
    await c.query(`set local maintenance_work_mem = '1GB'`);
    if (opts.truncate) await c.query('truncate hgd.members, hgd.households, hgd_match.member_keys');
    else await c.query('lock table hgd.members in exclusive mode');
    const emptyBefore = (
      await c.query(`select not exists (select 1 from hgd.members) as members_empty,
                            not exists (select 1 from hgd_match.member_keys) as keys_empty,
                            not exists (select 1 from hgd.households) as households_empty`)
    ).rows[0]!;
    const freshLoad = emptyBefore['members_empty'] === true && emptyBefore['keys_empty'] === true;
    // Keys of this version's scheme go into an empty index (recorded as such), never next to another scheme's.
    if (emptyBefore['keys_empty'] === true) await c.query(MARK_INDEX_SCHEME_SQL, [BLOCKING_KEY_SCHEME]);
    else {
      const stored = (await c.query('select blocking_keys from hgd_match.index_scheme')).rows[0]?.[
        'blocking_keys'
      ];
      const problem = indexSchemeProblem({
        stored: Number(stored ?? 0),
        current: BLOCKING_KEY_SCHEME,
        hasKeys: true,
      });
      if (problem !== null) throw new IndexSchemeError(`hgd import refused: ${problem}`);
    }
    // Households too (first load, `truncate`): they are inserted without their indexes, which are built after.
    const freshHouseholds = freshLoad && emptyBefore['households_empty'] === true;
    let keyDefs: { drop: string[]; create: string[] } | null = null;
    // With `truncate` (HGD emptied in this transaction) the members too go straight in with COPY FREEZE, without
    // their indexes: no staging table, no INSERT … SELECT, no VACUUM. The staging table is only made (from the rows
    // loaded, in load order, with their line numbers) when the file turns out to repeat a member id or a BHXH code.
    const direct = freshLoad && opts.truncate === true;
    let memberDefs: { drop: string[]; create: string[] } | null = null;
    // The accepted lines' numbers, in load order, as runs of consecutive numbers (start, length): only needed if the
    // file repeats something, and a file is mostly runs (blank and rejected lines break them).
    const acceptedRuns: number[] = [];
    if (freshLoad) {
      if (!opts.truncate) await c.query('truncate hgd_match.member_keys');
      // Sorting the key rows once per index is several times cheaper than maintaining the B-trees row by row.
      keyDefs = await indexDefinitions(c, 'hgd_match.member_keys');
      for (const st of keyDefs.drop) await c.query(st);
      if (direct) {
        memberDefs = await indexDefinitions(c, 'hgd.members');
        for (const st of memberDefs.drop) await c.query(st);
      }
    } else {
      await c.query('commit');
      inTransaction = false;
    }
    await c.query(`drop table if exists ${STAGING}`);
    const createStaging = `create temporary table ${STAGING} (
      line integer not null, ${IMPORT_COLUMNS.map((col) => `${col} text`).join(', ')}
      ${freshLoad ? '' : ', keys bigint[] not null'})`;
    if (!direct) await c.query(createStaging);
    else {
      await c.query(`drop table if exists ${HOUSEHOLDS}`);
      await c.query(
        `create temporary table ${HOUSEHOLDS} (line integer not null, household_code text not null,
           province_code text, ward_code text)`,
      );
    }
    const stagingCopy = direct
      ? `copy hgd.members (${IMPORT_COLUMNS.join(', ')}) from stdin with (freeze)`
      : `copy ${STAGING} (${(freshLoad ? STAGING_COLUMNS_WITHOUT_KEYS : STAGING_COLUMNS).join(', ')}) from stdin`;

    // 1. Read, validate, compute keys (worker threads) and COPY into the staging table (and, for a fresh load, the
    // key table), in input order. Rows go in batches of a few MB, one batch COPYing while the next one is prepared.
    let keyRows = 0;
    let batch: { staging: Uint8Array[]; keys: Uint8Array[]; households: Uint8Array[]; chars: number } = {
      staging: [],
      keys: [],
      households: [],
      chars: 0,
    };
    let copying: Promise<void> = Promise.resolve();
    const copyIn = async (sql: string, parts: Uint8Array[], binary = false) => {
      const stream = raw.query(copyFrom(sql));
      const done = finished(stream);
      done.catch(() => undefined); // awaited below; a failure also surfaces through write()
      if (binary) stream.write(BINARY_COPY_HEADER);
      for (const part of parts) if (!stream.write(part)) await once(stream, 'drain');
      if (binary) stream.write(BINARY_COPY_TRAILER);
      stream.end();
      await done;
    };
    const flush = async () => {
      const b = batch;
      batch = { staging: [], keys: [], households: [], chars: 0 };
      await copying;
      copying = (async () => {
        if (b.staging.length > 0) await copyIn(stagingCopy, b.staging);
        if (b.keys.length > 0)
          await copyIn(
            'copy hgd_match.member_keys (key_hash, member_id) from stdin with (format binary, freeze)',
            b.keys,
            true,
          );
        if (b.households.length > 0)
          await copyIn(
            `copy ${HOUSEHOLDS} (line, household_code, province_code, ward_code) from stdin`,
            b.households,
          );
      })();
      copying.catch(() => undefined); // awaited at the next flush or after the last one
    };
    const batchChars = opts.copyBatchChars ?? 16 << 20;
    const inflight: Array<Promise<EncodedChunkResult>> = [];
    const maxInflight = Math.max(2, 2 * workers);
    const seenIds = new SeenHashes();
    const seenCodes = new SeenHashes();
    const take = async () => {
      const r = await inflight.shift()!;
      seenIds.addAll(r.idHashes);
      seenCodes.addAll(r.codeHashes);
      rejects.push(...r.rejects);
      staged += r.accepted;
      keyRows += r.keys;
      if (direct)
        for (const line of r.lines) {
          const last = acceptedRuns.length - 2;
          if (last >= 0 && acceptedRuns[last]! + acceptedRuns[last + 1]! === line) acceptedRuns[last + 1]!++;
          else acceptedRuns.push(line, 1);
        }
      names.total += r.names.total;
      for (const [t, n] of r.names.family) names.family.set(t, (names.family.get(t) ?? 0) + n);
      for (const [t, n] of r.names.given) names.given.set(t, (names.given.get(t) ?? 0) + n);
      if (r.copy.byteLength > 0) batch.staging.push(r.copy);
      if (r.keyCopy.byteLength > 0) batch.keys.push(r.keyCopy);
      if (r.householdCopy.byteLength > 0) batch.households.push(r.householdCopy);
      batch.chars += r.copy.byteLength + r.keyCopy.byteLength;
      if (batch.chars >= batchChars) await flush();
      progress('reading');
    };
    for await (const chunk of byteChunks(input, chunkBytes)) {
      lines = chunk.firstLine + chunk.lines - 1;
      inflight.push(pool.run(chunk.bytes, chunk.firstLine, freshLoad, !direct));
      if (inflight.length >= maxInflight) await take();
    }
    while (inflight.length > 0) await take();
    await flush();
    await copying;
    step('read_and_copy');

    // 2. Merge, in one transaction.
    progress('merging');
    if (!inTransaction) {
      await c.query('begin');
      inTransaction = true;
      await c.query(`set local work_mem = '256MB'`);
      await c.query(`set local maintenance_work_mem = '1GB'`);
    }
    // A direct load of a file that repeats a member id or a BHXH code: the rows go back to a staging table, with their
    // line numbers (the table holds them in load order: COPY appends to the table emptied in this transaction), and
    // the merge below takes out superseded and conflicting lines as for any other load.
    let viaStaging = !direct;
    if (direct && (seenIds.repeated || seenCodes.repeated)) {
      await c.query(createStaging);
      // The line number of the n-th row loaded, sent with COPY in parts (a national file has ~10^8 of them).
      await c.query('create temporary table hgd_import_order (n bigint not null, line integer not null)');
      const orderCopy = 'copy hgd_import_order (n, line) from stdin';
      let parts: Uint8Array[] = [];
      let text = '';
      let n = 0;
      for (let r = 0; r < acceptedRuns.length; r += 2) {
        for (let line = acceptedRuns[r]!, end = line + acceptedRuns[r + 1]!; line < end; line++) {
          text += `${++n}\t${line}\n`;
          if (text.length < 1 << 20) continue;
          parts.push(Buffer.from(text));
          text = '';
          if (parts.length < 16) continue;
          await copyIn(orderCopy, parts);
          parts = [];
        }
      }
      parts.push(Buffer.from(text));
      await copyIn(orderCopy, parts);
      const cols = IMPORT_COLUMNS.join(', ');
      await c.query(
        `insert into ${STAGING} (line, ${cols})
         select o.line, ${cols} from (select row_number() over (order by ctid) as n, ${cols} from hgd.members) m
           join hgd_import_order o using (n)`,
      );
      await c.query('drop table hgd_import_order');
      await c.query('truncate hgd.members');
      viaStaging = true;
    }
    if (viaStaging) await c.query(`analyze ${STAGING}`);
    const removedNames: string[] = [];
    // The last line for a member_id wins, as a later import of that line would. (Skipped when no member id repeats:
    // the readers hashed every one.)
    const none = { rows: [] as Array<Record<string, unknown>>, rowCount: 0 };
    const sup = !seenIds.repeated
      ? none
      : await c.query(
          `delete from ${STAGING} l using (select member_id, max(line) as line from ${STAGING} group by member_id
             having count(*) > 1) d where l.member_id = d.member_id and l.line < d.line returning l.member_id, l.full_name`,
        );
    const superseded = sup.rowCount ?? 0;
    // Members with a line taken out: on a fresh load the key table holds that line's keys too.
    const removedIds = new Set<string>();
    for (const r of sup.rows) {
      removedNames.push(String(r['full_name']));
      removedIds.add(String(r['member_id']));
    }
    // A BHXH code belongs to one person: a line is rejected when an earlier line of the file gives the code to another
    // member, or when a member the file leaves alone holds it. Rejecting a line leaves that member's stored code in
    // place, which can make another line conflict: repeat until nothing more is rejected.
    const dbRejected: Array<{ line: number; memberId: string }> = [];
    for (;;) {
      // Repeats within the file only when some code repeats; codes held in HGD only when HGD held members.
      const inFile = !seenCodes.repeated
        ? none
        : await c.query(
            `delete from ${STAGING} l
              using (select bhxh_code, min(line) as first from ${STAGING} where bhxh_code is not null
                      group by bhxh_code having count(*) > 1) d
              where l.bhxh_code = d.bhxh_code and l.line > d.first
             returning l.line, l.member_id, l.full_name`,
          );
      const inDb = freshLoad
        ? none
        : await c.query(
            `delete from ${STAGING} l using hgd.members m
              where m.bhxh_code = l.bhxh_code and m.member_id <> l.member_id
                and not exists (select 1 from ${STAGING} o where o.member_id = m.member_id)
             returning l.line, l.member_id, l.full_name`,
          );
      for (const row of [...inFile.rows, ...inDb.rows]) {
        dbRejected.push({ line: Number(row['line']), memberId: String(row['member_id']) });
        removedIds.add(String(row['member_id']));
        removedNames.push(String(row['full_name']));
      }
      if ((inDb.rowCount ?? 0) === 0) break;
    }
    step('checks');
    // Codes that move from one member to another within the file: free them first (the unique index is checked row
    // by row, so a swap would otherwise collide halfway). A fresh load has no stored member to free a code from.
    if (!freshLoad)
      await c.query(
        `update hgd.members m set bhxh_code = null from ${STAGING} l
          where l.bhxh_code = m.bhxh_code and l.member_id <> m.member_id`,
      );
    // The first line of a household gives its province and ward. Into an empty table (DISTINCT ON gives one row per
    // code) the rows go in without the indexes, which are then built once: cheaper than row-by-row upkeep.
    // Loaded directly, the readers sent each chunk's first line per household (a few rows per household at most).
    const householdDefs = freshHouseholds ? await indexDefinitions(c, 'hgd.households') : null;
    for (const st of householdDefs?.drop ?? []) await c.query(st);
    await c.query(
      `insert into hgd.households (household_code, province_code, ward_code)
       select distinct on (household_code collate "C") household_code, province_code, ward_code
         from ${viaStaging ? STAGING : HOUSEHOLDS}
        where household_code is not null order by household_code collate "C", line
       ${freshHouseholds ? '' : 'on conflict (household_code) do nothing'}`,
    );
    for (const st of householdDefs?.create ?? []) await c.query(st);
    step('households');
    let inserted: number;
    let updated: number;
    if (freshLoad) {
      // Sorting a million rows once per index is several times cheaper than maintaining the B-trees row by row.
      // (A direct load dropped them before its COPY.)
      const defs = memberDefs ?? (await indexDefinitions(c, 'hgd.members'));
      if (!memberDefs) for (const st of defs.drop) await c.query(st);
      inserted = staged;
      if (viaStaging) {
        const ins = await c.query(
          `insert into hgd.members (${IMPORT_COLUMNS.join(', ')}) select ${IMPORT_COLUMNS.join(', ')} from ${STAGING}`,
        );
        inserted = ins.rowCount ?? 0;
      }
      for (const st of defs.create) await c.query(st);
      updated = 0;
    } else {
      await c.query(
        'create temporary table hgd_import_touched (member_id text not null, inserted boolean not null)',
      );
      await c.query(
        `with up as (
           insert into hgd.members (${IMPORT_COLUMNS.join(', ')})
           select ${IMPORT_COLUMNS.join(', ')} from ${STAGING}
           on conflict (member_id) do update set
             ${IMPORT_COLUMNS.filter((col) => col !== 'member_id')
               .map((col) => `${col} = excluded.${col}`)
               .join(', ')},
             version = hgd.members.version + 1,
             updated_at = now()
           where (${IMPORT_COLUMNS.map((col) => `hgd.members.${col}`).join(', ')})
             is distinct from (${IMPORT_COLUMNS.map((col) => `excluded.${col}`).join(', ')})
           returning member_id, (xmax = 0) as inserted)
         insert into hgd_import_touched select member_id, inserted from up`,
      );
      const counts = (
        await c.query(
          `select count(*) filter (where inserted) as inserted, count(*) filter (where not inserted) as updated
             from hgd_import_touched`,
        )
      ).rows[0]!;
      inserted = Number(counts['inserted']);
      updated = Number(counts['updated']);
    }
    imported = staged - superseded - dbRejected.length;
    step('members');

    // 3. Search keys.
    progress('keys');
    let keys: number;
    let keysVacuum = false;
    if (freshLoad) {
      // The key rows are in (COPY FREEZE while reading); build the indexes once. Lines the checks took out left their
      // keys behind (two lines of one member can share a key): the keys of those members are rewritten from the lines
      // kept, after the plain indexes (the member_id one finds them) and before the unique ones.
      progress('indexing');
      const constraints = keyDefs!.create.filter(
        (st) => st.startsWith('alter table') || st.startsWith('CREATE UNIQUE INDEX'),
      );
      for (const st of keyDefs!.create) if (!constraints.includes(st)) await c.query(st);
      keys = keyRows;
      if (removedIds.size > 0) {
        const ids = [...removedIds];
        const del = await c.query('delete from hgd_match.member_keys where member_id = any($1::text[])', [
          ids,
        ]);
        const kept = await c.query(
          `select ${IMPORT_COLUMNS.join(', ')} from ${STAGING} where member_id = any($1::text[])`,
          [ids],
        );
        const hashes: string[] = [];
        const owners: string[] = [];
        for (const row of kept.rows) {
          const m = memberFromRow({ ...(row as unknown as Omit<MemberRow, 'version'>), version: 1 });
          for (const h of memberKeyHashes(m)) {
            hashes.push(h);
            owners.push(m.memberId);
          }
        }
        await c.query(
          'insert into hgd_match.member_keys (key_hash, member_id) select * from unnest($1::bigint[], $2::text[])',
          [hashes, owners],
        );
        keys += hashes.length - (del.rowCount ?? 0);
        keysVacuum = true;
      }
      for (const st of constraints) await c.query(st);
      step('keys_index');
    } else {
      await c.query(
        `delete from hgd_match.member_keys k using hgd_import_touched t
          where k.member_id = t.member_id and not t.inserted`,
      );
      const k = await c.query(
        `insert into hgd_match.member_keys (key_hash, member_id)
         select unnest(l.keys), l.member_id from ${STAGING} l join hgd_import_touched t using (member_id)
         on conflict do nothing`,
      );
      keys = k.rowCount ?? 0;
      step('keys');
    }

    // 4. Name frequencies, in the same transaction when the staged lines are all of HGD.
    if (opts.refreshFrequencies && freshLoad) {
      progress('frequencies');
      const minus = new NameFrequencyCounter();
      for (const n of removedNames) minus.add(n);
      await writeFrequencies(c, subtract(names, minus));
      step('frequencies');
    }
    await c.query('commit');
    inTransaction = false;
    await c.query(`drop table if exists ${STAGING}, ${HOUSEHOLDS}, hgd_import_touched`);

    if (opts.refreshFrequencies && !freshLoad) {
      progress('frequencies');
      await refreshNameFrequencies(knex);
      step('frequencies');
    }
    if (freshLoad) {
      // VACUUM (not only ANALYZE) sets the visibility map, so blocking's index-only scans on the key table skip the
      // heap. One statement per call: VACUUM cannot run inside a transaction block.
      progress('vacuum');
      // (Members loaded directly with COPY FREEZE are frozen and all-visible already: ANALYZE only.)
      await c.query(`${viaStaging ? 'vacuum (analyze)' : 'analyze'} hgd.members`);
      // COPY FREEZE left the key table's pages all-visible; only rows rewritten above need a VACUUM.
      await c.query(`${keysVacuum ? 'vacuum (analyze)' : 'analyze'} hgd_match.member_keys`);
      step('vacuum');
    }

    // Rejects, in line order, with the digest of lines the database refused (read again from the file).
    const digests =
      typeof input === 'string' ? await digestsOfLines(input, new Set(dbRejected.map((r) => r.line))) : null;
    for (const r of dbRejected) {
      const rej = rejectOf(r.line, null, databaseReason('members_bhxh_code_uq'), r.memberId);
      rej.sha256 = digests?.get(r.line) ?? null;
      rejects.push(rej);
    }
    rejects.sort((a, b) => a.line - b.line);
    if (opts.rejectsPath && rejects.length > 0) await writeRejects(opts.rejectsPath, rejects);
    progress('done');
    const elapsedMs = Date.now() - started;
    const cpu = meter ? await meter.stop() : undefined;
    return {
      lines,
      imported,
      rejected: rejects.length,
      superseded,
      unchanged: imported - inserted - updated,
      inserted,
      updated,
      keys,
      elapsedMs,
      rowsPerSecond: elapsedMs > 0 ? Math.round((imported / elapsedMs) * 1000) : 0,
      timings,
      ...(cpu ? { cpu, backendCpuSteps } : {}),
    };
  } catch (e) {
    if (inTransaction) await c.query('rollback').catch(() => undefined);
    throw e;
  } finally {
    if (meter) await meter.stop();
    await pool.close();
    await c
      .query(`drop table if exists ${STAGING}, ${HOUSEHOLDS}, hgd_import_order, hgd_import_touched`)
      .catch(() => undefined);
    await knex.client.releaseConnection(raw);
  }
}

async function writeRejects(path: string, rejects: Reject[]): Promise<void> {
  const s: WriteStream = createWriteStream(path);
  for (const r of rejects) if (!s.write(`${JSON.stringify(r)}\n`)) await once(s, 'drain');
  await new Promise<void>((resolve, reject) =>
    s.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
}

function subtract(a: NameFrequencyCounter, b: NameFrequencyCounter): NameFrequencyCounter {
  const out = new NameFrequencyCounter();
  out.total = a.total - b.total;
  for (const [from, to] of [
    [a.family, out.family],
    [a.given, out.given],
  ] as const) {
    for (const [t, n] of from) to.set(t, n);
  }
  for (const [from, to] of [
    [b.family, out.family],
    [b.given, out.given],
  ] as const) {
    for (const [t, n] of from) {
      const left = (to.get(t) ?? 0) - n;
      if (left > 0) to.set(t, left);
      else to.delete(t);
    }
  }
  return out;
}

async function writeFrequencies(c: Conn, counter: NameFrequencyCounter): Promise<void> {
  const entries: Array<[string, string, number]> = [
    ...[...counter.family].map(([t, n]) => ['family', t, n] as [string, string, number]),
    ...[...counter.given].map(([t, n]) => ['given', t, n] as [string, string, number]),
  ];
  await c.query('delete from hgd_match.name_frequencies');
  if (entries.length > 0) {
    await c.query(
      `insert into hgd_match.name_frequencies (kind, token, count) select * from unnest($1::text[], $2::text[], $3::int[])`,
      [entries.map((e) => e[0]), entries.map((e) => e[1]), entries.map((e) => e[2])],
    );
  }
  await c.query(
    `insert into hgd_match.frequency_totals (id, members, refreshed_at) values (true, $1, now())
     on conflict (id) do update set members = excluded.members, refreshed_at = excluded.refreshed_at`,
    [counter.total],
  );
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
  const raw = (await knex.client.acquireConnection()) as pg.Client;
  try {
    await raw.query('begin');
    try {
      await writeFrequencies(raw as unknown as Conn, counter);
      await raw.query('commit');
    } catch (e) {
      await raw.query('rollback').catch(() => undefined);
      throw e;
    }
  } finally {
    await knex.client.releaseConnection(raw);
  }
  return { members: counter.total, tokens: counter.family.size + counter.given.size };
}
