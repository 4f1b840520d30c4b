import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OperatorStore } from '../../connectors/db/operators.js';
import { ensureTopics } from '../../connectors/kafka/topics.js';
import type { AvroCodec } from '../../connectors/registry/codec.js';
import type { CodeMapping, DeadLetter } from '../../src/contracts/generated.js';
import { startApp, type App } from '../../src/runtime/app.js';
import type { Config } from '../../src/runtime/config.js';
import { seedHgd, testCodec, testConfig, testLogger } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { lookupEvent } from '../support/events.js';
import { committedToEnd, testKafka } from '../support/kafka.js';
import { waitFor } from '../support/stack.js';
import { readAll } from '../support/topic-reader.js';

/** Twins: a lookup for either is ambiguous and opens a review case (whose event this test makes unpublishable). */
const TWINS = ['T-1', 'T-2'].map((id) => ({
  member_id: id,
  household_code: '0100000009',
  full_name: 'Lê Thị Hoa',
  dob: '2014-04-04',
  gender: 'F' as const,
  bhxh_code: id === 'T-1' ? '0112345011' : '0112345012',
  province_code: '01',
  father_name: 'Lê Văn Sơn',
  mother_name: 'Vũ Thị Hà',
}));

describe('no poison record stalls output', () => {
  const kafka = testKafka();
  let db: TestDatabase;
  let config: Config;
  let codec: AvroCodec;
  let app: App;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedHgd(db.knex, TWINS);
    config = testConfig(db.url);
    // The review-case topic takes records of at most 100 bytes: the broker refuses every ReviewCase for good.
    const admin = kafka.admin();
    await admin.connect();
    // (kafkajs' own waitForLeaders gives up on UNKNOWN_TOPIC_OR_PARTITION while the new topic propagates.)
    await ensureTopics(admin, [config.topics.reviewCaseChanged], 1, 30_000, [
      { name: 'max.message.bytes', value: '100' },
    ]);
    await admin.disconnect();
    codec = await testCodec(config);
    app = await startApp(config, testLogger('fatal'));
  });
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
  });

  it('a 1 MiB bad input is dead-lettered within the size limit (truncated, with its digest); the valid event behind it goes out', async () => {
    const topic = config.topics.codeLookupFailed;
    const huge = randomBytes(1_048_000);
    const valid = lookupEvent(1, { fullName: 'Phạm Quốc Bảo', provinceCode: '31' });
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    // Same key, same partition: the valid event waits behind the bad one.
    await producer.send({ topic, acks: -1, messages: [{ key: 'same', value: huge }] });
    await producer.send({
      topic,
      acks: -1,
      messages: [{ key: 'same', value: await codec.encode(topic, valid) }],
    });
    await producer.disconnect();
    await waitFor('both consumed', () => committedToEnd(kafka, config.kafka.groupId, topic), 60_000);

    let letters: DeadLetter[] = [];
    await waitFor('the dead letter published', async () => {
      letters = await Promise.all(
        (await readAll(kafka, `${topic}.dlq`)).map((r) => codec.decode<DeadLetter>(`${topic}.dlq`, r.value)),
      );
      return letters.length === 1;
    });
    const dl = letters[0]!;
    expect(dl).toMatchObject({
      errorCode: 'DECODE_FAILED',
      originalValueTruncated: true,
      originalValueSize: huge.length,
      originalValueSha256: createHash('sha256').update(huge).digest('hex'),
    });
    expect(dl.originalValue!.length).toBeLessThan(config.kafka.maxMessageBytes);
    expect(dl.originalValue!.equals(huge.subarray(0, dl.originalValue!.length))).toBe(true);

    await waitFor('the valid event answered', async () => {
      const vssid = await Promise.all(
        (await readAll(kafka, config.topics.vssidCodeMappingDecided)).map((r) =>
          codec.decode<CodeMapping>(config.topics.vssidCodeMappingDecided, r.value),
        ),
      );
      return vssid.some((m) => m.requestId === valid.requestId && m.outcome === 'NO_MATCH');
    });
  });

  it('a record the broker refuses is parked with its reason; later outputs keep flowing and /readyz reports it', async () => {
    const topic = config.topics.codeLookupFailed;
    const ambiguous = lookupEvent(2, {
      fullName: 'Lê Thị Hoa',
      dateOfBirth: { value: '2014-04-04', precision: 'DAY' },
      gender: 'FEMALE',
      provinceCode: '01',
      fatherName: 'Lê Văn Sơn',
      motherName: 'Vũ Thị Hà',
    });
    const after = lookupEvent(3, { fullName: 'Đinh Công Tráng', provinceCode: '40' });
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: [{ key: 'k', value: await codec.encode(topic, ambiguous) }],
    });
    await producer.send({
      topic,
      acks: -1,
      messages: [{ key: 'k', value: await codec.encode(topic, after) }],
    });
    await producer.disconnect();

    await waitFor('the ReviewCase parked', async () => {
      const parked = await db.knex('bridge.outbox').whereNotNull('parked_at');
      return parked.length === 1;
    });
    const [parked] = await db.knex('bridge.outbox').whereNotNull('parked_at');
    expect(parked).toMatchObject({
      topic: config.topics.reviewCaseChanged,
      parked_reason: 'MESSAGE_TOO_LARGE',
    });
    expect(parked.sent_at).toBeNull();

    await waitFor('the later event answered', async () => {
      const vssid = await Promise.all(
        (await readAll(kafka, config.topics.vssidCodeMappingDecided)).map((r) =>
          codec.decode<CodeMapping>(config.topics.vssidCodeMappingDecided, r.value),
        ),
      );
      return vssid.some((m) => m.requestId === after.requestId);
    });
    const unsent = await db.knex('bridge.outbox').whereNull('sent_at').whereNull('parked_at');
    expect(unsent).toHaveLength(0);

    const ready = await fetch(`http://127.0.0.1:${app.httpPort}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks.outbox).toMatch(
      /1 record\(s\) parked/,
    );

    // The operators' status page shows it too.
    const operators = new OperatorStore(db.knex);
    await operators.add({ id: 'olive', role: 'viewer' });
    const token = await operators.issueToken('olive');
    const status = await fetch(`http://127.0.0.1:${app.httpPort}/status.json`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(status.status).toBe(200);
    expect(((await status.json()) as { outbox: { parked: number } }).outbox.parked).toBe(1);
  });
});
