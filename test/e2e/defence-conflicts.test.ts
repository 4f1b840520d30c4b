import type { Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import type { CodeLookupFailed, CodeMapping, ReviewCase } from '../../src/contracts/generated.js';
import type { MemberLine } from '../support/app.js';
import { lookupEvent } from '../support/events.js';
import { useAdapter } from '../support/harness.js';
import { committedPast, sendOne } from '../support/kafka.js';
import { waitFor } from '../support/stack.js';
import { readAll } from '../support/topic-reader.js';

// The conflict paths of the Defence flow (docs/adr/0003-conflicts.md) through the running adapter on the real
// Kafka, registry and PostgreSQL: the flow decides, the store finds the conflict, the flow decides again, and the
// event commits exactly once — never an overwrite of someone's BHXH code.

const person = (m: MemberLine): CodeLookupFailed['person'] => ({
  fullName: m.full_name,
  dateOfBirth: { value: m.dob!, precision: 'DAY' },
  gender: m.gender === 'M' ? 'MALE' : 'FEMALE',
  idNumber: m.id_number ?? null,
  bhxhCode: null,
  provinceCode: m.province_code ?? null,
  wardCode: null,
  fatherName: null,
  motherName: null,
});

const member = (
  id: string,
  fullName: string,
  dob: string,
  gender: 'M' | 'F',
  idNumber: string,
  code: string,
): MemberLine => ({
  member_id: id,
  household_code: `48000${id.replace(/\D/g, '').padStart(5, '0')}`,
  full_name: fullName,
  dob,
  gender,
  id_number: idNumber,
  bhxh_code: code,
  province_code: '48',
});

const TWICE = member('D-1', 'Phan Thanh Bình', '1975-08-21', 'M', '048075001234', '4812345601');
const GUARDED = member('D-2', 'Đinh Thị Mai Anh', '1988-12-03', 'F', '048188004567', '4812345602');
const TAKEN = member('D-3', 'Trương Quốc Việt', '1969-04-30', 'M', '048069007890', '4812345603');
const OTHER = member('D-4', 'Lý Thị Ngọc Hân', '1995-01-15', 'F', '048195002468', '4812345604');
const MEMBERS = [TWICE, GUARDED, TAKEN, OTHER];

describe('Defence flow conflicts on the real stack', () => {
  const h = useAdapter({ members: MEMBERS });

  async function deliver(event: CodeLookupFailed): Promise<void> {
    const topic = h.config.topics.codeLookupFailed;
    const producer = h.kafka.producer({ idempotent: true });
    await producer.connect();
    const at = await sendOne(producer, topic, {
      key: event.requestId,
      value: await h.codec.encode(topic, event),
    }).finally(() => producer.disconnect());
    await waitFor(
      `committed past ${at.offset}`,
      () => committedPast(h.kafka, h.config.kafka.groupId, topic, at),
      90_000,
      250,
    );
  }

  async function outputsFor(requestId: string) {
    await waitFor('outbox drained', async () => {
      const [row] = await h.db.knex('bridge.outbox').whereNull('sent_at').count<{ n: string }[]>('* as n');
      return Number(row?.n) === 0;
    });
    const t = h.config.topics;
    const decode = async <T>(topic: string) =>
      Promise.all((await readAll(h.kafka, topic)).map((r) => h.codec.decode<T>(topic, r.value)));
    return {
      defence: (await decode<CodeMapping>(t.defenceCodeMappingDecided)).filter(
        (m) => m.requestId === requestId,
      ),
      vssid: (await decode<CodeMapping>(t.vssidCodeMappingDecided)).filter((m) => m.requestId === requestId),
      reviews: (await decode<ReviewCase>(t.reviewCaseChanged)).filter((r) => r.subjectId === requestId),
    };
  }

  const codeOf = async (memberId: string) =>
    (await h.db.knex('hgd.members').where({ member_id: memberId }).first()).bhxh_code as string | null;
  const inboxOf = (eventId: string) =>
    h.db.knex('bridge.inbox').where({ event_id: eventId }).select('outcome');
  const caseOf = (requestId: string) =>
    h.db.knex('bridge.review_cases').where({ subject_id: requestId }).select('status', 'reason_codes');

  /**
   * Runs `change` in a transaction of its own that stays open until the adapter's guarded update is waiting on it
   * (a lock wait in the test's database), then commits it: HGD changes between the flow's reads and its commit.
   */
  async function concurrently(
    change: (tx: Knex.Transaction) => Promise<unknown>,
    during: () => Promise<void>,
  ) {
    const tx = await h.db.knex.transaction();
    const pid = (await tx.raw('select pg_backend_pid() as pid')).rows[0].pid as number;
    await change(tx);
    const delivered = during();
    let waited = false;
    try {
      await waitFor(
        'the adapter waits on the uncommitted change',
        async () => {
          // pg_locks and pg_blocking_pids are visible to every role (pg_stat_activity's query text is not).
          const r = await h.db.knex.raw(
            `select count(*)::int as n from pg_locks where not granted and ?::int = any(pg_blocking_pids(pid))`,
            [pid],
          );
          return (waited = r.rows[0].n > 0);
        },
        60_000,
        100,
      );
    } finally {
      await tx.commit();
    }
    await delivered;
    expect(waited).toBe(true);
  }

  it('a control: a clear match changes the code once and publishes one mapping', async () => {
    const e = lookupEvent(10, person(OTHER), '9700000910');
    await deliver(e);
    expect(await inboxOf(e.eventId)).toEqual([{ outcome: 'match' }]);
    expect(await codeOf(OTHER.member_id)).toBe('9700000910');
    const o = await outputsFor(e.requestId);
    expect(o.defence.map((m) => [m.outcome, m.memberId])).toEqual([['MAPPED', OTHER.member_id]]);
  });

  it('a second lookup for a member already mapped to another BQP code: review, the first code stays', async () => {
    const first = lookupEvent(11, person(TWICE), '9700000911');
    await deliver(first);
    expect(await codeOf(TWICE.member_id)).toBe('9700000911');

    const second = lookupEvent(12, person(TWICE), '9700000912');
    await deliver(second);
    expect(await inboxOf(second.eventId)).toEqual([{ outcome: 'review' }]);
    expect(await codeOf(TWICE.member_id)).toBe('9700000911');
    expect(
      await h.db
        .knex('bridge.code_changes')
        .where({ member_id: TWICE.member_id })
        .select('old_code', 'new_code'),
    ).toEqual([{ old_code: TWICE.bhxh_code, new_code: '9700000911' }]);
    expect(await caseOf(second.requestId)).toEqual([
      { status: 'open', reason_codes: ['MEMBER_ALREADY_MAPPED'] },
    ]);
    const o = await outputsFor(second.requestId);
    expect(o.defence).toEqual([]);
    expect(o.vssid).toEqual([]);
    expect(o.reviews.map((r) => [r.status, r.reasonCodes])).toEqual([['OPENED', ['MEMBER_ALREADY_MAPPED']]]);
  });

  it('HGD changes the member between matching and commit: the guard fails, review, the new HGD code stays', async () => {
    const e = lookupEvent(13, person(GUARDED), '9700000913');
    await concurrently(
      (tx) => tx('hgd.members').where({ member_id: GUARDED.member_id }).update({ bhxh_code: '4899999913' }),
      () => deliver(e),
    );
    expect(await inboxOf(e.eventId)).toEqual([{ outcome: 'review' }]);
    expect(await codeOf(GUARDED.member_id)).toBe('4899999913');
    expect(await h.db.knex('bridge.code_changes').where({ member_id: GUARDED.member_id })).toEqual([]);
    expect(await caseOf(e.requestId)).toEqual([
      { status: 'open', reason_codes: ['HGD_CHANGED_CONCURRENTLY'] },
    ]);
    const o = await outputsFor(e.requestId);
    expect(o.defence).toEqual([]);
    expect(o.vssid).toEqual([]);
    expect(o.reviews.map((r) => [r.status, r.reasonCodes])).toEqual([
      ['OPENED', ['HGD_CHANGED_CONCURRENTLY']],
    ]);
  });

  it('another member takes the BQP code concurrently (unique index): the attempt rolls back, the event commits once as a review', async () => {
    const e = lookupEvent(14, person(TAKEN), '9700000914');
    const before = await h.db.knex('bridge.inbox').count<{ n: string }[]>('* as n');
    await concurrently(
      (tx) => tx('hgd.members').where({ member_id: OTHER.member_id }).update({ bhxh_code: '9700000914' }),
      () => deliver(e),
    );
    // Exactly one inbox row more, for this event, as a review; the member keeps its code, the other holds the BQP code.
    const after = await h.db.knex('bridge.inbox').count<{ n: string }[]>('* as n');
    expect(Number(after[0]!.n) - Number(before[0]!.n)).toBe(1);
    expect(await inboxOf(e.eventId)).toEqual([{ outcome: 'review' }]);
    expect(await codeOf(TAKEN.member_id)).toBe(TAKEN.bhxh_code);
    expect(await codeOf(OTHER.member_id)).toBe('9700000914');
    expect(await h.db.knex('bridge.code_changes').where({ member_id: TAKEN.member_id })).toEqual([]);
    expect(await caseOf(e.requestId)).toEqual([{ status: 'open', reason_codes: ['BQP_CODE_IN_USE'] }]);
    const o = await outputsFor(e.requestId);
    expect(o.defence).toEqual([]);
    expect(o.vssid).toEqual([]);
    expect(o.reviews.map((r) => [r.status, r.reasonCodes])).toEqual([['OPENED', ['BQP_CODE_IN_USE']]]);
  });
});
