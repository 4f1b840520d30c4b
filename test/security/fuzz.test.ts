/**
 * Fuzzing the consumer through the real broker and registry (issue "Hardening", item 7): FUZZ_COUNT messages per
 * input topic (default 10,000, 1,000 under CI; FUZZ_SEED to replay a run) — random bytes, random Avro values of our schemas, and
 * valid events mutated (bytes flipped, inserted, deleted, truncated, extended, schema id changed, counts and
 * lengths inflated). At the end the consumer is alive and has committed every offset, every message is either
 * processed (it decodes) or dead-lettered with a known reason code, the two sets are disjoint and cover all, and
 * nothing else was published: every output names a processed event.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { avroType } from '../../connectors/registry/logical-types.js';
import type { AvroCodec } from '../../connectors/registry/codec.js';
import { dlqTopic } from '../../connectors/registry/bindings.js';
import type { DeadLetter, SchemaName } from '../../src/contracts/generated.js';
import { loadSchemas } from '../../src/contracts/schemas.js';
import type { ErrorCode } from '../../src/domain/errors.js';
import { startApp, type App } from '../../src/runtime/app.js';
import type { Config } from '../../src/runtime/config.js';
import { testCodec, testConfig, testLogger } from '../support/app.js';
import { FIXTURES } from '../support/contract-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { lookupEvent } from '../support/events.js';
import { committedToEnd, testKafka } from '../support/kafka.js';
import { waitFor } from '../support/stack.js';
import { readAll } from '../support/topic-reader.js';

// 10,000 per topic took 505 s to consume on the shared 2-core development machine (59 messages/s, most of them
// dead letters, each its own transaction and outbox record); CI runs 1,000 per topic unless FUZZ_COUNT says more.
const COUNT = Number(process.env.FUZZ_COUNT ?? (process.env.CI ? 1_000 : 10_000));
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);

/** Reason codes a dead letter of bad input may carry (UNEXPECTED would be a crash path: a bug). */
const INPUT_REASONS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'DECODE_FAILED',
  'UNKNOWN_SCHEMA',
  'SCHEMA_MISMATCH',
  'VALIDATION_FAILED',
  'LIMIT_EXCEEDED',
  'FOREIGN_SCHEMA',
  'INVALID_UTF8',
  'CONTROL_CHARACTER',
  'IMPOSSIBLE_DATE',
  'INVALID_REQUEST',
]);

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with FUZZ_SEED. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(rand: () => number, valid: Buffer, schemaId: number): Buffer {
  const int = (n: number) => Math.floor(rand() * n);
  const b = Buffer.from(valid);
  switch (int(9)) {
    case 0: // flip 1–8 bytes of the body
      for (let i = 0, n = 1 + int(8); i < n; i++) b[5 + int(b.length - 5)] = int(256);
      return b;
    case 1: // truncate
      return b.subarray(0, int(b.length));
    case 2: // extend with garbage
      return Buffer.concat([b, Buffer.from(Array.from({ length: 1 + int(32) }, () => int(256)))]);
    case 3: {
      // delete a run
      const at = 5 + int(b.length - 5);
      return Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + int(8))]);
    }
    case 4: {
      // insert a varint claiming a huge count or length
      const at = 5 + int(b.length - 5);
      const huge = Buffer.from([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f].slice(0, 2 + int(7)));
      return Buffer.concat([b.subarray(0, at), huge, b.subarray(at)]);
    }
    case 5: // another schema id
      b.writeUInt32BE(rand() < 0.5 ? schemaId + 1 + int(50) : int(2 ** 32), 1);
      return b;
    case 6: // bad magic byte
      b[0] = 1 + int(255);
      return b;
    case 7: // invalid UTF-8 / control bytes
      for (let i = 0, n = 1 + int(3); i < n; i++)
        b[5 + int(b.length - 5)] = [0x00, 0x1b, 0xc3, 0xff, 0x80][int(5)]!;
      return b;
    default: // unchanged: a valid duplicate
      return b;
  }
}

describe(`fuzz: ${COUNT} random and mutated Avro messages per input topic (seed ${SEED})`, () => {
  let db: TestDatabase;
  let config: Config;
  let app: App;
  let codec: AvroCodec;
  let archive: string;
  const kafka = testKafka();

  beforeAll(async () => {
    archive = mkdtempSync(join(tmpdir(), 'vss-fuzz-'));
    db = await createTestDatabase();
    config = testConfig(db.url, { ARCHIVE_DIR: archive, KAFKA_CONCURRENCY: '3' });
    codec = await testCodec(config);
    app = await startApp(config, testLogger('fatal'));
  });
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
    rmSync(archive, { recursive: true, force: true });
  });

  it('the consumer survives; each message is processed or dead-lettered with a reason; nothing else is published', async () => {
    const rand = prng(SEED);
    const inputs: Array<{ topic: string; schema: SchemaName }> = [
      { topic: config.topics.codeLookupFailed, schema: 'CodeLookupFailed' },
      { topic: config.topics.childRegistrationSubmitted, schema: 'ChildRegistrationSubmitted' },
      { topic: config.topics.adultRegistrationSubmitted, schema: 'AdultRegistrationSubmitted' },
    ];
    const sent = new Map<string, { topic: string; value: Buffer }>();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const t0 = performance.now();
    for (const { topic, schema } of inputs) {
      const type = avroType(loadSchemas()[schema]);
      const valid = await codec.encode(topic, FIXTURES[schema]());
      const schemaId = valid.readUInt32BE(1);
      const batch: Array<{ key: string; value: Buffer; headers: Record<string, string> }> = [];
      for (let i = 0; i < COUNT; i++) {
        const id = `${schema}-${i}`;
        const r = rand();
        let value: Buffer;
        if (r < 0.1)
          value = Buffer.from(
            Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256)),
          );
        else if (r < 0.3) value = Buffer.concat([valid.subarray(0, 5), type.toBuffer(type.random())]);
        else {
          // A fresh valid event (new eventId) as the base of each mutation, so valid ones are distinct events.
          const base = FIXTURES[schema]() as { eventId: string };
          base.eventId = crypto.randomUUID();
          value = mutate(rand, await codec.encode(topic, base), schemaId);
        }
        sent.set(id, { topic, value });
        batch.push({ key: `k${i % 16}`, value, headers: { 'fuzz-id': id } });
        if (batch.length === 500) await producer.send({ topic, acks: -1, messages: batch.splice(0) });
      }
      if (batch.length) await producer.send({ topic, acks: -1, messages: batch.splice(0) });
    }
    // A sentinel behind everything: processed means the consumer is alive and in order to the end.
    const sentinel = lookupEvent(999_999);
    await producer.send({
      topic: config.topics.codeLookupFailed,
      acks: -1,
      messages: [{ key: 'k0', value: await codec.encode(config.topics.codeLookupFailed, sentinel) }],
    });
    await producer.disconnect();
    const produced = performance.now();

    for (const { topic } of inputs)
      await waitFor(
        `${topic} consumed to the end`,
        () => committedToEnd(kafka, config.kafka.groupId, topic),
        1_800_000,
        1000,
      );
    const consumed = performance.now();
    await waitFor(
      'the sentinel processed',
      async () => (await db.knex('bridge.inbox').where({ event_id: sentinel.eventId })).length === 1,
      60_000,
    );
    expect(app.consumer.joined).toBe(true);
    await waitFor(
      'outbox drained',
      async () => (await db.knex('bridge.outbox').whereNull('sent_at')).length === 0,
      120_000,
    );

    // Dead letters, by fuzz id.
    const dead = new Map<string, DeadLetter>();
    for (const { topic } of inputs) {
      for (const r of await readAll(kafka, dlqTopic(topic))) {
        const l = await codec.decode<DeadLetter>(dlqTopic(topic), r.value);
        const id = l.headers.find((h) => h.key === 'fuzz-id')?.value?.toString();
        expect(id, 'a dead letter of a message we did not send').toBeDefined();
        expect(dead.has(id!), `${id} dead-lettered twice`).toBe(false);
        dead.set(id!, l);
      }
    }
    const reasons = new Map<string, number>();
    for (const l of dead.values()) reasons.set(l.errorCode, (reasons.get(l.errorCode) ?? 0) + 1);
    // Every message: dead-lettered with a reason for bad input, or it decodes (and so was processed).
    let processed = 0;
    const processedEvents = new Set<string>([sentinel.eventId]);
    for (const [id, m] of sent) {
      const letter = dead.get(id);
      const decoded = await codec.decode<{ eventId: string }>(m.topic, m.value).then(
        (v) => v,
        () => null,
      );
      if (letter) {
        expect(INPUT_REASONS.has(letter.errorCode as ErrorCode), `${id}: ${letter.errorCode}`).toBe(true);
        expect(decoded, `${id} was dead-lettered but decodes`).toBeNull();
      } else {
        expect(decoded, `${id} neither dead-lettered nor decodable`).not.toBeNull();
        processed++;
        processedEvents.add(decoded!.eventId);
      }
    }
    expect(processed + dead.size).toBe(sent.size);

    // Nothing else published: every output record names an event that was processed.
    const outputs: Array<[string, SchemaName]> = [
      [config.topics.registrationDecided, 'RegistrationDecision'],
      [config.topics.defenceCodeMappingDecided, 'CodeMapping'],
      [config.topics.vssidCodeMappingDecided, 'CodeMapping'],
    ];
    let published = 0;
    for (const [topic] of outputs) {
      for (const r of await readAll(kafka, topic).catch(() => [])) {
        const o = await codec.decode<{ sourceEventId: string }>(topic, r.value);
        expect(processedEvents.has(o.sourceEventId), `${topic}: output for an unknown event`).toBe(true);
        published++;
      }
    }
    const secs = (x: number) => (x / 1000).toFixed(1);
    process.stdout.write(
      `fuzz seed ${SEED}: ${sent.size} messages (${COUNT}/topic); produced in ${secs(produced - t0)} s, consumed in ` +
        `${secs(consumed - produced)} s (${Math.round(sent.size / ((consumed - produced) / 1000))} msg/s); processed ${processed}, ` +
        `dead-lettered ${dead.size} ${JSON.stringify(Object.fromEntries(reasons))}; outputs ${published}\n`,
    );
  }, 2_400_000);
});
