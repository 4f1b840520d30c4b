/**
 * `node --import tsx bench/bench-match-file.ts --queries bench/out/gen2-1000000/queries.jsonl [--repeat 1]
 *   [--chunk-size 128] [--concurrency 3] [--workers n] [--decisions-out file]`
 * Batch-matches the queries of a query-line file against the HGD already loaded in DATABASE_URL (e.g. by `npm run
 * eval:gen2`), and prints queries/s, the load average and the CPU spent per 1,000 queries (this Node process and the
 * PostgreSQL backends serving it). For measuring a change to batch matching on the same data without loading again.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createDb } from '../connectors/db/knex.js';
import { BatchWorkers, matchBatch } from '../connectors/hgd/batch-match.js';
import { loadMatchModel } from '../connectors/hgd/matcher.js';
import { queryFromLine } from '../src/matching/lines.js';
import type { PersonQuery } from '../src/matching/types.js';
import { cpuSince, formatCpuPer1000, readCpu, withApplicationName } from './bench-match-cpu.js';

const { values } = parseArgs({
  options: {
    queries: { type: 'string' },
    repeat: { type: 'string', default: '1' },
    'chunk-size': { type: 'string' },
    concurrency: { type: 'string' },
    /** Worker threads for blocking and scoring (default: one per core, at most 4; 0: all in the main thread). */
    workers: { type: 'string' },
    parameters: { type: 'string' },
    'decisions-out': { type: 'string' },
  },
});
if (!values.queries) throw new Error('--queries <file> is required');
const queries: PersonQuery[] = [];
for (const line of readFileSync(values.queries, 'utf8').split('\n')) {
  if (line.trim() === '') continue;
  const r = queryFromLine(line);
  if (r.ok) queries.push(r.value);
}
const knex = createDb(
  withApplicationName(
    process.env['DATABASE_URL'] ?? 'postgres://vss:vss@127.0.0.1:5432/vss',
    'vss-bench-match',
  ),
);
const model = await loadMatchModel(knex, values.parameters);
const opts = {
  ...(values['chunk-size'] ? { chunkSize: Number(values['chunk-size']) } : {}),
  ...(values.concurrency ? { concurrency: Number(values.concurrency) } : {}),
};
const workerCount =
  values.workers !== undefined ? Number(values.workers) : Math.min(4, availableParallelism());
// Started before the clock and closed after the CPU reading, so the readings see the workers' connections, and the
// threads' start-up (about a second of CPU each) is not counted per query.
const workers = workerCount > 0 ? new BatchWorkers(knex, model, workerCount, opts.concurrency) : undefined;
if (workers) await workers.ready();
for (let round = 0; round < Number(values.repeat); round++) {
  const cpuStart = await readCpu(knex);
  const t0 = Date.now();
  const digest = createHash('sha256');
  const lines: string[] = [];
  let candidates = 0;
  for await (const { query, result } of matchBatch(knex, queries, model, { ...opts, workers })) {
    candidates += result.blockedCount;
    const line = JSON.stringify({
      q: query.queryId,
      d: result.decision,
      r: result.refusal ?? null,
      c: result.candidates.map((x) => [x.memberId, x.score, x.probability]),
    });
    digest.update(line);
    if (values['decisions-out']) lines.push(line);
  }
  const s = (Date.now() - t0) / 1000;
  const cpu = await cpuSince(knex, cpuStart);
  if (values['decisions-out']) writeFileSync(values['decisions-out'], lines.map((l) => `${l}\n`).join(''));
  console.log(
    `${queries.length} queries in ${s.toFixed(1)} s: ${Math.round(queries.length / s)} queries/s, ` +
      `${(candidates / queries.length).toFixed(1)} blocked per query, ${workerCount} worker threads; ${formatCpuPer1000(cpu, queries.length)}; ` +
      `load average ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' / ')}; decisions sha256 ${digest.digest('hex').slice(0, 16)}`,
  );
}
await workers?.close();
await knex.destroy();
