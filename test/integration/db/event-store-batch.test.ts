import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgEventStore } from '../../../connectors/db/event-store.js';
import type { ChangeCodeEffect, Effect } from '../../../src/domain/effects.js';
import { BatchItemError, type CommitInput } from '../../../src/ports/event-store.js';
import type { InboundMessage } from '../../../src/ports/inbound.js';
import { seedHgd, testConfig } from '../../support/app.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';

const msg = (offset: number): InboundMessage => ({
  topic: 'in',
  partition: 0,
  offset: String(offset),
  key: null,
  value: null,
  headers: {},
});
const change = (memberId: string, expectedOldCode: string, newCode: string): ChangeCodeEffect => ({
  kind: 'changeCode',
  memberId,
  householdCode: null,
  expectedOldCode,
  newCode,
  sourceEventId: `E-${memberId}`,
  caseId: null,
  actor: 'auto',
  score: 30,
  evidence: {},
});
const emit = (id: string): Effect => ({
  kind: 'emit',
  topic: { raw: 'out' },
  key: id,
  messageId: `00000000-0000-4000-8000-${id.padStart(12, '0')}`,
  record: { eventId: `00000000-0000-4000-8000-${id.padStart(12, '0')}` },
});
const input = (n: number, effects: Effect[]): CommitInput => ({
  eventId: `E-${n}`,
  message: msg(n),
  outcome: 'match',
  effects,
});

describe('PgEventStore.commitBatch on PostgreSQL: one transaction for a micro-batch, all or nothing', () => {
  let db: TestDatabase;
  let store: PgEventStore;
  let committed = 0;
  const count = async (table: string) =>
    Number((await db.knex(table).count<{ n: string }[]>('* as n'))[0]!.n);
  const codeOf = async (id: string) =>
    ((await db.knex('hgd.members').where({ member_id: id }).first()) as { bhxh_code: string }).bhxh_code;

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = testConfig(db.url);
    await seedHgd(
      db.knex,
      [1, 2, 3, 4].map((i) => ({
        member_id: `M-${i}`,
        household_code: `H-${i}`,
        full_name: 'Nguyễn Văn An',
        dob: '1980-01-01',
        gender: 'M',
        bhxh_code: `010000000${i}`,
      })),
    );
    store = new PgEventStore(db.knex, {
      groupId: 'g',
      topics: config.topics,
      encode: async (_topic, record) => {
        if ((record as { eventId: string }).eventId.endsWith('bad')) throw new Error('cannot encode');
        return Buffer.from('x');
      },
      onCommitted: () => committed++,
    });
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('a conflict in the third event: nothing of the batch is written, the index names it', async () => {
    const r = await store.commitBatch([
      input(1, [change('M-1', '0100000001', '9700000001'), emit('1')]),
      input(2, [change('M-2', '0100000002', '9700000002'), emit('2')]),
      input(3, [change('M-3', '0199999999', '9700000003'), emit('3')]),
    ]);
    expect(r).toEqual({ status: 'conflict', index: 2, conflict: { kind: 'guard_failed', memberId: 'M-3' } });
    expect(await count('bridge.inbox')).toBe(0);
    expect(await count('bridge.code_changes')).toBe(0);
    expect(await count('bridge.outbox')).toBe(0);
    expect(await codeOf('M-1')).toBe('0100000001');
    expect(committed).toBe(0);
  });

  it('a later event taking a code an earlier one of the same batch gave: conflict at that event', async () => {
    const r = await store.commitBatch([
      input(1, [change('M-1', '0100000001', '9700000001')]),
      input(2, [change('M-2', '0100000002', '9700000001')]),
    ]);
    expect(r).toMatchObject({ status: 'conflict', index: 1, conflict: { kind: 'code_in_use' } });
    expect(await codeOf('M-1')).toBe('0100000001');
  });

  it("one event's effects failing: BatchItemError with its index, nothing written", async () => {
    await expect(
      store.commitBatch([input(1, [emit('1')]), input(2, [emit('2bad')]), input(3, [emit('3')])]),
    ).rejects.toSatisfy((e) => e instanceof BatchItemError && e.index === 1);
    expect(await count('bridge.inbox')).toBe(0);
    expect(await count('bridge.outbox')).toBe(0);
  });

  it('commits every event: inbox rows, changes, audit, outbox rows in event order; once notified', async () => {
    const r = await store.commitBatch([
      input(1, [change('M-1', '0100000001', '9700000001'), emit('1'), emit('11')]),
      input(2, [emit('2')]),
      input(1, [emit('1')]), // the same event twice in a batch: claimed once
      input(3, [change('M-3', '0100000003', '9700000003'), emit('3')]),
    ]);
    expect(r).toEqual({ status: 'committed', results: ['committed', 'committed', 'duplicate', 'committed'] });
    expect(committed).toBe(1);
    expect(await count('bridge.inbox')).toBe(3);
    expect(await codeOf('M-1')).toBe('9700000001');
    expect(await codeOf('M-3')).toBe('9700000003');
    expect(await count('bridge.code_changes')).toBe(2);
    const keys = (await db.knex('bridge.outbox').orderBy('id').select('key')).map((o: { key: Buffer }) =>
      o.key.toString(),
    );
    expect(keys).toEqual(['1', '11', '2', '3']);
  });

  it('a redelivered batch is all duplicates and writes nothing', async () => {
    const r = await store.commitBatch([input(1, [emit('1')]), input(2, [emit('2')])]);
    expect(r).toEqual({ status: 'committed', results: ['duplicate', 'duplicate'] });
    expect(await count('bridge.outbox')).toBe(4);
    expect(committed).toBe(1);
    await expect(store.processedAmong(['E-1', 'E-2', 'E-9'])).resolves.toEqual(new Set(['E-1', 'E-2']));
  });
});
