/**
 * `npm run bench:kafka-client`: the two Kafka clients without the adapter's work (docs/adr/0005-kafka-client.md).
 * For each client a raw consume → produce pipe drains the same backlog: a consumer group (eachBatch, offsets
 * resolved per record and committed by the client, `partitionsConsumedConcurrently` 3) and an idempotent producer
 * (acks all, one request in flight), both through `kafkaClientFromConfig`, as `vss-bridge run` uses them. The
 * backlog is produced and the outputs' broker timestamps read with kafkajs, the same for both. Runs alternate
 * (kafkajs, confluent, kafkajs, confluent …) so both share the machine's conditions.
 *
 *   --records N  backlog per run (default 50,000)   --size B  value bytes (default 400)   --rounds R  (default 2)
 *   --package-defaults  also `confluent-32`: the package's own defaults, batches of at most 32 records
 *                (`js.consumer.max.batch.size`) and a 5 ms producer linger, where the bridge sets 1,000 and 0
 */
import { randomBytes } from 'node:crypto';
import { cpus, loadavg, totalmem } from 'node:os';
import type { Kafka } from 'kafkajs';
import { kafkaClientFromConfig, kafkaFromConfig } from '../connectors/kafka/client.js';
import { createConfluentKafka, loadConfluent } from '../connectors/kafka/confluent.js';
import { ensureTopics } from '../connectors/kafka/topics.js';
import { loadConfig, type KafkaClientName } from '../src/runtime/config.js';
import { uniqueName } from '../test/support/stack.js';
import { firstTimestamps } from './scenario/timestamps.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const RECORDS = arg('records', 50_000);
const SIZE = arg('size', 400);
const ROUNDS = arg('rounds', 2);
const PACKAGE_DEFAULTS = process.argv.includes('--package-defaults');
type Variant = KafkaClientName | 'confluent-32';
const log = (s: string) => process.stderr.write(`${s}\n`);

loadConfluent(); // fail at once, with the install hint, when the optional client is missing
const base = loadConfig({ VSS_PROFILE: 'local', ...process.env });
const harness = kafkaFromConfig(base);
const admin = harness.admin();
await admin.connect();

/** Broker timestamps of the first `count` records of a topic, by key. */
const timestamps = (topic: string, count: number) =>
  firstTimestamps(harness, topic, count, { timeoutMs: 120_000, groupPrefix: 'client-bench-read' });

async function pipeRun(client: Variant, round: number) {
  const prefix = `${uniqueName('client-bench')}.`;
  const input = `${prefix}in`;
  const output = `${prefix}out`;
  await ensureTopics(admin, [input, output], 3);
  const value = randomBytes(SIZE);
  const producer = harness.producer({ idempotent: true });
  await producer.connect();
  for (let i = 0; i < RECORDS; i += 1000) {
    const n = Math.min(1000, RECORDS - i);
    await producer.send({
      topic: input,
      acks: -1,
      messages: Array.from({ length: n }, (_, j) => ({ key: `k${i + j}`, value })),
    });
  }
  await producer.disconnect();
  const inTs = await timestamps(input, RECORDS);

  const kafka: Kafka =
    client === 'confluent-32'
      ? createConfluentKafka({
          brokers: base.kafka.brokers,
          clientId: base.kafka.clientId,
          ssl: base.kafka.ssl,
          tls: base.kafka.tls,
          sasl: base.kafka.sasl,
          admin: () => harness.admin(),
          consumerConfig: { 'js.consumer.max.batch.size': 32 },
          producerConfig: { 'linger.ms': 5 },
        })
      : kafkaClientFromConfig({ ...base, kafka: { ...base.kafka, client } });
  const out = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await out.connect();
  const consumer = kafka.consumer({ groupId: uniqueName('client-bench'), allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topics: [input], fromBeginning: true });
  let piped = 0;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const cpu0 = process.cpuUsage();
  const started = Date.now();
  await consumer.run({
    autoCommit: true,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 3,
    eachBatch: async ({ batch, resolveOffset }) => {
      for (let i = 0; i < batch.messages.length; i += 500) {
        const chunk = batch.messages.slice(i, i + 500);
        await out.send({
          topic: output,
          acks: -1,
          messages: chunk.map((m) => ({ key: m.key, value: m.value })),
        });
        for (const m of chunk) resolveOffset(m.offset);
      }
      piped += batch.messages.length;
      if (piped >= RECORDS) finish();
    },
  });
  await done;
  const cpu = process.cpuUsage(cpu0);
  const drainedAt = Date.now();
  await consumer.disconnect();
  await out.disconnect();
  const outTs = await timestamps(output, RECORDS);
  const lat: number[] = [];
  let last = 0;
  for (const [k, t] of outTs) {
    const i = inTs.get(k);
    if (i !== undefined) lat.push(t - i);
    last = Math.max(last, t);
  }
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? NaN;
  await admin.deleteTopics({ topics: [input, output] }).catch(() => undefined);
  const seconds = (Math.min(last, drainedAt) - started) / 1000;
  return {
    client,
    round,
    records: RECORDS,
    valueBytes: SIZE,
    seconds,
    perSecond: Math.round(RECORDS / seconds),
    // Of the bench process while the pipe ran: the client's own cost (librdkafka's threads included).
    cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(1)),
    p50ms: q(0.5),
    p99ms: q(0.99),
    load1: Number(loadavg()[0]?.toFixed(1)),
  };
}

const results = [];
for (let r = 1; r <= ROUNDS; r++) {
  const variants: Variant[] = PACKAGE_DEFAULTS
    ? ['kafkajs', 'confluent', 'confluent-32']
    : ['kafkajs', 'confluent'];
  for (const client of variants) {
    log(`round ${r}: ${client}`);
    const res = await pipeRun(client, r);
    log(JSON.stringify(res));
    results.push(res);
  }
}
await admin.disconnect();
process.stdout.write(
  `${JSON.stringify({ machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`, results }, null, 2)}\n`,
);
process.stdout.write(
  `\n| client | round | records | s | records/s | CPU s | p50 ms | p99 ms | load (1 min) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n${results
    .map(
      (r) =>
        `| ${r.client} | ${r.round} | ${r.records} | ${r.seconds.toFixed(1)} | ${r.perSecond} | ${r.cpuSeconds} | ${r.p50ms} | ${r.p99ms} | ${r.load1} |`,
    )
    .join('\n')}\n`,
);
process.exit(0);
