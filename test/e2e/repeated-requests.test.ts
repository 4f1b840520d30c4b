import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AvroCodec } from '../../connectors/registry/codec.js';
import type {
  CodeLookupFailed,
  CodeMapping,
  RegistrationDecision,
  ReviewCase,
} from '../../src/contracts/generated.js';
import { memberToSnakeCase } from '../../src/matching/lines.js';
import type { Config } from '../../src/runtime/config.js';
import type { MemberLine } from '../support/app.js';
import type { TestDatabase } from '../support/db.js';
import { lookupEvent } from '../support/events.js';
import { useAdapter } from '../support/harness.js';
import { committedToEnd } from '../support/kafka.js';
import { waitFor } from '../support/stack.js';
import { readAll } from '../support/topic-reader.js';
import { adultEvent, childEvent, HGD_MEMBERS } from '../unit/flows/registration/fixtures.js';

/** The same request again, as an upstream retry sends it: a fresh event id, everything else equal. */
const again = <T extends { eventId: string }>(e: T): T => ({ ...e, eventId: randomUUID() });

describe('repeated requests under new event ids change nothing twice (business-key idempotence)', () => {
  const archive = mkdtempSync(path.join(tmpdir(), 'vss-repeat-archive-'));
  const h = useAdapter({
    members: HGD_MEMBERS.map((m) => memberToSnakeCase(m) as MemberLine),
    env: { ARCHIVE_DIR: archive },
  });
  afterAll(() => rmSync(archive, { recursive: true, force: true }));
  let db: TestDatabase;
  let config: Config;
  let codec: AvroCodec;
  let kafka: Kafka;
  beforeAll(() => void ({ db, config, codec, kafka } = h));

  const clear = lookupEvent(
    1,
    {
      fullName: 'Lê Minh Tuấn',
      dateOfBirth: { value: '1979-11-30', precision: 'DAY' },
      gender: 'MALE',
      idNumber: '079079000111',
      provinceCode: '79',
    },
    '9700000777',
  );
  const twins: CodeLookupFailed = lookupEvent(
    2,
    {
      fullName: 'Lê Thị Hoa',
      dateOfBirth: { value: '2014-04-04', precision: 'DAY' },
      gender: 'FEMALE',
      provinceCode: '01',
      fatherName: 'Lê Văn Sơn',
      motherName: 'Vũ Thị Hà',
    },
    '9700000778',
  );
  const clearCopies = [clear, again(clear), again(clear)];
  const twinCopies = [twins, again(twins)];
  const child = childEvent();
  const adult = adultEvent();

  async function produce(topic: string, records: { eventId: string }[], key: (r: never) => string) {
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    // One at a time, so each copy is consumed after the previous one committed (the realistic retry case).
    for (const r of records) {
      await producer.send({
        topic,
        acks: -1,
        messages: [{ key: key(r as never), value: await codec.encode(topic, r) }],
      });
      await waitFor(`${topic} consumed`, () => committedToEnd(kafka, config.kafka.groupId, topic), 60_000);
    }
    await producer.disconnect();
  }

  it('Defence, child and adult requests repeated three times: one audit row, one mapping or decision per key', async () => {
    await produce(
      config.topics.codeLookupFailed,
      [...clearCopies, ...twinCopies],
      (r: CodeLookupFailed) => r.requestId,
    );
    await produce(
      config.topics.childRegistrationSubmitted,
      [child, again(child), again(child)],
      (r: typeof child) => r.registrationId,
    );
    await produce(
      config.topics.adultRegistrationSubmitted,
      [adult, again(adult), again(adult)],
      (r: typeof adult) => r.registrationId,
    );
    // Every copy was read: the inbox holds one row per event id consumed.
    expect(await db.knex('bridge.inbox').count<{ n: string }[]>('* as n')).toEqual([{ n: 11 }]);
    await waitFor('outbox published', async () => {
      const [row] = await db.knex('bridge.outbox').whereNull('sent_at').count<{ n: string }[]>('* as n');
      return Number(row?.n) === 0;
    });

    // HGD changed once, audited once.
    const audit = await db.knex('bridge.code_changes').where({ new_code: clear.bqpCode });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ member_id: 'A-1', old_code: '7912121212' });
    const outcomes = async (ids: string[]) => {
      const rows = await db.knex('bridge.inbox').whereIn('event_id', ids);
      return ids.map((id) => rows.find((r: { event_id: string }) => r.event_id === id)?.outcome);
    };
    expect(await outcomes(clearCopies.map((e) => e.eventId))).toEqual([
      'match',
      'already_mapped',
      'already_mapped',
    ]);
    expect(await outcomes(twinCopies.map((e) => e.eventId))).toEqual(['review', 'review']);

    const decode = async <T>(topic: string) =>
      Promise.all((await readAll(kafka, topic)).map((r) => codec.decode<T>(topic, r.value)));
    const defence = await decode<CodeMapping>(config.topics.defenceCodeMappingDecided);
    expect(defence.filter((m) => m.bqpCode === clear.bqpCode)).toHaveLength(1);
    const vssid = await decode<CodeMapping>(config.topics.vssidCodeMappingDecided);
    expect(vssid.filter((m) => m.bqpCode === clear.bqpCode)).toHaveLength(1);

    const cases = await db.knex('bridge.review_cases').where({ subject_id: twins.requestId });
    expect(cases).toHaveLength(1);
    const reviews = await decode<ReviewCase>(config.topics.reviewCaseChanged);
    expect(reviews.filter((r) => r.subjectId === twins.requestId)).toHaveLength(1);

    const decisions = await decode<RegistrationDecision>(config.topics.registrationDecided);
    for (const registrationId of [child.registrationId, adult.registrationId]) {
      expect(
        decisions.filter((d) => d.registrationId === registrationId),
        registrationId,
      ).toHaveLength(1);
    }
    expect(
      await db
        .knex('bridge.review_cases')
        .whereIn('subject_id', [child.registrationId, adult.registrationId]),
    ).toHaveLength(
      decisions.filter(
        (d) =>
          [child.registrationId, adult.registrationId].includes(d.registrationId) &&
          d.outcome === 'IN_REVIEW',
      ).length,
    );
  });
});
