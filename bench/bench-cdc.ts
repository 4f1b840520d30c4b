/**
 * `npm run bench:cdc`: the HGD change feed end to end (HGD commit → Debezium → Kafka → index follower → found by
 * the matcher's blocking query), on the local stack's Kafka Connect (CONNECT_URL / CONNECT_PORT).
 *
 *   --inserts N   members inserted one per transaction at --rate per second (default 1,000 at 50/s); for each,
 *                 the time from its commit until the matcher's candidate query (findCandidatesBatch, the query
 *                 `vss-bridge match` and the Defence flow run) returns it; polled every 20 ms
 *   --updates N   members updated in a burst (default 100,000; seeded first and taken in by the snapshot), in
 *                 transactions of 1,000 rows, each moved to another province (their place keys change, so every
 *                 change rewrites the member's keys); the rate is N / (last change applied − first update
 *                 committed); the follower's own rate is the changes over the time spent in its batch transactions
 *
 * Data: generated members (bench/generator, seed 1717). Own database, connector, slot and topics; removed at the end.
 * Ends with `hgd verify-index`: the drift must be zero.
 */
import { Readable } from 'node:stream';
import { cpus, loadavg } from 'node:os';
import { verifyIndex } from '../connectors/cdc/verify.js';
import { importMembers } from '../connectors/hgd/import.js';
import { findCandidatesBatch } from '../connectors/hgd/repository.js';
import { queryBlockingKeys } from '../src/matching/blocking.js';
import { memberToLine, memberToSnakeCase } from '../src/matching/lines.js';
import { preparePerson } from '../src/matching/prepare.js';
import { generateHgd } from './generator/index.js';
import { feedConfig, follower, settle, startFeed, stopFeed } from '../test/support/cdc.js';
import { createTestDatabase } from '../test/support/db.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const INSERTS = arg('inserts', 1000);
const RATE = arg('rate', 50);
const UPDATES = arg('updates', 100_000);
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
// Wall time the follower spent in its batch transactions, and the changes they applied (member topic).
const tx = { ms: 0, changes: 0 };
const f = follower(db, cfg, (topic, outcome, _count, ms) => {
  if (!topic.endsWith('.members')) return;
  tx.ms += ms;
  tx.changes += outcome.applied;
});
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
  log(`inserting ${INSERTS} members at ${RATE}/s …`);
  const start = Date.now();
  for (const [i, m] of inserted.entries()) {
    const due = start + (i * 1000) / RATE;
    if (due > Date.now()) await sleep(due - Date.now());
    await db.knex('hgd.members').insert(memberToSnakeCase(m));
    pending.set(m.memberId, { committedAt: Date.now(), keys: queryBlockingKeys(preparePerson(m)) });
  }
  polling = false;
  await Promise.race([poller, sleep(60_000)]);
  latencies.sort((a, b) => a - b);
  const lat = {
    n: latencies.length,
    p50: pct(latencies, 50),
    p95: pct(latencies, 95),
    p99: pct(latencies, 99),
    max: latencies.at(-1),
  };
  log(`insert → findable (ms): ${JSON.stringify(lat)}; not found: ${pending.size}`);

  // 2. Burst of updates.
  await settle(db.knex);
  const before = (await db.knex('hgd_match.cdc_state').first()) as { applied: string };
  tx.ms = 0;
  tx.changes = 0;
  log(`updating ${UPDATES} members in transactions of 1,000 …`);
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
  const committedS = (Date.now() - u0) / 1000;
  await settle(db.knex, 900_000);
  const after = (await db.knex('hgd_match.cdc_state').first()) as { applied: string; last_applied_at: Date };
  const appliedS = (new Date(after.last_applied_at).getTime() - u0) / 1000;
  const changes = Number(after.applied) - Number(before.applied);
  log(
    `burst: ${UPDATES} updates committed in ${committedS.toFixed(1)} s; ${changes} changes applied ${appliedS.toFixed(1)} s after the first commit: ${Math.round(UPDATES / appliedS)} changes/s end to end`,
  );
  const followerRate = Math.round(tx.changes / (tx.ms / 1000));
  log(
    `follower: ${tx.changes} changes in ${(tx.ms / 1000).toFixed(1)} s of batch transactions: ${followerRate} changes/s`,
  );
  const load = loadavg()[0]!.toFixed(1);
  log(`load average (1 min) at the end: ${load}`);
  const v = await verifyIndex(db.knex);
  log(`verify-index: ${JSON.stringify(v)}`);
  process.stdout.write(
    `${JSON.stringify({ machine: `${cpus().length} cores`, snapshot: { members: UPDATES, seconds: snapshotS }, insertToFindableMs: lat, notFound: pending.size, burst: { updates: UPDATES, committedSeconds: committedS, appliedSeconds: appliedS, changesPerSecond: Math.round(UPDATES / appliedS), followerChangesPerSecond: followerRate }, loadAverage: load, drift: v.drift })}\n`,
  );
  if (v.drift !== 0 || pending.size > 0) process.exitCode = 1;
} finally {
  await f.stop();
  await stopFeed(cfg).catch((e: unknown) => log(`cleanup: ${String(e)}`));
  await db.drop();
}
