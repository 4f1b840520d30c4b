import { randomBytes, randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AvroCodec } from '../../connectors/registry/codec.js';
import type { DeadLetter, ReviewCase } from '../../src/contracts/generated.js';
import type { App } from '../../src/runtime/app.js';
import type { Config } from '../../src/runtime/config.js';
import type { TestDatabase } from '../support/db.js';
import { useAdapter } from '../support/harness.js';
import { committedToEnd } from '../support/kafka.js';
import { readAll } from '../support/topic-reader.js';
import { waitFor } from '../support/stack.js';
import { lookupEvent } from '../support/events.js';

describe('dead-letter path on the real stack: bad input never stops the consumer and is never lost', () => {
  const h = useAdapter();
  let db: TestDatabase;
  let config: Config;
  let app: App;
  let codec: AvroCodec;
  let kafka: Kafka;
  beforeAll(() => void ({ db, config, app, codec, kafka } = h));

  it('sends each of 9 kinds of bad message to <topic>.dlq with its reason, processes every good one, commits to the end', async () => {
    const topic = config.topics.codeLookupFailed;
    const good = await codec.encode(topic, lookupEvent(1));
    const otherRecord: ReviewCase = {
      eventId: randomUUID(),
      occurredAt: new Date(),
      caseId: 'RC-X',
      kind: 'DEFENCE_CODE_MAPPING',
      status: 'OPENED',
      subjectId: 'REQ-X',
      reasonCodes: [],
      candidates: [],
      resolution: null,
      resolvedBy: null,
      note: null,
    };
    const wrongRecord = await codec.encode(config.topics.reviewCaseChanged, otherRecord);
    const unknownId = Buffer.from(good);
    unknownId.writeUInt32BE(987_654_321, 1);
    const badMagic = Buffer.from(good);
    badMagic[0] = 1;
    const bad: { key: string; value: Buffer | null; code: string }[] = [
      { key: 'random-bytes', value: randomBytes(64), code: 'DECODE_FAILED' },
      { key: 'empty', value: Buffer.alloc(0), code: 'DECODE_FAILED' },
      { key: 'tombstone', value: null, code: 'DECODE_FAILED' },
      { key: 'magic', value: badMagic, code: 'DECODE_FAILED' },
      { key: 'unknown-id', value: unknownId, code: 'UNKNOWN_SCHEMA' },
      { key: 'truncated', value: good.subarray(0, good.length - 12), code: 'DECODE_FAILED' },
      { key: 'wrong-record', value: wrongRecord, code: 'FOREIGN_SCHEMA' },
      // `encode` checks the Avro schema only; the semantic rules run after decode.
      {
        key: 'impossible-date',
        value: await codec.encode(
          topic,
          lookupEvent(3, { dateOfBirth: { value: '2023-02-29', precision: 'DAY' } }),
        ),
        code: 'VALIDATION_FAILED',
      },
      {
        key: 'oversized',
        value: await codec.encode(topic, lookupEvent(4, { fullName: 'Nguyễn '.repeat(2000) })),
        code: 'VALIDATION_FAILED',
      },
    ];
    const goods = [1, 2, 5, 6, 7].map((i) => lookupEvent(i + 10));
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    // Interleave good and bad on ONE partition (same key) so ordering shows the consumer keeps going.
    const messages = [];
    for (let i = 0; i < Math.max(bad.length, goods.length); i++) {
      const b = bad[i];
      if (b) messages.push({ key: 'same', value: b.value, headers: { kind: b.key } });
      const g = goods[i];
      if (g) messages.push({ key: 'same', value: await codec.encode(topic, g), headers: { kind: 'good' } });
    }
    await producer.send({ topic, acks: -1, messages });
    await producer.disconnect();

    await waitFor(
      'all inputs handled',
      async () =>
        Number((await db.knex('bridge.inbox').count<{ c: string }[]>('* as c'))[0]?.c) ===
        bad.length + goods.length,
      60_000,
    );
    const inbox = await db.knex('bridge.inbox').select('event_id', 'outcome');
    for (const g of goods) expect(inbox.find((r) => r.event_id === g.eventId)?.outcome).toBe('no_match');

    const dead = await waitFor('dead letters published', async () => {
      const recs = await readAll(kafka, `${topic}.dlq`);
      return recs.length === bad.length ? recs : null;
    });
    const letters = await Promise.all(dead.map((r) => codec.decode<DeadLetter>(`${topic}.dlq`, r.value)));
    const byKind = new Map(
      letters.map((l) => [l.headers.find((h) => h.key === 'kind')?.value?.toString(), l]),
    );
    for (const b of bad) {
      const l = byKind.get(b.key);
      expect(l, b.key).toBeDefined();
      expect(l?.errorCode, b.key).toBe(b.code);
      expect(l?.sourceTopic).toBe(topic);
      expect(l?.consumerGroup).toBe(config.kafka.groupId);
      expect(l?.errorMessage.length).toBeGreaterThan(0);
      // The original bytes are kept, so `dlq replay` can re-publish them after a fix.
      expect(
        l?.originalValue
          ? Buffer.compare(l.originalValue, b.value ?? Buffer.alloc(0))
          : b.value === null || b.value.length === 0
            ? 0
            : 1,
      ).toBe(0);
    }
    expect(app.consumer.joined).toBe(true);

    await waitFor('offsets committed to the end', () => committedToEnd(kafka, config.kafka.groupId, topic));
  });
});
