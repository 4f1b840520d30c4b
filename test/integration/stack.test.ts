import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { TestTopics, testKafka } from '../support/kafka.js';
import { readAll } from '../support/topic-reader.js';
import { STACK, uniqueName } from '../support/stack.js';

describe('the real local stack', () => {
  const kafka = testKafka();
  const topics = new TestTopics(kafka);
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await topics.cleanup();
    await db.drop();
  });

  it('produces and consumes a message through the Kafka broker', async () => {
    const topic = await topics.create('smoke');
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'k1', value: 'xin chào', headers: { h: 'v' } }] });
    await producer.disconnect();
    const recs = await readAll(kafka, topic);
    expect(recs).toHaveLength(1);
    const [rec] = recs;
    expect(rec?.key?.toString()).toBe('k1');
    expect(rec?.value?.toString()).toBe('xin chào');
    expect(rec?.headers?.h?.toString()).toBe('v');
  });

  it('registers and fetches an Avro schema in the schema registry', async () => {
    const registry = new SchemaRegistry({ host: STACK.registryUrl });
    const subject = `${uniqueName('smoke')}-value`;
    const schema = {
      type: 'record',
      name: 'Smoke',
      namespace: 'vn.gov.baohiemxahoi.bridge.test',
      fields: [{ name: 'n', type: 'int' }],
    };
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
      { subject },
    );
    expect(id).toBeGreaterThan(0);
    // The registry hands back the schema we registered under that id (as an avsc type).
    const fetched = (await registry.getSchema(id)) as unknown as {
      name?: string;
      fields?: { name: string }[];
    };
    expect(fetched.name).toBe('vn.gov.baohiemxahoi.bridge.test.Smoke');
    expect(fetched.fields?.map((f) => f.name)).toEqual(['n']);
    const encoded = await registry.encode(id, { n: 42 });
    expect(encoded[0]).toBe(0);
    expect(encoded.readUInt32BE(1)).toBe(id);
    expect(await registry.decode(encoded)).toEqual({ n: 42 });
    expect(await registry.getLatestSchemaId(subject)).toBe(id);
  });

  it('round-trips a row through PostgreSQL with knex (migrations applied)', async () => {
    const [row] = await db
      .knex('bridge.inbox')
      .insert({ consumer_group: 'g', event_id: 'e-1', topic: 't', partition: 0, offset: 7, outcome: 'match' })
      .returning('*');
    expect(row).toMatchObject({ consumer_group: 'g', event_id: 'e-1', offset: 7, outcome: 'match' });
    const back = await db.knex('bridge.inbox').where({ event_id: 'e-1' }).first();
    expect(back?.outcome).toBe('match');
  });
});
