/**
 * `npm run bench:import [-- --members 1000000 --seed 99 --workers 2]`
 * Times `vss-bridge hgd import --truncate` (its code path: COPY, merge, search keys, indexes, name frequencies,
 * vacuum) on a generated members file, in a database of its own that it drops afterwards, and prints wall time,
 * rows/s, the time per step and the CPU spent: the Node process (all threads) and the PostgreSQL backend with its
 * parallel workers (read from /proc, so the server must run on this machine). CPU-seconds per million members is the
 * figure to compare on a shared machine; wall time is only meaningful on a quiet one. The last line is JSON.
 * The members file is generated once (`npm run gen:hgd`) into bench/out/import-<members>-s<seed>/ and reused.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDb } from '../connectors/db/knex.js';
import { migrateLatest } from '../connectors/db/migrate.js';
import { importMembers } from '../connectors/hgd/import.js';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '99' },
    file: { type: 'string' },
    workers: { type: 'string' },
    'keep-db': { type: 'boolean', default: false },
  },
});
const members = Number(values.members);
const dir = join('bench', 'out', `import-${members}-s${values.seed}`);
const file = values.file ?? join(dir, 'members.jsonl');
if (!existsSync(file)) {
  process.stderr.write(`generating ${members} members (seed ${values.seed}) into ${dir}\n`);
  execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'bench/generator/cli.ts',
      '--members',
      String(members),
      '--queries',
      '10',
      '--seed',
      values.seed,
      '--out',
      dir,
    ],
    { stdio: 'inherit' },
  );
}

const ownerUrl = process.env['DATABASE_OWNER_URL'] ?? 'postgres://vss:vss@127.0.0.1:5432/vss';
const name = `bench_import_${Date.now().toString(36)}`;
const admin = createDb(ownerUrl, { poolMax: 1 });
await admin.raw(`create database ${name}`);
const u = new URL(ownerUrl);
u.pathname = `/${name}`;
const knex = createDb(u.toString());
const fmt = (n: number) => n.toFixed(1);
try {
  await migrateLatest(knex);
  const pgVersion = ((await knex.raw('show server_version')) as { rows: Array<{ server_version: string }> })
    .rows[0]!.server_version;
  const loadBefore = loadavg();
  process.stderr.write(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}, PostgreSQL ${pgVersion}; ` +
      `load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}\n`,
  );
  let lastLine = 0;
  const s = await importMembers(knex, file, {
    truncate: true,
    refreshFrequencies: true,
    rejectsPath: join(dir, 'members.rejects.jsonl'),
    measureCpu: true,
    ...(values.workers !== undefined ? { workers: Number(values.workers) } : {}),
    onProgress: (p) => {
      if (p.elapsedMs - lastLine < 5000 && p.phase === 'reading') return;
      lastLine = p.elapsedMs;
      process.stderr.write(
        `  ${(p.elapsedMs / 1000).toFixed(0)} s: ${p.phase}, lines ${p.lines}, staged ${p.staged}\n`,
      );
    },
  });
  const loadAfter = loadavg();
  const cpuNode = s.cpu?.nodeSeconds ?? 0;
  const cpuPg = s.cpu?.postgresSeconds ?? null;
  const cpuTotal = cpuNode + (cpuPg ?? 0);
  const perMillion = (x: number) => (x / s.lines) * 1e6;
  console.log(
    `| members | wall s | rows/s | CPU node s | CPU PostgreSQL s | CPU total s | CPU-s per million | load avg before → after |`,
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---|');
  console.log(
    `| ${s.imported} | ${fmt(s.elapsedMs / 1000)} | ${s.rowsPerSecond} | ${fmt(cpuNode)} | ${cpuPg === null ? 'n/a' : fmt(cpuPg)} | ` +
      `${fmt(cpuTotal)} | ${fmt(perMillion(cpuTotal))} | ${loadBefore[0]!.toFixed(1)} → ${loadAfter[0]!.toFixed(1)} |`,
  );
  console.log(
    `steps (s): ${Object.entries(s.timings)
      .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`)
      .join(', ')}; search keys ${s.keys}, rejected ${s.rejected}`,
  );
  console.log(
    `PostgreSQL backend CPU by step (s; parallel workers not included): ${Object.entries(
      s.backendCpuSteps ?? {},
    )
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(', ')}`,
  );
  console.log(
    JSON.stringify({
      members: s.imported,
      lines: s.lines,
      keys: s.keys,
      wall_s: s.elapsedMs / 1000,
      rows_per_s: s.rowsPerSecond,
      cpu_node_s: cpuNode,
      cpu_postgres_s: cpuPg,
      cpu_total_s: cpuTotal,
      cpu_s_per_million: perMillion(cpuTotal),
      load_before: loadBefore,
      load_after: loadAfter,
      timings_ms: s.timings,
      backend_cpu_s_by_step: s.backendCpuSteps ?? null,
    }),
  );
} finally {
  await knex.destroy();
  if (!values['keep-db']) await admin.raw(`drop database if exists ${name} with (force)`);
  else process.stderr.write(`database kept: ${name}\n`);
  await admin.destroy();
}
