/**
 * `npm run bench:match [-- --sizes 100000,1000000 --queries 2000]`
 * For each HGD size: bulk import (`hgd import`'s COPY path, keys and name frequencies included), then single-query latency (p50/p95/p99, one query at a time through
 * Postgres, blocking + scoring) and batch throughput (queries/s through `matchBatch`), and peak memory (RSS).
 * Disk used by the key table and the members table (with indexes). The last lines are JSON, one per size.
 * Uses DATABASE_URL (default: the local stack) and replaces the HGD tables there.
 */
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDb } from '../connectors/db/knex.js';
import { migrateLatest } from '../connectors/db/migrate.js';
import { BatchWorkers, matchBatch } from '../connectors/hgd/batch-match.js';
import { importMembers } from '../connectors/hgd/import.js';
import { loadMatchModel } from '../connectors/hgd/matcher.js';
import { postgresCandidateSource } from '../connectors/hgd/repository.js';
import { memberToLine } from '../src/matching/lines.js';
import { matchPerson } from '../src/matching/match.js';
import { generateHgd, type GeneratedPerson } from './generator/households.js';
import { generateQueries } from './generator/queries.js';
import { cpuSince, formatCpuPer1000, readCpu, withApplicationName } from './bench-match-cpu.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,1000000' },
    queries: { type: 'string', default: '2000' },
    /** Reuse the HGD already in the database (imported by an earlier run of this bench at the same size). */
    'reuse-import': { type: 'boolean', default: false },
    /** Worker threads for batch matching, as `vss-bridge match --workers` (default: one per core, at most 4). */
    workers: { type: 'string' },
  },
});
let peakRss = 0;
const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const knex = createDb(
  withApplicationName(
    process.env['DATABASE_URL'] ?? 'postgres://vss:vss@127.0.0.1:5432/vss',
    'vss-bench-match',
  ),
);
await migrateLatest(knex);
const pgVersion = ((await knex.raw('show server_version')) as { rows: Array<{ server_version: string }> })
  .rows[0]!.server_version;
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, PostgreSQL ${pgVersion}`,
);
console.log(
  '| members | import s | import rows/s | single p50 ms | p95 ms | p99 ms | batch queries/s | avg candidates | key table GiB | members table GiB | peak RSS MiB |',
);
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
const sizeOf = async (rel: string) =>
  Number(
    (
      (await knex.raw('select pg_total_relation_size(?::regclass) as b', [rel])) as {
        rows: Array<{ b: string }>;
      }
    ).rows[0]!.b,
  );
const summaries: Array<Record<string, unknown>> = [];
for (const size of values.sizes.split(',').map(Number)) {
  // Above 1M members the people are not kept in memory: they stream into the members file, and the queries are drawn
  // from a systematic sample of them (every k-th person), so 10M fits in a few hundred MB.
  const keepEvery = size > 1_000_000 ? Math.ceil(size / 500_000) : 1;
  const people: GeneratedPerson[] = [];
  // The members go to a file first, so the import is timed as `vss-bridge hgd import --file` runs it.
  const file = join(mkdtempSync(join(tmpdir(), 'bench-match-')), 'members.jsonl');
  if (!values['reuse-import']) {
    const out = createWriteStream(file);
    let i = 0;
    for (const p of generateHgd({ seed: 99, members: size })) {
      if (i++ % keepEvery === 0) people.push(p);
      if (!out.write(`${memberToLine(p.member)}\n`)) await once(out, 'drain');
    }
    await new Promise<void>((r) => out.end(() => r()));
  }
  const imp = values['reuse-import']
    ? null
    : await importMembers(knex, file, {
        truncate: true,
        refreshFrequencies: true,
        onProgress: (p) => {
          if (p.phase !== 'reading' || p.lines % 1_000_000 < 2_000)
            process.stderr.write(
              `  import ${size}: ${p.phase}, ${p.lines} lines, ${(p.elapsedMs / 1000).toFixed(0)} s\n`,
            );
        },
      });
  rmSync(dirname(file), { recursive: true, force: true });
  if (values['reuse-import']) {
    let i = 0;
    for (const p of generateHgd({ seed: 99, members: size })) if (i++ % keepEvery === 0) people.push(p);
  }
  if (imp) process.stderr.write(`  import ${size}: ${JSON.stringify(imp.timings)}\n`);
  // The machine may be shared: the load average says how much of the two cores this run had.
  process.stderr.write(
    `  load average (1/5/15 min) at ${size}: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' / ')}\n`,
  );
  // The batch runs over three times as many queries, all distinct (repeating the same queries would flatter the
  // name-preparation memo); single-query latency uses the first `--queries` of them.
  const { queries: allQueries } = generateQueries(people, { seed: 100, count: 3 * Number(values.queries) });
  people.length = 0;
  const queries = allQueries.slice(0, Number(values.queries));
  const model = await loadMatchModel(knex);
  const source = postgresCandidateSource(knex);
  for (const q of queries.slice(0, 200)) await matchPerson(q, source, model); // warm-up
  const lat: number[] = [];
  let cands = 0;
  const singleCpuStart = await readCpu(knex);
  for (const q of queries) {
    const t = process.hrtime.bigint();
    const r = await matchPerson(q, source, model);
    lat.push(Number(process.hrtime.bigint() - t) / 1e6);
    cands += r.blockedCount;
  }
  const singleCpu = await cpuSince(knex, singleCpuStart);
  lat.sort((a, b) => a - b);
  const batchQueries = allQueries;
  // The threads start before the clock (about a second each, once per batch run, not per query) and close after the
  // CPU reading, so it sees their connections.
  const workerCount =
    values.workers !== undefined ? Number(values.workers) : Math.min(4, availableParallelism());
  const workers = workerCount > 0 ? new BatchWorkers(knex, model, workerCount) : undefined;
  await workers?.ready();
  const batchLoad = loadavg();
  const batchCpuStart = await readCpu(knex);
  const t0 = Date.now();
  let n = 0;
  for await (const _ of matchBatch(knex, batchQueries, model, { workers })) n++;
  const qps = Math.round(n / ((Date.now() - t0) / 1000));
  const batchCpu = await cpuSince(knex, batchCpuStart);
  await workers?.close();
  // CPU per query does not depend on what else the machine runs (wall-clock q/s does): on an idle machine with C
  // cores, batch q/s is at most C / (CPU-s per query).
  process.stderr.write(
    `  single queries at ${size}: ${formatCpuPer1000(singleCpu, queries.length)}\n` +
      `  batch at ${size}: ${n} queries, ${workerCount} worker threads, ${qps} queries/s; ${formatCpuPer1000(batchCpu, n)}; load average before / after ${batchLoad
        .map((x) => x.toFixed(1))
        .join(' / ')} → ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' / ')}\n`,
  );
  const keyBytes = await sizeOf('hgd_match.member_keys');
  const memberBytes = await sizeOf('hgd.members');
  const gib = (b: number) => (b / 2 ** 30).toFixed(2);
  console.log(
    `| ${size.toLocaleString('en')} | ${imp ? (imp.elapsedMs / 1000).toFixed(1) : '–'} | ${imp ? imp.rowsPerSecond.toLocaleString('en') : '–'} | ${pct(lat, 50).toFixed(2)} | ${pct(lat, 95).toFixed(2)} | ${pct(lat, 99).toFixed(2)} | ${qps.toLocaleString('en')} | ${(cands / queries.length).toFixed(1)} | ${gib(keyBytes)} | ${gib(memberBytes)} | ${Math.round(peakRss / 2 ** 20)} |`,
  );
  summaries.push({
    members: size,
    import_s: imp ? imp.elapsedMs / 1000 : null,
    import_rows_per_s: imp?.rowsPerSecond ?? null,
    import_steps_ms: imp?.timings ?? null,
    key_rows: imp?.keys ?? null,
    single_p50_ms: +pct(lat, 50).toFixed(2),
    single_p99_ms: +pct(lat, 99).toFixed(2),
    batch_queries_per_s: qps,
    batch_workers: workerCount,
    batch_cpu_s_per_1000: {
      node: +((batchCpu.nodeS / n) * 1000).toFixed(3),
      postgres: batchCpu.pgS === null ? null : +((batchCpu.pgS / n) * 1000).toFixed(3),
    },
    single_cpu_s_per_1000: {
      node: +((singleCpu.nodeS / queries.length) * 1000).toFixed(3),
      postgres: singleCpu.pgS === null ? null : +((singleCpu.pgS / queries.length) * 1000).toFixed(3),
    },
    avg_candidates: +(cands / queries.length).toFixed(1),
    key_table_bytes: keyBytes,
    members_table_bytes: memberBytes,
    load_average: loadavg().map((l) => +l.toFixed(1)),
  });
}
for (const s of summaries) console.log(JSON.stringify(s));
clearInterval(sample);
await knex.destroy();
