import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONFLUENT_PACKAGE, loadConfluent } from '../../connectors/kafka/confluent.js';
import { fetchLag } from '../../connectors/kafka/lag.js';
import type { CodeMapping } from '../../src/contracts/generated.js';
import type { MemberLine } from '../support/app.js';
import { lookupEvent } from '../support/events.js';
import { useAdapter } from '../support/harness.js';
import { committedToEnd } from '../support/kafka.js';
import { waitFor } from '../support/stack.js';
import { readAll } from '../support/topic-reader.js';

/**
 * KAFKA_CLIENT=confluent: the Defence flow with the consumer group and the producer on
 * @confluentinc/kafka-javascript (docs/adr/0005-kafka-client.md). The package is optional and native
 * (`bash scripts/kafka-client confluent`); without it this file is skipped and says so.
 */
let installed = true;
try {
  loadConfluent();
} catch {
  installed = false;
}

const members: MemberLine[] = [
  {
    member_id: 'M-1',
    household_code: '0100000001',
    full_name: 'Nguyễn Văn Hùng',
    dob: '1985-03-12',
    gender: 'M',
    id_number: '001085012345',
    bhxh_code: '0112345678',
    province_code: '01',
    father_name: 'Nguyễn Văn Tâm',
    mother_name: 'Trần Thị Lan',
    relation_to_head: 'chủ hộ',
  },
];

describe.skipIf(!installed)(`the adapter on ${CONFLUENT_PACKAGE} (KAFKA_CLIENT=confluent)`, () => {
  const h = useAdapter({ members, env: { KAFKA_CLIENT: 'confluent' } });
  beforeAll(() => expect(h.config.kafka.client).toBe('confluent'));

  it('handles, publishes, dead-letters and commits like the kafkajs path', async () => {
    const { config, codec, kafka, db } = h;
    const topic = config.topics.codeLookupFailed;
    const clear = lookupEvent(
      1,
      {
        fullName: 'NGUYEN VAN HUNG',
        dateOfBirth: { value: '1985-03-12', precision: 'DAY' },
        gender: 'MALE',
        idNumber: '001085012345',
        provinceCode: '01',
        fatherName: 'Nguyễn Văn Tâm',
        motherName: 'Trần Thị Lan',
      },
      '9712345601',
    );
    const absent = lookupEvent(2, { fullName: 'Phạm Quốc Bảo', provinceCode: '31' }, '9712345603');
    // The test's own producer is kafkajs: the adapter must read what any client wrote.
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    for (const e of [clear, absent, clear]) {
      await producer.send({ topic, messages: [{ key: e.requestId, value: await codec.encode(topic, e) }] });
    }
    await producer.send({ topic, messages: [{ key: 'bad', value: randomBytes(40) }] });
    await producer.disconnect();

    await waitFor('three distinct inputs handled', async () => {
      const r = (await db.knex('bridge.inbox').count<{ count: string }[]>('* as count'))[0];
      return Number(r?.count) === 3;
    });
    const inbox = await db.knex('bridge.inbox').select('event_id', 'outcome');
    expect(Object.fromEntries(inbox.map((r) => [r.event_id, r.outcome]))).toMatchObject({
      [clear.eventId]: 'match',
      [absent.eventId]: 'no_match',
    });
    expect(inbox.filter((r) => r.outcome === 'dlq')).toHaveLength(1);
    expect((await db.knex('hgd.members').where({ member_id: 'M-1' }).first()).bhxh_code).toBe('9712345601');

    // The outbox relay published through the confluent producer.
    await waitFor('outbox sent', async () => {
      const r = (
        await db.knex('bridge.outbox').whereNull('sent_at').count<{ count: string }[]>('* as count')
      )[0];
      return Number(r?.count) === 0;
    });
    const decode = async (t: string) =>
      Promise.all((await readAll(kafka, t)).map((r) => codec.decode<CodeMapping>(t, r.value)));
    const defence = await decode(config.topics.defenceCodeMappingDecided);
    expect(defence.map((d) => [d.requestId, d.outcome, d.memberId])).toEqual([
      [clear.requestId, 'MAPPED', 'M-1'],
    ]);
    const vssid = await decode(config.topics.vssidCodeMappingDecided);
    expect(vssid.map((v) => v.outcome).sort()).toEqual(['MAPPED', 'NO_MATCH']);
    expect(await readAll(kafka, `${topic}.dlq`)).toHaveLength(1);

    // Offsets committed to the end of the input, with the commit time in the metadata (what `vss-bridge lag` reads;
    // the confluent client appends a NUL byte to it, which fetchLag strips).
    await waitFor('input committed to its end', () => committedToEnd(kafka, config.kafka.groupId, topic));
    const admin = kafka.admin();
    await admin.connect();
    const lag = await fetchLag(admin, config.kafka.groupId, [topic]);
    await admin.disconnect();
    expect(lag.reduce((a, p) => a + p.lag, 0)).toBe(0);
    expect(lag.some((p) => p.lastCommitAt !== null && Date.now() - p.lastCommitAt < 120_000)).toBe(true);
  });

  it('reports itself joined, as the readiness check needs', async () => {
    await waitFor('consumer joined', async () => h.app.consumer.joined);
  });
});
