import type { Knex } from 'knex';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { queryBlockingKeys } from '../../src/matching/blocking.js';
import { scoreCandidates } from '../../src/matching/match.js';
import { preparePerson } from '../../src/matching/prepare.js';
import type { MatchModel, MatchResult, PersonQuery } from '../../src/matching/types.js';
import { findCandidatesBatch } from './repository.js';

export interface BatchMatchOptions {
  /** Queries blocked together in one statement (default 128). */
  chunkSize?: number;
  /** Chunks in flight (per worker thread when `workers` > 0; default 3). */
  concurrency?: number;
  /**
   * Worker threads that block and score whole chunks over their own connections (default 0: all in this thread).
   * Parsing the candidate rows and scoring them is most of the Node side of batch matching; with workers it runs on
   * every core instead of one. Needs `knex` to be a pool (not a transaction) whose connection settings can be handed
   * to a thread (a connection string, TLS options without functions). A `BatchWorkers` started by the caller is
   * used and left running (the caller closes it); a number starts that many for this call only.
   */
  workers?: number | BatchWorkers;
}

/** Blocks one chunk of queries (one statement) and scores each against its candidates. */
export async function runChunk(
  db: Knex | Knex.Transaction,
  chunk: PersonQuery[],
  model: MatchModel,
): Promise<MatchResult[]> {
  const prepared = chunk.map(preparePerson);
  const candidates = await findCandidatesBatch(
    db,
    prepared.map((p) => queryBlockingKeys(p)),
  );
  return chunk.map((_, i) => scoreCandidates(prepared[i]!, candidates[i]!, model));
}

/**
 * Batch matching: blocks a chunk of queries (one statement, `findCandidatesBatch`) and scores them, with several
 * chunks in flight so Postgres and Node work at the same time; with `workers`, on worker threads. Results come in
 * the order of the queries, and are the same with or without workers.
 */
export async function* matchBatch(
  knex: Knex,
  queries: AsyncIterable<PersonQuery> | Iterable<PersonQuery>,
  model: MatchModel,
  opts: BatchMatchOptions = {},
): AsyncGenerator<{ query: PersonQuery; result: MatchResult }> {
  const chunkSize = opts.chunkSize ?? 128;
  const concurrency = opts.concurrency ?? 3;
  const own = typeof opts.workers === 'number' && opts.workers > 0;
  const pool =
    typeof opts.workers === 'object'
      ? opts.workers
      : own
        ? new BatchWorkers(knex, model, opts.workers as number, concurrency)
        : null;
  const run = async (chunk: PersonQuery[]) => {
    // One blocking statement per chunk (few round trips); several chunks in flight keep Postgres busy while Node
    // scores.
    const results = await (pool ? pool.run(chunk) : runChunk(knex, chunk, model));
    return chunk.map((query, i) => ({ query, result: results[i]! }));
  };
  const inFlight: Array<Promise<Array<{ query: PersonQuery; result: MatchResult }>>> = [];
  const limit = concurrency * Math.max(1, pool?.size ?? 0);
  try {
    let chunk: PersonQuery[] = [];
    for await (const q of queries) {
      chunk.push(q);
      if (chunk.length >= chunkSize) {
        inFlight.push(run(chunk));
        chunk = [];
        if (inFlight.length >= limit) yield* await inFlight.shift()!;
      }
    }
    if (chunk.length > 0) inFlight.push(run(chunk));
    while (inFlight.length > 0) yield* await inFlight.shift()!;
  } finally {
    // A consumer that stops early leaves chunks in flight: their results are dropped, not left unhandled.
    for (const p of inFlight) p.catch(() => undefined);
    if (own) await pool?.close();
  }
}

/**
 * Worker threads running `runChunk`, each with its own connections (up to `concurrency` each, from `knex`'s
 * connection settings); chunks go round robin. The model is copied to each thread once, at start.
 */
export class BatchWorkers {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<
    number,
    { resolve: (r: MatchResult[]) => void; reject: (e: Error) => void }
  >();
  private nextId = 0;
  private failed: Error | null = null;
  private readonly started: Promise<void>[] = [];

  constructor(
    knex: Knex,
    model: MatchModel,
    readonly size: number,
    concurrency = 3,
  ) {
    const connection = (knex.client as { config: Knex.Config }).config.connection;
    if (typeof connection === 'function')
      throw new Error('batch workers need connection settings, not a function');
    // The worker is TypeScript: it registers tsx, as bin/vss-bridge.mjs does, then loads batch-match-worker.ts.
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href;
    const worker = new URL('./batch-match-worker.ts', import.meta.url).href;
    const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(worker)}); })`;
    for (let i = 0; i < size; i++) {
      const w = new Worker(boot, { eval: true, workerData: { connection, model, poolMax: concurrency } });
      this.started.push(
        new Promise<void>((resolve, reject) => {
          w.once('message', () => resolve());
          w.once('error', reject);
        }),
      );
      w.on('message', (m: { id?: number; ok?: boolean; results?: MatchResult[]; error?: string }) => {
        if (m.id === undefined) return; // the ready message
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.ok) p?.resolve(m.results!);
        else p?.reject(new Error(`batch match worker failed: ${m.error ?? 'unknown'}`));
      });
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`batch match worker exited with code ${code}`));
      });
      this.workers.push(w);
    }
  }

  /** Resolves when every thread has loaded and is waiting for chunks. */
  async ready(): Promise<void> {
    await Promise.all(this.started);
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  run(chunk: PersonQuery[]): Promise<MatchResult[]> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[id % this.workers.length]!.postMessage({ id, chunk });
    });
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            w.once('exit', () => resolve());
            w.postMessage({ close: true });
          }),
      ),
    );
  }
}
