import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AvroCodec } from '../../../connectors/registry/codec.js';
import type { DeadLetter } from '../../../src/contracts/generated.js';
import type { App } from '../../../src/runtime/app.js';
import type { Config } from '../../../src/runtime/config.js';
import { testLogger } from '../../support/app.js';
import { useAdapter } from '../../support/harness.js';
import { committedToEnd } from '../../support/kafka.js';
import { waitFor } from '../../support/stack.js';
import { readAll } from '../../support/topic-reader.js';
import { vssBridge } from './cli.js';
import { lookupEvent } from '../../support/events.js';

async function logEnd(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((a, p) => a + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

const header = (h: Record<string, unknown>, key: string) =>
  h[key] === undefined ? undefined : String(h[key] as Buffer);

describe('`vss-bridge dlq replay` re-publishes dead letters to their source topic, byte for byte', () => {
  const h = useAdapter({ logger: () => testLogger('fatal') });
  let config: Config;
  let app: App;
  let codec: AvroCodec;
  let kafka: Kafka;
  beforeAll(() => void ({ config, app, codec, kafka } = h));

  it('counts with --dry-run, replays with original bytes and an x-replayed-from header, and honours --since', async () => {
    const topic = config.topics.codeLookupFailed;
    const dlqTopic = `${topic}.dlq`;
    const good = await codec.encode(topic, lookupEvent(1));
    const badMagic = Buffer.from(good);
    badMagic[0] = 7;
    const bad = [
      { kind: 'random-bytes', value: randomBytes(48) },
      {
        kind: 'impossible-date',
        value: await codec.encode(
          topic,
          lookupEvent(2, { dateOfBirth: { value: '2021-02-30', precision: 'DAY' } }),
        ),
      },
      { kind: 'magic', value: badMagic },
    ];
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    // One key, so one partition and a known order.
    await producer.send({
      topic,
      acks: -1,
      messages: [
        ...bad.map((b) => ({ key: 'same', value: b.value, headers: { kind: b.kind } })),
        { key: 'same', value: good, headers: { kind: 'good' } },
      ],
    });
    await producer.disconnect();
    const inputs = bad.length + 1;

    await waitFor(
      'bad input dead-lettered',
      async () => (await readAll(kafka, dlqTopic)).length === bad.length,
      60_000,
      250,
    );
    await waitFor(
      'source committed to the end',
      () => committedToEnd(kafka, config.kafka.groupId, topic),
      30_000,
      250,
    );
    expect(await logEnd(kafka, topic)).toBe(inputs);

    const dry = await vssBridge(config, ['dlq', 'replay', '--topic', topic, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`would replay ${bad.length} dead letter(s) to ${topic}; skipped 0`);
    expect(await logEnd(kafka, topic)).toBe(inputs);

    const beforeReplay = new Date();
    // Given the `<topic>.dlq` name, the command finds the source topic itself.
    const run = await vssBridge(config, ['dlq', 'replay', '--topic', dlqTopic]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`replayed ${bad.length} dead letter(s) to ${topic}; skipped 0`);

    const source = await readAll(kafka, topic);
    expect(source).toHaveLength(inputs + bad.length);
    const replayed = source.slice(inputs);
    const letters = new Map(
      (await readAll(kafka, dlqTopic)).map((l) => [`${dlqTopic}:${l.partition}:${l.offset}`, l]),
    );
    expect(replayed.map((r) => header(r.headers, 'kind')).sort()).toEqual(bad.map((b) => b.kind).sort());
    for (const r of replayed) {
      const kind = header(r.headers, 'kind');
      const original = bad.find((b) => b.kind === kind);
      // Each copy names the dead letter it came from, and carries that letter's original bytes and key.
      const letter = letters.get(header(r.headers, 'x-replayed-from') ?? '');
      expect(letter, kind).toBeDefined();
      const dl = await codec.decode<DeadLetter>(dlqTopic, letter!.value);
      expect(Buffer.compare(r.value!, original!.value), kind).toBe(0);
      expect(Buffer.compare(r.value!, dl.originalValue!), kind).toBe(0);
      expect(r.key?.toString()).toBe('same');
      expect(dl.sourceTopic).toBe(topic);
    }

    // Still bad, so the running adapter dead-letters the replayed copies again: nothing is lost or looped on.
    const again = await waitFor(
      'replayed copies dead-lettered again',
      async () => {
        const all = await readAll(kafka, dlqTopic);
        return all.length === 2 * bad.length ? all : null;
      },
      60_000,
      250,
    );
    const second = await Promise.all(
      again.slice(bad.length).map((r) => codec.decode<DeadLetter>(dlqTopic, r.value)),
    );
    expect(second.map((l) => l.sourceOffset).sort()).toEqual(replayed.map((r) => Number(r.offset)).sort());
    await waitFor(
      'source committed to the end after replay',
      () => committedToEnd(kafka, config.kafka.groupId, topic),
      30_000,
      250,
    );
    expect(app.consumer.joined).toBe(true);

    // --since keeps only dead letters written at or after the time: here, the second round.
    const since = await vssBridge(config, [
      'dlq',
      'replay',
      '--topic',
      topic,
      '--since',
      beforeReplay.toISOString(),
      '--dry-run',
    ]);
    expect(since.code, since.stderr).toBe(0);
    expect(since.stdout).toContain(
      `would replay ${bad.length} dead letter(s) to ${topic}; skipped ${bad.length}`,
    );

    const future = await vssBridge(config, [
      'dlq',
      'replay',
      '--topic',
      topic,
      '--since',
      new Date(Date.now() + 86_400_000).toISOString(),
    ]);
    expect(future.code, future.stderr).toBe(0);
    expect(future.stdout).toContain(`replayed 0 dead letter(s) to ${topic}; skipped ${2 * bad.length}`);
    expect(await logEnd(kafka, topic)).toBe(inputs + bad.length);
  });
});
