/**
 * `npm run bench:e2e`: end-to-end throughput and latency of the Defence flow (event produced → CodeMapping
 * published) for a backlog of events against a large HGD, next to a raw kafkajs consume→produce pipe on the
 * same broker, same partitions. The ratio adapter/pipe is the figure.
 *
 *   --members N       HGD size (default 1,000,000; imported once into database vss_bench_e2e_N, reused after)
 *   --events N        backlog size (default 100,000)
 *   --instances 1,2,3 `vss-bridge run` processes in one group, one run per count, side by side (default 1)
 *   --partitions N    partitions of the input and output topics (default 6)
 *   --rate N          events/s offered in the steady-state phase (default 100)
 *
 * The last line printed is one JSON object (members, events, adapter_events_per_s, raw_events_per_s, ratio,
 * steady_p50_ms, steady_p99_ms, instances — of the first instance count — and `by_instances` for every count), so
 * runs can be compared.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createDb } from '../connectors/db/knex.js';
import { migrateLatest } from '../connectors/db/migrate.js';
import { importMembers, refreshNameFrequencies } from '../connectors/hgd/import.js';
import { indexSchemeProblem, readIndexScheme } from '../connectors/hgd/index-scheme.js';
import { kafkaFromConfig } from '../connectors/kafka/client.js';
import { ensureTopics } from '../connectors/kafka/topics.js';
import { topicBindings } from '../connectors/registry/bindings.js';
import { AvroCodec } from '../connectors/registry/codec.js';
import { registerAsUpstream } from '../connectors/registry/compatibility.js';
import type { CodeLookupFailed } from '../src/contracts/generated.js';
import { validateRecord } from '../src/domain/validation.js';
import { memberToLine } from '../src/matching/lines.js';
import { loadConfig } from '../src/runtime/config.js';
import { Progress } from '../src/cli/progress.js';
import { generateHgd, generateQueries, type GeneratedPerson } from './generator/index.js';
import { toCodeLookupFailed } from './scenario/defence.js';
import { uniqueName } from '../test/support/stack.js';
import { firstTimestamps, type KeyOf } from './scenario/timestamps.js';

const ROOT = new URL('..', import.meta.url).pathname;
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const MEMBERS = arg('members', 1_000_000);
const EVENTS = arg('events', 100_000);
const PARTITIONS = arg('partitions', 6);
const RATE = arg('rate', 100);
const INSTANCES = (() => {
  const i = process.argv.indexOf('--instances');
  return (i > 0 ? process.argv[i + 1]! : '1').split(',').map(Number);
})();
const SEED = 4242;
const log = (s: string) => process.stderr.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const base = loadConfig({ VSS_PROFILE: 'local', ...process.env });
const dbName = `vss_bench_e2e_${MEMBERS}`;
const ownerBase = base.databaseOwnerUrl ?? base.databaseUrl;
{
  const admin = createDb(ownerBase, { poolMax: 1 });
  const exists = await admin.raw('select 1 from pg_database where datname = ?', [dbName]);
  if (exists.rows.length === 0) await admin.raw(`create database ${dbName}`);
  await admin.destroy();
}
const u = new URL(base.databaseUrl);
u.pathname = `/${dbName}`;
const databaseUrl = u.toString();
const o = new URL(ownerBase);
o.pathname = `/${dbName}`;
const ownerUrl = o.toString();
const prefix = `${uniqueName('bench')}.`;
const config = loadConfig({
  ...process.env,
  DATABASE_URL: databaseUrl,
  TOPIC_PREFIX: prefix,
  KAFKA_GROUP_ID: uniqueName('bench'),
});
const knex = createDb(ownerUrl);
await migrateLatest(knex, { runtimeRole: base.databaseRuntimeRole });

log(`generating ${MEMBERS.toLocaleString('en')} HGD members (seed ${SEED})`);
const people: GeneratedPerson[] = [...generateHgd({ seed: SEED, members: MEMBERS })];
const have = Number((await knex('hgd.members').count<{ c: string }[]>('* as c'))[0]?.c ?? 0);
let importRate: number | null = null;
// An index built by a version with other blocking keys is loaded again (the adapter would refuse it).
const staleKeys = indexSchemeProblem(await readIndexScheme(knex)) !== null;
if (have !== MEMBERS || staleKeys) {
  const bar = new Progress('import', MEMBERS);
  let last = 0;
  const s = await importMembers(
    knex,
    Readable.from(
      (function* () {
        for (const p of people) yield `${memberToLine(p.member)}\n`;
      })(),
    ),
    {
      truncate: true,
      onProgress: (p) => {
        bar.tick(p.lines - last);
        last = p.lines;
      },
    },
  );
  bar.done();
  importRate = s.rowsPerSecond;
  await refreshNameFrequencies(knex);
} else log(`reusing ${dbName} (${have} members)`);
if (staleKeys) log(`${dbName}: the search index had another blocking-key scheme; loaded again`);
/** Undoes the code changes of an earlier run (from the audit), then empties our tables: every run starts alike. */
async function resetHgd(): Promise<void> {
  // The audit is append-only (its triggers refuse update and truncate): the bench, as the owner, lifts that for its
  // own database only, inside one transaction.
  await knex.transaction(async (tx) => {
    await tx.raw(
      `update hgd.members m set bhxh_code = c.old_code
         from (select distinct on (member_id) member_id, old_code from bridge.code_changes order by member_id, id) c
        where c.member_id = m.member_id`,
    );
    await tx.raw('alter table bridge.code_changes disable trigger user');
    await tx.raw('truncate bridge.inbox, bridge.outbox, bridge.code_changes, bridge.review_cases');
    await tx.raw('alter table bridge.code_changes enable trigger user');
  });
}
await resetHgd();

// Events: one per member subject, each with its own BQP code.
const EXTRA = Math.min(2000, EVENTS);
const { queries, truth } = generateQueries(people, {
  seed: SEED + 1,
  count: Math.ceil((EVENTS + EXTRA) * 1.3),
});
const seen = new Set<string>();
const events: CodeLookupFailed[] = [];
for (let i = 0; i < queries.length && events.length < EVENTS + EXTRA; i++) {
  const m = truth[i]!.memberId;
  if (m && seen.has(m)) continue;
  if (m) seen.add(m);
  const e = toCodeLookupFailed(
    queries[i]!,
    events.length,
    SEED,
    `98${String(events.length).padStart(8, '0')}`,
  );
  if (validateRecord('CodeLookupFailed', e).length === 0) events.push(e);
}
people.length = 0;
const extraEvents = events.splice(EVENTS);

const kafka = kafkaFromConfig(config);
const admin = kafka.admin();
await admin.connect();
/** Topics of one run (input and outputs under their own prefix), input schemas registered as VssID's producer would. */
async function runTopics(runPrefix: string) {
  const runConfig = loadConfig({
    ...process.env,
    DATABASE_URL: databaseUrl,
    TOPIC_PREFIX: runPrefix,
    KAFKA_GROUP_ID: uniqueName('bench'),
  });
  const bindings = topicBindings(runConfig);
  await ensureTopics(
    admin,
    bindings.map((b) => b.topic),
    PARTITIONS,
  );
  await registerAsUpstream(runConfig.schemaRegistryUrl, bindings);
  // A generous timeout: the benchmark's own reads must not fail on a loaded machine.
  const codec = new AvroCodec({
    registryUrl: runConfig.schemaRegistryUrl,
    bindings,
    registry: { timeoutMs: 60_000 },
  });
  await codec.init();
  return { runConfig, bindings, codec };
}

async function produceAll(topic: string, codec: AvroCodec, encodeAs: string, list: typeof events) {
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  for (let i = 0; i < list.length; i += 1000) {
    const chunk = list.slice(i, i + 1000);
    await producer.send({
      topic,
      acks: -1,
      messages: await Promise.all(
        chunk.map(async (e) => ({ key: e.requestId, value: await codec.encode(encodeAs, e) })),
      ),
    });
  }
  await producer.disconnect();
}

/** Reads `count` records of a topic and returns their broker timestamps by key. */
const timestamps = (topic: string, count: number, keyOf: KeyOf) =>
  firstTimestamps(kafka, topic, count, { keyOf });

function stats(lat: number[], first: number, last: number, n: number) {
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? NaN;
  return {
    events: n,
    seconds: (last - first) / 1000,
    perSecond: n / ((last - first) / 1000),
    p50ms: q(0.5),
    p99ms: q(0.99),
  };
}

const count = async (q: ReturnType<typeof knex>) =>
  Number((await q.count<{ c: string }[]>('* as c'))[0]?.c ?? 0);

/** Seconds of CPU the machine spent per second over an interval, from /proc/stat (all processes, not only ours). */
function cpuSample(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (line[3] ?? 0) + (line[4] ?? 0);
  const total = line.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

interface AdapterRun {
  instances: number;
  backlog: ReturnType<typeof stats>;
  steadyState: ReturnType<typeof stats> & { ratePerSecond: number };
  outcomes: Record<string, number>;
  machine: { cpuBusyDuringBacklog: number; loadAvg1mBefore: number; loadAvg1mAfter: number };
  cpuMsPerEvent: { adapter: number; postgres: number | null; kafka: number | null };
}

/** CPU seconds (user + system) used so far by these processes, from /proc; 0 for one that is gone. */
function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // gone
    }
  }
  return ticks / 100;
}

/** The local stack's PostgreSQL server processes (postmaster and its children) and the broker, when readable. */
function stackPids(): { postgres: number[]; kafka: number[] } {
  const dir = process.env.VSS_STACK_DIR ?? '/var/lib/vss-bridge';
  const read = (f: string) => {
    try {
      return Number(readFileSync(f, 'utf8').split('\n')[0]);
    } catch {
      return 0;
    }
  };
  const postmaster = read(join(dir, 'postgres/data/postmaster.pid'));
  const postgres = postmaster ? [postmaster] : [];
  if (postmaster) {
    for (const e of readdirSync('/proc')) {
      if (!/^\d+$/.test(e)) continue;
      try {
        const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
        if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster)
          postgres.push(Number(e));
      } catch {
        // gone
      }
    }
  }
  const kafka = read(join(dir, 'kafka/kafka.pid'));
  return { postgres, kafka: kafka ? [kafka] : [] };
}

// 1. The adapter: `instances` × `vss-bridge run` in one group drain the backlog, then a steady-state phase.
async function runAdapter(instances: number): Promise<AdapterRun> {
  await resetHgd();
  const runPrefix = `${uniqueName('bench')}.`;
  const { runConfig, codec } = await runTopics(runPrefix);
  const input = runConfig.topics.codeLookupFailed;
  log(
    `[${instances} instance(s)] producing a backlog of ${events.length} events to ${input} (${PARTITIONS} partitions)`,
  );
  await produceAll(input, codec, input, events);
  log(`[${instances} instance(s)] adapter: draining the backlog`);
  const load0 = loadavg()[0]!;
  const cpu0 = cpuSample();
  const started = Date.now();
  // BENCH_CHILD_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the adapter processes.
  const childArgs = (process.env.BENCH_CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const children = Array.from({ length: instances }, () =>
    spawn(process.execPath, [...childArgs, join(ROOT, 'bin/vss-bridge.mjs'), 'run'], {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        TOPIC_PREFIX: runPrefix,
        KAFKA_GROUP_ID: runConfig.kafka.groupId,
        KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
        HTTP_PORT: '0',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    }),
  );
  // Per process, so PostgreSQL backends the adapters open after this point count from zero.
  const cpuStart = new Map<number, number>();
  for (const pid of [...stackPids().postgres, ...stackPids().kafka]) cpuStart.set(pid, cpuSeconds([pid]));
  const used = (pids: number[]) =>
    pids.reduce((a, pid) => a + cpuSeconds([pid]) - (cpuStart.get(pid) ?? 0), 0);
  const bar = new Progress('adapter', events.length);
  let handled = 0;
  for (;;) {
    const n = await count(knex('bridge.inbox'));
    bar.tick(n - handled);
    handled = n;
    const unsent = await count(knex('bridge.outbox').whereNull('sent_at'));
    if (n >= events.length && unsent === 0) break;
    await sleep(500);
  }
  bar.done();
  const drainedAt = Date.now();
  const stack = stackPids();
  // CPU milliseconds per event (adapter processes, PostgreSQL server, broker): what the backlog cost, whatever else
  // the machine was doing (the adapters' own start-up included).
  const cpuMsPerEvent = {
    adapter: (cpuSeconds(children.map((c) => c.pid ?? 0)) * 1000) / events.length,
    postgres: stack.postgres.length ? (used(stack.postgres) * 1000) / events.length : null,
    kafka: stack.kafka.length ? (used(stack.kafka) * 1000) / events.length : null,
  };
  const cpu1 = cpuSample();
  const machineBusy = (cpu1.busy - cpu0.busy) / (cpu1.total - cpu0.total);
  const load1 = loadavg()[0]!;

  // 1b. Steady state: with the adapter running and idle, events arrive at a fixed rate below capacity.
  const PACED = extraEvents.length;
  log(`[${instances} instance(s)] adapter: ${PACED} more events at ${RATE}/s (steady-state latency)`);
  const pacedEvents = extraEvents.map((e) => ({ ...e, requestId: `${e.requestId}-P` }));
  const pacedProducer = kafka.producer({ idempotent: true });
  await pacedProducer.connect();
  const pacedStart = Date.now();
  for (let i = 0; i < pacedEvents.length; i++) {
    const due = pacedStart + (i * 1000) / RATE;
    if (due > Date.now()) await sleep(due - Date.now());
    const e = pacedEvents[i]!;
    await pacedProducer.send({
      topic: input,
      acks: -1,
      messages: [{ key: e.requestId, value: await codec.encode(input, e) }],
    });
  }
  await pacedProducer.disconnect();
  for (;;) {
    const n = await count(knex('bridge.inbox'));
    const unsent = await count(knex('bridge.outbox').whereNull('sent_at'));
    if (n >= events.length + PACED && unsent === 0) break;
    await sleep(200);
  }
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
        }),
    ),
  );
  const outcomes = await knex('bridge.inbox')
    .select('outcome')
    .count<{ outcome: string; c: string }[]>('* as c')
    .groupBy('outcome');
  // Latency: input produce time → the first output record of that request (CodeMapping on vssid, or ReviewCase).
  const outTs = new Map<string, number>();
  for (const [topic, n] of [
    [
      runConfig.topics.vssidCodeMappingDecided,
      outcomes
        .filter((o) => o.outcome === 'match' || o.outcome === 'no_match')
        .reduce((a, o) => a + Number(o.c), 0),
    ],
    [
      runConfig.topics.reviewCaseChanged,
      outcomes.filter((o) => o.outcome === 'review').reduce((a, o) => a + Number(o.c), 0),
    ],
  ] as const) {
    if (n === 0) continue;
    const ts = await timestamps(topic, n, async (v) => {
      const r = await codec.decode<{ requestId?: string; subjectId?: string }>(topic, v);
      return r.requestId ?? r.subjectId ?? null;
    });
    for (const [k, t] of ts) outTs.set(k, t);
  }
  const inputTs = await timestamps(input, events.length + PACED, async (_v, k) => k?.toString() ?? null);
  const lat: number[] = [];
  const pacedLat: number[] = [];
  let lastOut = 0;
  for (const [k, t] of outTs) {
    const i = inputTs.get(k);
    if (i === undefined) continue;
    if (k.endsWith('-P')) pacedLat.push(t - i);
    else {
      lat.push(t - i);
      lastOut = Math.max(lastOut, t);
    }
  }
  // The backlog was produced just before the adapter started: latency = time spent waiting in the backlog + work.
  const backlog = stats(lat, started, Math.min(lastOut, drainedAt), events.length);
  const steady = stats(pacedLat, pacedStart, pacedStart + (PACED * 1000) / RATE, PACED);
  const result = {
    instances,
    backlog,
    steadyState: { ...steady, ratePerSecond: RATE },
    outcomes: Object.fromEntries(outcomes.map((o) => [o.outcome, Number(o.c)])),
    machine: { cpuBusyDuringBacklog: machineBusy, loadAvg1mBefore: load0, loadAvg1mAfter: load1 },
    cpuMsPerEvent,
  };
  log(`[${instances} instance(s)] ${JSON.stringify(result)}`);
  await admin.deleteTopics({ topics: topicBindings(runConfig).map((b) => b.topic) }).catch(() => undefined);
  return result;
}

const runs: AdapterRun[] = [];
for (const n of INSTANCES) runs.push(await runAdapter(n));

// 2. A raw kafkajs pipe on the same input: consume → produce the value unchanged, same partition concurrency.
log('raw kafkajs pipe: the same backlog, produced just before it starts');
const pipeInput = `${prefix}raw-pipe.in`;
const pipeTopic = `${prefix}raw-pipe.out`;
await ensureTopics(admin, [pipeInput, pipeTopic], PARTITIONS);
const { codec: pipeCodec, runConfig: pipeConfig } = await runTopics(prefix);
await produceAll(pipeInput, pipeCodec, pipeConfig.topics.codeLookupFailed, events);
const pipeInputTs = await timestamps(pipeInput, events.length, async (_v, k) => k?.toString() ?? null);
const pipeStart = Date.now();
const pipeProducer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
await pipeProducer.connect();
const pipe = kafka.consumer({ groupId: uniqueName('raw-pipe'), maxBytes: 50 << 20 });
await pipe.connect();
await pipe.subscribe({ topic: pipeInput, fromBeginning: true });
let piped = 0;
let finishPipe!: () => void;
const pipeDone = new Promise<void>((r) => (finishPipe = r));
await pipe.run({
  partitionsConsumedConcurrently: config.kafka.concurrency,
  eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
    // In chunks: one produce request per fetched batch could exceed the broker's message.max.bytes.
    for (let i = 0; i < batch.messages.length; i += 500) {
      const chunk = batch.messages.slice(i, i + 500);
      await pipeProducer.send({
        topic: pipeTopic,
        acks: -1,
        messages: chunk.map((m) => ({ key: m.key, value: m.value })),
      });
    }
    for (const m of batch.messages) resolveOffset(m.offset);
    await heartbeat();
    piped += batch.messages.length;
    if (piped >= events.length) finishPipe();
  },
});
await pipeDone;
await pipe.disconnect();
await pipeProducer.disconnect();
const pipeTs = await timestamps(pipeTopic, events.length, async (_v, k) => k?.toString() ?? null);
const pipeLat: number[] = [];
let pipeLast = 0;
for (const [k, t] of pipeTs) {
  const i = pipeInputTs.get(k);
  if (i !== undefined) pipeLat.push(t - i);
  pipeLast = Math.max(pipeLast, t);
}
const raw = stats(pipeLat, pipeStart, pipeLast, events.length);

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
process.stdout.write(
  `\n${machine}; HGD ${MEMBERS.toLocaleString('en')} members; ${PARTITIONS} partitions\n\n| | events | events/s | p50 latency ms | p99 latency ms | machine CPU busy |\n|---|---:|---:|---:|---:|---:|\n`,
);
for (const r of runs) {
  process.stdout.write(
    `| vss-bridge × ${r.instances}, backlog | ${r.backlog.events} | ${r.backlog.perSecond.toFixed(0)} | ${r.backlog.p50ms} | ${r.backlog.p99ms} | ${(r.machine.cpuBusyDuringBacklog * 100).toFixed(0)} % |\n` +
      `| vss-bridge × ${r.instances}, steady state (${RATE} events/s offered) | ${r.steadyState.events} | ${RATE} | ${r.steadyState.p50ms} | ${r.steadyState.p99ms} | |\n`,
  );
}
process.stdout.write(
  `| raw kafkajs consume→produce (same backlog) | ${raw.events} | ${raw.perSecond.toFixed(0)} | ${raw.p50ms} | ${raw.p99ms} | |\n\n`,
);
await admin
  .deleteTopics({ topics: [pipeTopic, pipeInput, ...topicBindings(pipeConfig).map((b) => b.topic)] })
  .catch(() => undefined);
await admin.disconnect();
await knex.destroy();
const summary = (r: AdapterRun) => ({
  instances: r.instances,
  adapter_events_per_s: Math.round(r.backlog.perSecond),
  ratio: r.backlog.perSecond / raw.perSecond,
  backlog_p50_ms: r.backlog.p50ms,
  backlog_p99_ms: r.backlog.p99ms,
  steady_p50_ms: r.steadyState.p50ms,
  steady_p99_ms: r.steadyState.p99ms,
  machine_cpu_busy: Number(r.machine.cpuBusyDuringBacklog.toFixed(3)),
  load_avg_1m: r.machine.loadAvg1mAfter,
  cpu_ms_per_event: {
    adapter: Number(r.cpuMsPerEvent.adapter.toFixed(3)),
    postgres: r.cpuMsPerEvent.postgres === null ? null : Number(r.cpuMsPerEvent.postgres.toFixed(3)),
    kafka: r.cpuMsPerEvent.kafka === null ? null : Number(r.cpuMsPerEvent.kafka.toFixed(3)),
  },
  outcomes: r.outcomes,
});
const first = summary(runs[0]!);
// The last line: one JSON object, comparable run to run.
process.stdout.write(
  `${JSON.stringify({
    machine,
    members: MEMBERS,
    events: EVENTS,
    partitions: PARTITIONS,
    import_rows_per_s: importRate,
    ...first,
    raw_events_per_s: Math.round(raw.perSecond),
    by_instances: runs.map(summary),
  })}\n`,
);
process.exit(0);
