/**
 * `npm run bench:cdc`: the HGD change feed end to end (HGD commit → Debezium → Kafka → index follower → found by
 * the matcher's blocking query), on the local stack's Kafka Connect (CONNECT_URL / CONNECT_PORT).
 *
 *   --inserts N   members inserted one per transaction at --rate per second (default 1,000 at 50/s); for each,
 *                 the time from its commit until the matcher's candidate query (findCandidatesBatch, the query
 *                 `vss-bridge match` and the Defence flow run) returns it; polled every 20 ms
 *   --updates N   members updated in two bursts (default 100,000; seeded first and taken in by the snapshot), in
 *                 transactions of 1,000 rows, each moving the N members to another province (their place keys
 *                 change, so every change takes the key-rewrite path):
 *                 1. the follower alone: with the follower stopped, the burst is committed and Connect writes it
 *                    to the change topic; then the follower starts and drains it: rate = N / (first batch start →
 *                    last batch end);
 *                 2. end to end, everything running: rate = N / (first update committed → last change applied).
 *   --skip-inserts  leave out the insert → findable part
 *
 * CPU seconds per 1,000 changes (load-independent, unlike the rates) for each burst, from /proc: the follower's
 * process (this one: its Kafka consumer, parsing, planning, key computation; the updates it commits cost little),
 * the follower's PostgreSQL backends (application_name), Debezium's WAL sender backend (the slot's), and the
 * Kafka Connect worker JVM as a whole. Run it on the machine of PostgreSQL and Connect (the local stack).
 *
 * Data: generated members (bench/generator, seed 1717). Own database, connector, slot and topics; removed at the end.
 * Ends with `hgd verify-index`: the drift must be zero.
 */
import { Readable } from 'node:stream';
import { cpus, loadavg } from 'node:os';
import { membersTopic } from '../connectors/cdc/config.js';
import { IndexFollower } from '../connectors/cdc/follower.js';
import { verifyIndex } from '../connectors/cdc/verify.js';
import { createDb } from '../connectors/db/knex.js';
import { importMembers } from '../connectors/hgd/import.js';
import { findCandidatesBatch } from '../connectors/hgd/repository.js';
import { queryBlockingKeys } from '../src/matching/blocking.js';
import { memberToLine, memberToSnakeCase } from '../src/matching/lines.js';
import { preparePerson } from '../src/matching/prepare.js';
import { generateHgd } from './generator/index.js';
import { feedConfig, settle, startFeed, stopFeed, testKafka } from '../test/support/cdc.js';
import { createLogger } from '../src/runtime/logger.js';
import { backendPids, connectPids, cpuSeconds, walSenderPids } from './bench-cdc-cpu.js';
import { createTestDatabase } from '../test/support/db.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const INSERTS = arg('inserts', 1000);
const RATE = arg('rate', 50);
const UPDATES = arg('updates', 100_000);
const SKIP_INSERTS = process.argv.includes('--skip-inserts');
const log = (s: string) => process.stderr.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const people = [...generateHgd({ seed: 1717, members: UPDATES + INSERTS })].map((p) => p.member);
const seeded = people.slice(0, UPDATES);
const inserted = people.slice(UPDATES);

const db = await createTestDatabase();
const cfg = feedConfig(db);
// The follower on a pool of its own, named, so that its PostgreSQL backends can be found for CPU accounting.
const followerApp = `cdc-follower-bench-${process.pid}`;
const fu = new URL(db.ownerUrl);
fu.searchParams.set('application_name', followerApp);
const followerKnex = createDb(fu.toString());
// Wall time of the follower's batch transactions, the changes they applied (member topic), first start, last end.
const tx = { ms: 0, changes: 0, first: 0, last: 0 };
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'warn').child({ component: 'cdc-follower' });
const newFollower = () =>
  new IndexFollower(testKafka(), followerKnex, cfg, {
    logger,
    onBatch: (topic, outcome, _count, ms) => {
      if (!topic.endsWith('.members')) return;
      const now = performance.now();
      if (tx.first === 0) tx.first = now - ms;
      tx.last = now;
      tx.ms += ms;
      tx.changes += outcome.applied;
    },
  });
let f = newFollower();

/** CPU seconds so far of the processes that do the feed's work. */
async function cpuNow() {
  const c = process.cpuUsage();
  return {
    follower: (c.user + c.system) / 1e6,
    followerPostgres: cpuSeconds(await backendPids(db.knex, followerApp)),
    walSender: cpuSeconds(await walSenderPids(db.knex, cfg.slotName)),
    connect: cpuSeconds(connectPids()),
  };
}
type Cpu = Awaited<ReturnType<typeof cpuNow>>;
/** CPU seconds per 1,000 changes between two readings (backends that ended in between count only up to then). */
function per1000(a: Cpu, b: Cpu, changes: number) {
  const r = (k: keyof Cpu) => Number((((b[k] - a[k]) * 1000) / changes).toFixed(3));
  const out = {
    follower: r('follower'),
    followerPostgres: r('followerPostgres'),
    walSender: r('walSender'),
    connect: r('connect'),
  };
  return { ...out, followerTotal: Number((out.follower + out.followerPostgres).toFixed(3)) };
}
const cpuLine = (c: ReturnType<typeof per1000>) =>
  `CPU s per 1,000 changes: follower ${c.follower} + its PostgreSQL backends ${c.followerPostgres} = ${c.followerTotal}; Debezium's WAL sender ${c.walSender}; Connect worker JVM ${c.connect}`;

async function topicEnd(): Promise<number> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const o = await admin.fetchTopicOffsets(membersTopic(cfg));
    return o.reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Moves every seeded member to another province, in transactions of 1,000; seconds taken. */
async function burst(): Promise<number> {
  const u0 = Date.now();
  for (let i = 0; i < seeded.length; i += 1000) {
    const ids = seeded.slice(i, i + 1000).map((m) => m.memberId);
    await db.knex.raw(
      `update hgd.members set province_code = case when province_code = '01' then '79' else '01' end,
              ward_code = null, version = version + 1, updated_at = now()
        where member_id = any(?::text[])`,
      [ids],
    );
  }
  return (Date.now() - u0) / 1000;
}

try {
  log(`seeding ${UPDATES} members (bulk import) …`);
  await importMembers(db.knex, Readable.from(seeded.map((m) => `${memberToLine(m)}\n`)));
  const t0 = Date.now();
  await startFeed(db, cfg);
  await f.start();
  await settle(db.knex, 600_000);
  const snapshotS = (Date.now() - t0) / 1000;
  log(
    `initial snapshot of ${UPDATES} members applied in ${snapshotS.toFixed(1)} s (${Math.round(UPDATES / snapshotS)}/s, connector start included)`,
  );

  // 1. Insert → findable.
  const latencies: number[] = [];
  const toInsert = SKIP_INSERTS ? [] : inserted;
  const pending = new Map<string, { committedAt: number; keys: string[] }>();
  let polling = true;
  const poller = (async () => {
    while (polling || pending.size > 0) {
      if (pending.size > 0) {
        const ids = [...pending.keys()];
        const found = await findCandidatesBatch(
          db.knex,
          ids.map((id) => pending.get(id)!.keys),
        );
        const now = Date.now();
        ids.forEach((id, i) => {
          if (found[i]!.some((c) => c.memberId === id)) {
            latencies.push(now - pending.get(id)!.committedAt);
            pending.delete(id);
          }
        });
      }
      await sleep(20);
    }
  })();
  if (toInsert.length > 0) log(`inserting ${INSERTS} members at ${RATE}/s …`);
  const start = Date.now();
  for (const [i, m] of toInsert.entries()) {
    const due = start + (i * 1000) / RATE;
    if (due > Date.now()) await sleep(due - Date.now());
    await db.knex('hgd.members').insert(memberToSnakeCase(m));
    pending.set(m.memberId, { committedAt: Date.now(), keys: queryBlockingKeys(preparePerson(m)) });
  }
  polling = false;
  // At most a minute for the last inserts to be found; the timer is cleared, or it would hold the process for its
  // whole minute after the last line (the CI's short run waited ~50 s for it).
  let giveUp: NodeJS.Timeout | undefined;
  await Promise.race([poller, new Promise((r) => (giveUp = setTimeout(r, 60_000)))]);
  clearTimeout(giveUp);
  latencies.sort((a, b) => a - b);
  const lat = {
    n: latencies.length,
    p50: pct(latencies, 50),
    p95: pct(latencies, 95),
    p99: pct(latencies, 99),
    max: latencies.at(-1),
  };
  log(`insert → findable (ms): ${JSON.stringify(lat)}; not found: ${pending.size}`);

  // 2. The follower alone: the burst waits in the change topic, then the follower drains it.
  await settle(db.knex);
  await f.stop();
  const end0 = await topicEnd();
  log(`burst 1 (follower stopped): updating ${UPDATES} members in transactions of 1,000 …`);
  const c0 = await cpuNow();
  const w0 = Date.now();
  const committed1 = await burst();
  while ((await topicEnd()) < end0 + UPDATES) await sleep(200);
  const connectS = (Date.now() - w0) / 1000;
  const c1 = await cpuNow();
  const connectCpu = per1000(c0, c1, UPDATES);
  log(
    `Connect alone: ${UPDATES} changes committed in ${committed1.toFixed(1)} s, all in the change topic ${connectS.toFixed(1)} s after the first commit (${Math.round(UPDATES / connectS)} changes/s); CPU s per 1,000 changes: Debezium's WAL sender ${connectCpu.walSender}, Connect worker JVM ${connectCpu.connect}`,
  );
  Object.assign(tx, { ms: 0, changes: 0, first: 0, last: 0 });
  f = newFollower();
  const d0 = await cpuNow();
  await f.start();
  await settle(db.knex, 900_000);
  const d1 = await cpuNow();
  const aloneChanges = tx.changes - 1; // the settle sentinel
  const aloneS = (tx.last - tx.first) / 1000;
  const aloneCpu = per1000(d0, d1, aloneChanges);
  const followerRate = Math.round(aloneChanges / aloneS);
  log(
    `follower alone: ${aloneChanges} changes in ${aloneS.toFixed(1)} s from its first batch to its last: ${followerRate} changes/s (${(tx.ms / 1000).toFixed(1)} s in batch transactions); ${cpuLine(aloneCpu)}`,
  );

  // 3. End to end: everything running, the members moved back.
  const before = (await db.knex('hgd_match.cdc_state').first()) as { applied: string };
  log(`burst 2 (end to end): updating ${UPDATES} members in transactions of 1,000 …`);
  const e0 = await cpuNow();
  const u0 = Date.now();
  const committedS = await burst();
  await settle(db.knex, 900_000);
  const e1 = await cpuNow();
  const after = (await db.knex('hgd_match.cdc_state').first()) as { applied: string; last_applied_at: Date };
  const appliedS = (new Date(after.last_applied_at).getTime() - u0) / 1000;
  const changes = Number(after.applied) - Number(before.applied);
  const e2eCpu = per1000(e0, e1, UPDATES);
  log(
    `burst 2: ${UPDATES} updates committed in ${committedS.toFixed(1)} s; ${changes} changes applied ${appliedS.toFixed(1)} s after the first commit: ${Math.round(UPDATES / appliedS)} changes/s end to end; ${cpuLine(e2eCpu)}`,
  );
  const load = loadavg().map((x) => x.toFixed(1));
  log(`load average (1/5/15 min) at the end: ${load.join(' ')}`);
  const v = await verifyIndex(db.knex);
  log(`verify-index: ${JSON.stringify(v)}`);
  process.stdout.write(
    `${JSON.stringify({ machine: `${cpus().length} cores`, snapshot: { members: UPDATES, seconds: snapshotS }, insertToFindableMs: lat, notFound: pending.size, connectAlone: { changes: UPDATES, seconds: connectS, changesPerSecond: Math.round(UPDATES / connectS), cpuSPer1000: connectCpu }, followerAlone: { changes: aloneChanges, seconds: aloneS, changesPerSecond: followerRate, cpuSPer1000: aloneCpu }, burst: { updates: UPDATES, committedSeconds: committedS, appliedSeconds: appliedS, changesPerSecond: Math.round(UPDATES / appliedS), cpuSPer1000: e2eCpu }, loadAverage: load, drift: v.drift })}\n`,
  );
  if (v.drift !== 0 || pending.size > 0) process.exitCode = 1;
} finally {
  const t0 = Date.now();
  await f.stop();
  await stopFeed(cfg).catch((e: unknown) => log(`cleanup: ${String(e)}`));
  await followerKnex.destroy();
  await db.drop();
  log(`cleanup (follower, connector, slot, database) took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
