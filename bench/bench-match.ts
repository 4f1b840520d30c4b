/**
 * `npm run bench:match [-- --sizes 100000,1000000 --queries 2000]`
 * For each HGD size: bulk import (rows/s), then single-query latency (p50/p95/p99, one query at a time through
 * Postgres, blocking + scoring) and batch throughput (queries/s through `matchBatch`), and peak memory (RSS).
 * Uses DATABASE_URL (default: the local stack) and replaces the HGD tables there.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { createDb } from '../connectors/db/knex.js';
import { migrateLatest } from '../connectors/db/migrate.js';
import { matchBatch } from '../connectors/hgd/batch-match.js';
import { importMembers, refreshNameFrequencies } from '../connectors/hgd/import.js';
import { loadMatchModel } from '../connectors/hgd/matcher.js';
import { postgresCandidateSource } from '../connectors/hgd/repository.js';
import { memberToLine } from '../src/matching/lines.js';
import { matchPerson } from '../src/matching/match.js';
import { directLoad } from './direct-load.js';
import { generateHgd, type GeneratedPerson } from './generator/households.js';
import { generateQueries } from './generator/queries.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,1000000' },
    queries: { type: 'string', default: '2000' },
    /** Reuse the HGD already in the database (imported by an earlier run of this bench at the same size). */
    'reuse-import': { type: 'boolean', default: false },
    /** `direct`: fill the tables with `bench/direct-load.ts` (same rows and keys; no import rows/s figure). */
    load: { type: 'string', default: 'import' },
  },
});
let peakRss = 0;
const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const knex = createDb(process.env['DATABASE_URL'] ?? 'postgres://vss:vss@127.0.0.1:5432/vss');
await migrateLatest(knex);
const pgVersion = ((await knex.raw('show server_version')) as { rows: Array<{ server_version: string }> })
  .rows[0]!.server_version;
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, PostgreSQL ${pgVersion}`,
);
console.log(
  '| members | import rows/s | single p50 ms | p95 ms | p99 ms | batch queries/s | avg candidates | peak RSS MiB |',
);
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const size of values.sizes.split(',').map(Number)) {
  const people: GeneratedPerson[] = [...generateHgd({ seed: 99, members: size })];
  // The batch runs over three times as many queries, all distinct (repeating the same queries would flatter the
  // name-preparation memo); single-query latency uses the first `--queries` of them.
  const { queries: allQueries } = generateQueries(people, { seed: 100, count: 3 * Number(values.queries) });
  const queries = allQueries.slice(0, Number(values.queries));
  const lines = Readable.from(
    (function* () {
      for (const p of people) yield `${memberToLine(p.member)}\n`;
    })(),
  );
  const imp = values['reuse-import']
    ? { rowsPerSecond: 0 }
    : values.load === 'direct'
      ? (await directLoad(
          knex,
          people.map((p) => p.member),
        ),
        { rowsPerSecond: 0 })
      : await importMembers(knex, lines, { truncate: true, batchSize: 5000 });
  if (!values['reuse-import']) await refreshNameFrequencies(knex);
  const model = await loadMatchModel(knex);
  const source = postgresCandidateSource(knex);
  for (const q of queries.slice(0, 200)) await matchPerson(q, source, model); // warm-up
  const lat: number[] = [];
  let cands = 0;
  for (const q of queries) {
    const t = process.hrtime.bigint();
    const r = await matchPerson(q, source, model);
    lat.push(Number(process.hrtime.bigint() - t) / 1e6);
    cands += r.blockedCount;
  }
  lat.sort((a, b) => a - b);
  const batchQueries = allQueries;
  const t0 = Date.now();
  let n = 0;
  for await (const _ of matchBatch(knex, batchQueries, model)) n++;
  const qps = Math.round(n / ((Date.now() - t0) / 1000));
  // The machine may be shared: the load average says how much of the two cores this run had.
  process.stderr.write(
    `load average (1/5/15 min) after ${size}: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' / ')}\n`,
  );
  console.log(
    `| ${size.toLocaleString('en')} | ${imp.rowsPerSecond.toLocaleString('en')} | ${pct(lat, 50).toFixed(2)} | ${pct(lat, 95).toFixed(2)} | ${pct(lat, 99).toFixed(2)} | ${qps.toLocaleString('en')} | ${(cands / queries.length).toFixed(1)} | ${Math.round(peakRss / 2 ** 20)} |`,
  );
}
clearInterval(sample);
await knex.destroy();
