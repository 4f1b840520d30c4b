import knexFactory, { type Knex } from 'knex';
import { parentPort, workerData } from 'node:worker_threads';
// Registers the column parsers (DATE as text, INT8 as number) in this thread, as for the main thread's pool.
import '../db/knex.js';
import { runChunk } from './batch-match.js';
import type { MatchModel, PersonQuery } from '../../src/matching/types.js';

/**
 * Worker thread of batch matching (`matchBatch` with `workers`): blocks and scores whole chunks of queries over its
 * own connections, so the parsing of candidate rows and the scoring, the Node side of batch matching, run on every
 * core. Answers each chunk with its results, in the order of its queries.
 */
const port = parentPort;
if (port === null) throw new Error('batch-match-worker.ts runs as a worker thread');
const data = workerData as { connection: Knex.StaticConnectionConfig; model: MatchModel; poolMax: number };
const knex = knexFactory({
  client: 'pg',
  connection: data.connection,
  pool: { min: 0, max: data.poolMax, acquireTimeoutMillis: 10_000 },
  acquireConnectionTimeout: 10_000,
});
port.on('message', (msg: { id: number; chunk?: PersonQuery[]; close?: boolean }) => {
  if (msg.close) {
    void knex.destroy().then(() => port.close());
    return;
  }
  runChunk(knex, msg.chunk ?? [], data.model).then(
    (results) => port.postMessage({ id: msg.id, ok: true, results }),
    // The message names no value of a query (PII): the error's name and, for a database error, its code.
    (e: unknown) =>
      port.postMessage({
        id: msg.id,
        ok: false,
        error: `${(e as Error).name ?? 'Error'}${(e as { code?: string }).code ? ` ${(e as { code?: string }).code}` : ''}`,
      }),
  );
});
port.postMessage({ ready: true });
