/**
 * `npm run bench:cdc-apply`: the index follower's apply path alone, without Connect or Kafka: Debezium-shaped
 * change messages (JSON, as the connector writes them) are parsed and applied with `applyBatch` in batches, as the
 * follower does with each fetched batch. Measures the CPU per 1,000 changes of this process (parse, plan, key
 * computation, the pg client) and of its PostgreSQL backend (read from /proc: run it on the database's machine),
 * and the rate.
 *
 *   --members N   members taken in by a snapshot first (default 100,000)
 *   --batch N     changes per transaction (default 5,000, the follower's default)
 *
 * Then two bursts of N updates: members moved to another province (their keys change: every change rewrites the
 * member's keys) and a BHXH code change (keys unchanged: no key rewrite). Data: generated members (bench/generator,
 * seed 1717). Own database, dropped at the end. Ends with `hgd verify-index`: the drift must be zero.
 */
import { cpus, loadavg } from 'node:os';
import { verifyIndex } from '../connectors/cdc/verify.js';
import { parseChange } from '../connectors/cdc/events.js';
import { applyBatch, type FeedMessage } from '../connectors/cdc/store.js';
import { createDb } from '../connectors/db/knex.js';
import { memberToSnakeCase } from '../src/matching/lines.js';
import type { MemberRecord } from '../src/matching/types.js';
import { generateHgd } from './generator/index.js';
import { backendPids, cpuSeconds } from './bench-cdc-cpu.js';
import { createTestDatabase } from '../test/support/db.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const MEMBERS = arg('members', 100_000);
const BATCH = arg('batch', 5000);
const log = (s: string) => process.stderr.write(`${s}\n`);

const people = [...generateHgd({ seed: 1717, members: MEMBERS })].map((p) => p.member);
const db = await createTestDatabase();
const appName = `cdc-apply-bench-${process.pid}`;
const u = new URL(db.ownerUrl);
u.searchParams.set('application_name', appName);
const knex = createDb(u.toString(), { poolMax: 1 });
let lsn = 1_000_000;
let offset = 0;
const TOPIC = 'bench.hgd.members';

function message(m: MemberRecord, snapshot: string, op: string): Buffer {
  // A snapshot's reads all carry the snapshot's position; streamed changes each their own.
  const at = snapshot === 'false' ? lsn++ : lsn;
  return Buffer.from(
    JSON.stringify({
      before: null,
      after: { ...memberToSnakeCase(m), version: m.version ?? 1, created_at: 0, updated_at: 0 },
      source: {
        version: '3.6.1.Final',
        connector: 'postgresql',
        name: 'bench',
        ts_ms: Date.now(),
        snapshot,
        db: db.name,
        sequence: `["${at}","${at}"]`,
        schema: 'hgd',
        table: 'members',
        txId: 1,
        lsn: at,
        xmin: null,
      },
      transaction: null,
      op,
      ts_ms: Date.now(),
    }),
  );
}

async function run(
  label: string,
  msgs: Array<{ key: Buffer; value: Buffer }>,
): Promise<Record<string, number | string>> {
  const pids = await backendPids(db.knex, appName);
  const pg0 = cpuSeconds(pids);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let applied = 0;
  for (let i = 0; i < msgs.length; i += BATCH) {
    const chunk: FeedMessage[] = msgs.slice(i, i + BATCH).map((m) => {
      const p = parseChange(m.key, m.value);
      if (!p.ok) throw new Error(p.reason);
      return { offset: String(offset++), event: p.event };
    });
    applied += (await applyBatch(knex, TOPIC, 0, chunk)).applied;
  }
  const s = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const nodeS = (c.user + c.system) / 1e6;
  const pgS = cpuSeconds(await backendPids(db.knex, appName)) - pg0;
  const r = {
    phase: label,
    changes: applied,
    seconds: Number(s.toFixed(2)),
    changesPerSecond: Math.round(applied / s),
    followerCpuSPer1000: Number(((nodeS * 1000) / applied).toFixed(3)),
    postgresCpuSPer1000: Number(((pgS * 1000) / applied).toFixed(3)),
    totalCpuSPer1000: Number((((nodeS + pgS) * 1000) / applied).toFixed(3)),
  };
  log(
    `${label}: ${applied} changes in ${s.toFixed(1)} s (${r.changesPerSecond}/s); CPU per 1,000 changes: follower ${r.followerCpuSPer1000} s + PostgreSQL ${r.postgresCpuSPer1000} s = ${r.totalCpuSPer1000} s`,
  );
  return r;
}

try {
  // Warm the pool's one connection so its backend is there to measure.
  await knex.raw('select 1');
  const key = (m: MemberRecord) => Buffer.from(JSON.stringify({ member_id: m.memberId }));
  const snap = people.map((m, i) => ({
    key: key(m),
    value: message(m, i === 0 ? 'first' : i === people.length - 1 ? 'last' : 'true', 'r'),
  }));
  const results = [await run('snapshot', snap)];
  lsn++;
  const moved = people.map((m) => ({
    ...m,
    provinceCode: m.provinceCode === '01' ? '79' : '01',
    wardCode: null,
    version: (m.version ?? 1) + 1,
  }));
  results.push(
    await run(
      'burst, keys change',
      moved.map((m) => ({ key: key(m), value: message(m, 'false', 'u') })),
    ),
  );
  const coded = moved.map((m, i) => ({
    ...m,
    bhxhCode: `79${String(i).padStart(8, '0')}`,
    version: m.version + 1,
  }));
  results.push(
    await run(
      'burst, keys unchanged',
      coded.map((m) => ({ key: key(m), value: message(m, 'false', 'u') })),
    ),
  );
  // The index must now hold what HGD would: write HGD's rows as the last burst left them, then verify.
  await db.knex.raw('truncate hgd.members cascade');
  for (let i = 0; i < coded.length; i += 5000)
    await db.knex('hgd.members').insert(coded.slice(i, i + 5000).map((m) => memberToSnakeCase(m)));
  const v = await verifyIndex(db.knex);
  log(`verify-index: drift ${v.drift}`);
  const load = loadavg().map((x) => x.toFixed(1));
  log(`load average (1/5/15 min) at the end: ${load.join(' ')}`);
  process.stdout.write(
    `${JSON.stringify({ machine: `${cpus().length} cores`, members: MEMBERS, batch: BATCH, results, loadAverage: load, drift: v.drift })}\n`,
  );
  if (v.drift !== 0) process.exitCode = 1;
} finally {
  await knex.destroy();
  await db.drop();
}
