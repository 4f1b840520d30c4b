/**
 * Several instances in one group: three `vss-bridge run` processes share 6-partition topics and a backlog of
 * Defence events; one is killed with `kill -9` mid-backlog and started again. Then every guarantee is checked:
 * one outcome per event, no code changed twice, and order — within each input partition the outputs were written
 * in input order, and every key's records appear on its output partition in the order they were committed (the
 * outbox order), which only holds if one relay at a time publishes. Across keys there is no order to keep: outbox
 * ids are taken at insert, and two instances' transactions commit in either order.
 */
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Knex } from 'knex';
import { importMembers, refreshNameFrequencies } from '../../connectors/hgd/import.js';
import { createKafka } from '../../connectors/kafka/client.js';
import { ensureTopics } from '../../connectors/kafka/topics.js';
import { topicBindings } from '../../connectors/registry/bindings.js';
import { memberToLine } from '../../src/matching/lines.js';
import { testCodec, testConfig } from '../../test/support/app.js';
import { createTestDatabase } from '../../test/support/db.js';
import { readAll } from '../../test/support/topic-reader.js';
import { spawnAdapter } from '../scenario/adapter-process.js';
import { buildDefenceScenario, produceLookups } from '../scenario/defence.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface MultiReport {
  events: number;
  instances: number;
  /** Inbox rows when the instance was killed. */
  killedAt: number;
  outcomes: Record<string, number>;
  inboxEvents: number;
  codeChanges: number;
  distinctMembersChanged: number;
  autoMatches: number;
  /** Members whose HGD code is not the BQP code of their (one) code change. */
  wrongCodes: number;
  /** Input partitions in which a later event's outputs were written before an earlier event's. */
  inputPartitionsOutOfOrder: number;
  /** Record keys of which a record first appears before one of the same key committed earlier (outbox order). */
  outputKeysOutOfOrder: number;
  /** Output records whose message id is not in the outbox (should be 0), and re-sends of a record. */
  unknownRecords: number;
  resentRecords: number;
  /** Keys with a different number of distinct outputs on a topic than the outbox holds. */
  keysMissingOutputs: number;
  dlq: number;
  errorLogLines: number;
  seconds: number;
  logFile: string;
}

export async function runMultiInstance(opts: {
  events: number;
  members: number;
  instances?: number;
  seed?: number;
  log?: (l: string) => void;
}): Promise<MultiReport> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const instances = opts.instances ?? 3;
  const started = Date.now();
  const db = await createTestDatabase();
  const env0 = { KAFKA_TOPIC_PARTITIONS: '6' };
  const config = testConfig(db.url, env0);
  const kafka = createKafka({ brokers: config.kafka.brokers, clientId: 'multi-instance' });
  const logDir = join(ROOT, '.stack', 'multi');
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${config.kafka.groupId}.log`);
  const logStream = createWriteStream(logFile);
  const children: ChildProcess[] = [];
  let errorLogLines = 0;
  try {
    const scenario = buildDefenceScenario({
      seed: opts.seed ?? 23,
      members: opts.members,
      events: opts.events,
    });
    await importMembers(db.knex, Readable.from([scenario.members.map((m) => memberToLine(m)).join('\n')]));
    await refreshNameFrequencies(db.knex);
    const codec = await testCodec(config);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(
      admin,
      topicBindings(config).map((b) => b.topic),
      6,
    );
    await admin.disconnect();
    const topic = config.topics.codeLookupFailed;
    await produceLookups(kafka, codec, topic, scenario.events);
    log(`produced ${scenario.events.length} events to 6 partitions; starting ${instances} instances`);

    const env = {
      ...process.env,
      ...env0,
      DATABASE_URL: config.databaseUrl,
      TOPIC_PREFIX: config.topicPrefix,
      KAFKA_GROUP_ID: config.kafka.groupId,
      HTTP_PORT: '0',
      LOG_LEVEL: 'warn',
    };
    const start = (name: string) => {
      const c = spawnAdapter(name, env, logStream, (n) => (errorLogLines += n));
      children.push(c);
      return c;
    };
    const count = async (q: Knex.QueryBuilder) =>
      Number((await q.count<{ c: string }[]>('* as c'))[0]?.c ?? 0);
    const inbox = () => count(db.knex('bridge.inbox'));
    const total = scenario.events.length;

    const running = Array.from({ length: instances }, (_, i) => start(String.fromCharCode(97 + i)));
    // Kill one instance once a quarter of the backlog is handled (mid-backlog, mid-batch), restart it a second later.
    const deadline = Date.now() + 10 * 60_000;
    let killedAt = -1;
    while ((await inbox()) < total / 4) {
      if (Date.now() > deadline) throw new Error('no progress');
      await sleep(50);
    }
    await sleep(Math.random() * 300);
    const victim = running[1]!;
    victim.kill('SIGKILL');
    await new Promise((r) =>
      victim.exitCode !== null || victim.signalCode !== null ? r(null) : victim.once('exit', r),
    );
    killedAt = await inbox();
    log(`kill -9 of instance b at ${killedAt}/${total} events handled`);
    await sleep(1000);
    start('b2');
    for (;;) {
      const [handled, unsent] = [await inbox(), await count(db.knex('bridge.outbox').whereNull('sent_at'))];
      if (handled >= total && unsent === 0) break;
      if (Date.now() > deadline) throw new Error(`not drained: ${handled}/${total}, ${unsent} unsent`);
      await sleep(250);
    }
    // Every instance has been up long enough to have its signal handlers: a graceful stop for all.
    await sleep(2000);
    const live = children.filter((c) => c.exitCode === null && c.signalCode === null);
    await Promise.all(live.map((c) => new Promise((r) => (c.once('exit', r), c.kill('SIGTERM')))));

    // Verification.
    const outcomes: Record<string, number> = {};
    for (const r of await db
      .knex('bridge.inbox')
      .select('outcome')
      .count<{ outcome: string; c: string }[]>('* as c')
      .groupBy('outcome'))
      outcomes[r.outcome] = Number(r.c);
    const changes = (await db.knex('bridge.code_changes').select('member_id', 'new_code')) as {
      member_id: string;
      new_code: string;
    }[];
    const codes = new Map(
      (
        (await db
          .knex('hgd.members')
          .whereIn(
            'member_id',
            changes.map((c) => c.member_id),
          )
          .select('member_id', 'bhxh_code')) as { member_id: string; bhxh_code: string }[]
      ).map((r) => [r.member_id, r.bhxh_code]),
    );
    const wrongCodes = changes.filter((c) => codes.get(c.member_id) !== c.new_code).length;

    // Order within each input partition: the outbox rows of its events follow the events' offsets.
    const requestOf = new Map(scenario.events.map((e) => [e.eventId, e.requestId]));
    const outbox = (await db
      .knex('bridge.outbox')
      .orderBy('id')
      .select('id', 'topic', 'key', 'message_id')) as {
      id: number;
      topic: string;
      key: Buffer | null;
      message_id: string;
    }[];
    const firstRowOfKey = new Map<string, number>();
    for (const o of outbox) {
      const k = o.key?.toString() ?? '';
      if (!firstRowOfKey.has(k)) firstRowOfKey.set(k, o.id);
    }
    const rows = (await db
      .knex('bridge.inbox')
      .orderByRaw('partition, "offset"::bigint')
      .select('partition', 'offset', 'event_id')) as {
      partition: number;
      offset: string;
      event_id: string;
    }[];
    const outOfOrderInputs = new Set<number>();
    const lastIdOfPartition = new Map<number, number>();
    for (const r of rows) {
      const id = firstRowOfKey.get(requestOf.get(r.event_id) ?? '');
      if (id === undefined) continue;
      if (id < (lastIdOfPartition.get(r.partition) ?? 0)) outOfOrderInputs.add(r.partition);
      lastIdOfPartition.set(r.partition, id);
    }

    // Order of every key on its output partition: first occurrences of message ids follow the outbox order.
    const idOfMessage = new Map(outbox.map((o) => [o.message_id, o]));
    const outOfOrderKeys = new Set<string>();
    let unknownRecords = 0;
    let resentRecords = 0;
    let keysMissingOutputs = 0;
    for (const t of [
      config.topics.defenceCodeMappingDecided,
      config.topics.vssidCodeMappingDecided,
      config.topics.reviewCaseChanged,
    ]) {
      const records = await readAll(kafka, t);
      const byPartition = new Map<number, typeof records>();
      for (const r of records) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r]);
      const seen = new Set<string>();
      for (const list of byPartition.values()) {
        list.sort((a, b) => Number(a.offset) - Number(b.offset));
        const lastOfKey = new Map<string, number>();
        for (const r of list) {
          const mid = String(r.headers['message-id'] ?? '');
          const row = idOfMessage.get(mid);
          if (!row) {
            unknownRecords++;
            continue;
          }
          if (seen.has(mid)) {
            resentRecords++;
            continue;
          }
          seen.add(mid);
          const key = `${t}/${r.key?.toString('hex') ?? ''}`;
          if (row.id < (lastOfKey.get(key) ?? 0)) outOfOrderKeys.add(key);
          lastOfKey.set(key, row.id);
        }
      }
      // Every outbox row of this topic reached it.
      const expected = new Map<string, number>();
      for (const o of outbox)
        if (o.topic === t)
          expected.set(o.key?.toString() ?? '', (expected.get(o.key?.toString() ?? '') ?? 0) + 1);
      const got = new Map<string, Set<string>>();
      for (const r of records) {
        const k = r.key?.toString() ?? '';
        got.set(k, (got.get(k) ?? new Set()).add(String(r.headers['message-id'] ?? '')));
      }
      for (const [k, n] of expected) if ((got.get(k)?.size ?? 0) !== n) keysMissingOutputs++;
    }
    const dlq = (await readAll(kafka, `${topic}.dlq`)).length;
    return {
      events: total,
      instances,
      killedAt,
      outcomes,
      inboxEvents: await inbox(),
      codeChanges: changes.length,
      distinctMembersChanged: new Set(changes.map((c) => c.member_id)).size,
      autoMatches: outcomes.match ?? 0,
      wrongCodes,
      inputPartitionsOutOfOrder: outOfOrderInputs.size,
      outputKeysOutOfOrder: outOfOrderKeys.size,
      unknownRecords,
      resentRecords,
      keysMissingOutputs,
      dlq,
      errorLogLines,
      seconds: (Date.now() - started) / 1000,
      logFile,
    };
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    logStream.end();
    await db.drop().catch(() => undefined);
  }
}
