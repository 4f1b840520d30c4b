import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type {
  CodeLookupFailed,
  CodeMapping,
  RegistrationDecision,
  ReviewCase,
} from '../../src/contracts/generated.js';
import { memberToSnakeCase } from '../../src/matching/lines.js';
import { startApp } from '../../src/runtime/app.js';
import { testLogger, type MemberLine } from '../support/app.js';
import { lookupEvent } from '../support/events.js';
import { useAdapter } from '../support/harness.js';
import { committedPast, sendOne } from '../support/kafka.js';
import { waitFor } from '../support/stack.js';
import { readAll } from '../support/topic-reader.js';
import { adultEvent, childEvent, HGD_MEMBERS } from '../unit/flows/registration/fixtures.js';

// At-least-once delivery: the same event (same eventId) arrives again. Each test proves the copy was actually read
// (the group committed past the copy's offset, and the adapter counted a duplicate) before it reads every output
// topic to its end offset and counts the records per id: a copy that was never consumed cannot pass.

describe('redelivery of the same event: read, recognised, and nothing published twice', () => {
  const archive = mkdtempSync(path.join(tmpdir(), 'vss-redelivery-archive-'));
  const h = useAdapter({
    members: HGD_MEMBERS.map((m) => memberToSnakeCase(m) as MemberLine),
    env: { ARCHIVE_DIR: archive },
  });
  afterAll(() => rmSync(archive, { recursive: true, force: true }));

  // One event per flow: a Defence lookup that auto-maps A-1, a Defence lookup that opens a review (twins), a child
  // registration that is approved, an adult registration.
  const mapped: CodeLookupFailed = lookupEvent(
    1,
    {
      fullName: 'Lê Minh Tuấn',
      dateOfBirth: { value: '1979-11-30', precision: 'DAY' },
      gender: 'MALE',
      idNumber: '079079000111',
      provinceCode: '79',
    },
    '9700000881',
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
    '9700000882',
  );
  const child = childEvent();
  const adult = adultEvent();

  const inputs = () => [
    { topic: h.config.topics.codeLookupFailed, key: mapped.requestId, record: mapped },
    { topic: h.config.topics.codeLookupFailed, key: twins.requestId, record: twins },
    { topic: h.config.topics.childRegistrationSubmitted, key: child.registrationId, record: child },
    { topic: h.config.topics.adultRegistrationSubmitted, key: adult.registrationId, record: adult },
  ];

  /** Sends every input once, then waits until the group committed past each of those records. */
  async function sendAllAndWaitConsumed(): Promise<void> {
    const producer = h.kafka.producer({ idempotent: true });
    await producer.connect();
    const sent: { topic: string; at: { partition: number; offset: string } }[] = [];
    try {
      for (const i of inputs()) {
        const at = await sendOne(producer, i.topic, {
          key: i.key,
          value: await h.codec.encode(i.topic, i.record),
        });
        sent.push({ topic: i.topic, at });
      }
    } finally {
      await producer.disconnect();
    }
    for (const s of sent) {
      await waitFor(
        `${s.topic} committed past offset ${s.at.offset}`,
        () => committedPast(h.kafka, h.config.kafka.groupId, s.topic, s.at),
        90_000,
        250,
      );
    }
  }

  /** The adapter's own count of duplicates recognised on a topic since it started (its /metrics). */
  async function duplicatesCounted(topic: string): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${h.app.httpPort}/metrics`)).text();
    const line = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith('vss_bridge_messages_processed_total{') &&
          l.includes(`topic="${topic}"`) &&
          l.includes('outcome="duplicate"'),
      );
    return line ? Number(line.split(' ').at(-1)) : 0;
  }

  async function outboxDrained(): Promise<void> {
    await waitFor('outbox drained', async () => {
      const [row] = await h.db.knex('bridge.outbox').whereNull('sent_at').count<{ n: string }[]>('* as n');
      return Number(row?.n) === 0;
    });
  }

  /** Every output topic read to its end offset, decoded. */
  async function outputs() {
    const t = h.config.topics;
    const decode = async <T>(topic: string) =>
      Promise.all((await readAll(h.kafka, topic)).map((r) => h.codec.decode<T>(topic, r.value)));
    return {
      decisions: await decode<RegistrationDecision>(t.registrationDecided),
      defence: await decode<CodeMapping>(t.defenceCodeMappingDecided),
      vssid: await decode<CodeMapping>(t.vssidCodeMappingDecided),
      reviews: await decode<ReviewCase>(t.reviewCaseChanged),
    };
  }

  function countBy<T>(xs: T[], key: (x: T) => string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1;
    return out;
  }

  /** Exactly the outputs of one processing of each input: one record per id on every topic. */
  async function expectExactlyOnce(): Promise<void> {
    await outboxDrained();
    const o = await outputs();
    for (const [name, records] of Object.entries(o)) {
      const ids = countBy(records as { eventId: string }[], (r) => r.eventId);
      expect(
        Object.values(ids).every((n) => n === 1),
        `${name}: a message id published twice`,
      ).toBe(true);
    }
    expect(countBy(o.decisions, (d) => d.registrationId)).toEqual({
      [child.registrationId]: 1,
      [adult.registrationId]: 1,
    });
    expect(o.decisions.find((d) => d.registrationId === child.registrationId)?.outcome).toBe('APPROVED');
    expect(countBy(o.defence, (m) => m.requestId)).toEqual({ [mapped.requestId]: 1 });
    expect(countBy(o.vssid, (m) => m.requestId)).toEqual({ [mapped.requestId]: 1 });
    expect(o.defence[0]).toMatchObject({ outcome: 'MAPPED', memberId: 'A-1', bqpCode: mapped.bqpCode });
    expect(countBy(o.reviews, (r) => `${r.subjectId}/${r.status}`)).toEqual({
      [`${twins.requestId}/OPENED`]: 1,
    });
    // The database: one inbox row per event id, one audit row, one review case.
    expect(await h.db.knex('bridge.inbox').count<{ n: string }[]>('* as n')).toEqual([{ n: 4 }]);
    expect(await h.db.knex('bridge.code_changes').select('member_id', 'new_code')).toEqual([
      { member_id: 'A-1', new_code: mapped.bqpCode },
    ]);
    expect(await h.db.knex('bridge.review_cases').where({ subject_id: twins.requestId })).toHaveLength(1);
  }

  it('the first delivery decides each event once', async () => {
    await sendAllAndWaitConsumed();
    await expectExactlyOnce();
    expect(await duplicatesCounted(h.config.topics.codeLookupFailed)).toBe(0);
  });

  it('the same events delivered again are read (committed past, counted as duplicates) and publish nothing', async () => {
    await sendAllAndWaitConsumed();
    expect(await duplicatesCounted(h.config.topics.codeLookupFailed)).toBe(2);
    expect(await duplicatesCounted(h.config.topics.childRegistrationSubmitted)).toBe(1);
    expect(await duplicatesCounted(h.config.topics.adultRegistrationSubmitted)).toBe(1);
    await expectExactlyOnce();
  });

  it('after an adapter restart, the same events delivered once more are still recognised', async () => {
    await h.app.stop();
    h.app = await startApp(h.config, testLogger());
    await sendAllAndWaitConsumed();
    // A fresh process: its counters start at zero, so these duplicates are the ones it just read.
    expect(await duplicatesCounted(h.config.topics.codeLookupFailed)).toBe(2);
    expect(await duplicatesCounted(h.config.topics.childRegistrationSubmitted)).toBe(1);
    expect(await duplicatesCounted(h.config.topics.adultRegistrationSubmitted)).toBe(1);
    await expectExactlyOnce();
  });
});
