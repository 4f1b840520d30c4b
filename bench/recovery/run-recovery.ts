/**
 * Recovery of a consumer group after a crash: two `vss-bridge run` instances share 6-partition topics and a
 * backlog of Defence events; one is killed with `kill -9` and started again right away. The group's processing
 * is sampled every 100 ms as the sum of its committed offsets; the figure that matters is the longest time during
 * which no offset was committed anywhere in the group while work was waiting (the pause), and how long after the
 * restart the restarted instance's process committed again.
 */
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { importMembers, refreshNameFrequencies } from '../../connectors/hgd/import.js';
import { createKafka } from '../../connectors/kafka/client.js';
import { ensureTopics } from '../../connectors/kafka/topics.js';
import { topicBindings } from '../../connectors/registry/bindings.js';
import { memberToLine } from '../../src/matching/lines.js';
import { testCodec, testConfig } from '../../test/support/app.js';
import { createTestDatabase } from '../../test/support/db.js';
import { spawnAdapter } from '../scenario/adapter-process.js';
import { buildDefenceScenario, produceLookups } from '../scenario/defence.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RecoverySettings {
  label: string;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
}

export interface RecoveryReport {
  label: string;
  settings: RecoverySettings;
  events: number;
  /** Longest time with no commit anywhere in the group while events waited, from the kill to the end. */
  longestPauseMs: number;
  /**
   * The longest time one partition, with events waiting, saw no commit, from the kill to the end: for the dead
   * member's partitions, how long their events waited for the group to hand them over and work on them.
   */
  longestPartitionPauseMs: number;
  /** From the restart until the group committed again (any instance). */
  firstCommitAfterRestartMs: number | null;
  /** Longest pause before the kill, with both instances in the group (the steady state's own gaps), for comparison. */
  steadyLongestGapMs: number;
  drainedSeconds: number;
  /** Log lines at error level (pino level 50) written by the instances: a crash and rejoin is routine. */
  errorLogLines: number;
}

export async function runRecovery(
  settings: RecoverySettings,
  opts: { brokers: string; events: number; members: number; log?: (l: string) => void },
): Promise<RecoveryReport> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const db = await createTestDatabase();
  const env0 = { KAFKA_BROKERS: opts.brokers, KAFKA_TOPIC_PARTITIONS: '6' };
  const config = testConfig(db.url, env0);
  const kafka = createKafka({ brokers: opts.brokers.split(','), clientId: 'recovery-bench' });
  const logDir = join(ROOT, '.stack', 'recovery');
  mkdirSync(logDir, { recursive: true });
  const logStream = createWriteStream(join(logDir, `${config.kafka.groupId}.log`));
  const children: ChildProcess[] = [];
  let errorLogLines = 0;
  try {
    const scenario = buildDefenceScenario({ seed: 11, members: opts.members, events: opts.events });
    await importMembers(db.knex, Readable.from([scenario.members.map((m) => memberToLine(m)).join('\n')]));
    await refreshNameFrequencies(db.knex);
    const codec = await testCodec(config); // input schemas registered as VssID's producer would
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(
      admin,
      topicBindings(config).map((b) => b.topic),
      6,
    );
    const topic = config.topics.codeLookupFailed;
    // A first backlog, then the rest at a steady 300 events/s while the instances run: however fast the machine,
    // events keep arriving after the restart, so the group is measured while it has work.
    const head = Math.min(1000, scenario.events.length);
    await produceLookups(kafka, codec, topic, scenario.events.slice(0, head));
    let producedAllAt = 0;
    const producing = produceLookups(kafka, codec, topic, scenario.events.slice(head), {
      chunk: 30,
      everyMs: 100,
    }).then(() => (producedAllAt = Date.now()));
    producing.catch(() => undefined); // awaited (and its failure thrown) after the run

    const env = {
      ...process.env,
      ...env0,
      DATABASE_URL: config.databaseUrl,
      TOPIC_PREFIX: config.topicPrefix,
      KAFKA_GROUP_ID: config.kafka.groupId,
      KAFKA_SESSION_TIMEOUT_MS: String(settings.sessionTimeoutMs),
      KAFKA_HEARTBEAT_INTERVAL_MS: String(settings.heartbeatIntervalMs),
      KAFKA_REBALANCE_TIMEOUT_MS: String(settings.rebalanceTimeoutMs),
      KAFKA_CONCURRENCY: '3',
      HTTP_PORT: '0',
      LOG_LEVEL: 'info',
    };
    const start = (name: string) => {
      const c = spawnAdapter(name, env, logStream, (n) => (errorLogLines += n));
      children.push(c);
      return c;
    };

    // Per sample and partition: the committed offset and the end of the partition (events keep arriving).
    const perPartition: { t: number; offsets: Map<number, number>; ends: Map<number, number> }[] = [];
    const committed = async (): Promise<number> => {
      const [[offsets], ends] = await Promise.all([
        admin.fetchOffsets({ groupId: config.kafka.groupId, topics: [topic] }),
        admin.fetchTopicOffsets(topic),
      ]);
      const byPartition = new Map(
        (offsets?.partitions ?? []).map((p) => [p.partition, Number(p.offset)] as const),
      );
      perPartition.push({
        t: Date.now(),
        offsets: byPartition,
        ends: new Map(ends.map((p) => [p.partition, Number(p.high)] as const)),
      });
      return [...byPartition.values()].reduce((a, o) => a + Math.max(0, o), 0);
    };
    const samples: { t: number; total: number }[] = [];
    const t0 = Date.now();
    const a = start('a');
    const b = start('b');
    let killedAt = 0;
    let restartedAt = 0;
    let bothWorkingAt = 0;
    const total = scenario.events.length;
    const stableWithTwo = async () => {
      const { groups } = await admin.describeGroups([config.kafka.groupId]);
      return groups[0]?.state === 'Stable' && groups[0].members.length === 2;
    };
    // Kill once both instances have worked side by side for 3 s (the steady state's gaps between commits are the
    // yardstick of this machine's speed at this moment); restart one second later.
    for (;;) {
      const now = Date.now();
      const c = await committed();
      samples.push({ t: now, total: c });
      if (!bothWorkingAt && (await stableWithTwo())) bothWorkingAt = Date.now();
      if (!killedAt && bothWorkingAt && now - bothWorkingAt >= 3000) {
        b.kill('SIGKILL');
        killedAt = Date.now();
        log(`  ${settings.label}: kill -9 of instance b at ${c}/${total} committed`);
      }
      if (killedAt && !restartedAt && Date.now() - killedAt >= 1000) {
        start('b2');
        restartedAt = Date.now();
        log(`  ${settings.label}: instance b started again`);
      }
      if (c >= total) break;
      if (now - t0 > 10 * 60_000) throw new Error(`not drained after 10 min: ${c}/${total}`);
      await sleep(100);
    }
    void a;
    await producing;
    // A run that never killed, never restarted, or ran out of events before the restart measured no recovery.
    if (!killedAt || !restartedAt) throw new Error('the backlog was done before the kill and restart');
    if (producedAllAt < restartedAt) throw new Error('events stopped arriving before the restart');
    const gaps = (from: number, to: number) => {
      let longest = 0;
      let lastChange = samples.find((s) => s.t >= from)?.t ?? from;
      for (let i = 1; i < samples.length; i++) {
        const s = samples[i]!;
        if (s.t < from || s.t > to) continue;
        if (s.total !== samples[i - 1]!.total) {
          longest = Math.max(longest, s.t - lastChange);
          lastChange = s.t;
        }
      }
      return longest;
    };
    // Per partition: the longest run of samples after the kill with events waiting and the offset not moving.
    const partitionPause = () => {
      let longest = 0;
      for (const partition of perPartition[0]?.ends.keys() ?? []) {
        let since: number | null = null;
        let last = -1;
        for (const s of perPartition) {
          if (s.t < killedAt) continue;
          const end = s.ends.get(partition) ?? 0;
          const o = Math.max(0, s.offsets.get(partition) ?? -1);
          if (o !== last || o >= end) since = o >= end ? null : s.t;
          else if (since !== null) longest = Math.max(longest, s.t - since);
          last = o;
        }
      }
      return longest;
    };
    const firstAfter = samples.find((s, i) => i > 0 && s.t > restartedAt && s.total > samples[i - 1]!.total);
    return {
      label: settings.label,
      settings,
      events: total,
      longestPauseMs: gaps(killedAt, Date.now()),
      longestPartitionPauseMs: partitionPause(),
      firstCommitAfterRestartMs: firstAfter ? firstAfter.t - restartedAt : null,
      steadyLongestGapMs: gaps(bothWorkingAt, killedAt),
      drainedSeconds: (Date.now() - t0) / 1000,
      errorLogLines,
    };
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    logStream.end();
    await db.drop().catch(() => undefined);
  }
}
