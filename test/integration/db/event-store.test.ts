import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgEffectStore, PgEventStore } from '../../../connectors/db/event-store.js';
import type { ChangeCodeEffect, Effect } from '../../../src/domain/effects.js';
import type { InboundMessage } from '../../../src/ports/inbound.js';
import { testConfig, seedHgd } from '../../support/app.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import type { Config } from '../../../src/runtime/config.js';

const msg = (offset: string): InboundMessage => ({
  topic: 'in',
  partition: 0,
  offset,
  key: null,
  value: null,
  headers: {},
});
const change = (over: Partial<ChangeCodeEffect>): ChangeCodeEffect => ({
  kind: 'changeCode',
  memberId: 'M-1',
  householdCode: 'H-1',
  expectedOldCode: '0100000001',
  newCode: '9700000001',
  sourceEventId: 'E',
  caseId: null,
  actor: 'auto',
  score: 30,
  evidence: {},
  ...over,
});
const emit: Effect = {
  kind: 'emit',
  topic: { raw: 'out' },
  key: 'k',
  messageId: '5b3c1f0e-8a4e-4c1b-9d3a-0f6d1e2a7b01',
  record: { eventId: '5b3c1f0e-8a4e-4c1b-9d3a-0f6d1e2a7b01' },
};

describe('PgEventStore / PgEffectStore on PostgreSQL: conflicts are reported and nothing of the event is written', () => {
  let db: TestDatabase;
  let config: Config;
  let store: PgEventStore;
  const count = async (table: string) =>
    Number((await db.knex(table).count<{ n: string }[]>('* as n'))[0]!.n);

  beforeAll(async () => {
    db = await createTestDatabase();
    config = testConfig(db.url);
    await seedHgd(db.knex, [
      {
        member_id: 'M-1',
        household_code: 'H-1',
        full_name: 'Nguyễn Văn An',
        dob: '1980-01-01',
        gender: 'M',
        bhxh_code: '0100000001',
      },
      {
        member_id: 'M-2',
        household_code: 'H-2',
        full_name: 'Lê Thị Bình',
        dob: '1982-02-02',
        gender: 'F',
        bhxh_code: '9700000002',
      },
    ]);
    store = new PgEventStore(db.knex, {
      groupId: 'g',
      topics: config.topics,
      encode: async () => Buffer.from('x'),
    });
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('guard failed (the member no longer holds the expected code): conflict, no inbox row, no audit, no outbox', async () => {
    const r = await store.commit({
      eventId: 'E-guard',
      message: msg('1'),
      outcome: 'match',
      effects: [change({ expectedOldCode: '0199999999' }), emit],
    });
    expect(r).toEqual({ status: 'conflict', conflict: { kind: 'guard_failed', memberId: 'M-1' } });
    expect(await count('bridge.inbox')).toBe(0);
    expect(await count('bridge.code_changes')).toBe(0);
    expect(await count('bridge.outbox')).toBe(0);
  });

  it('code in use (another member holds the new code): conflict, HGD unchanged', async () => {
    const r = await store.commit({
      eventId: 'E-in-use',
      message: msg('2'),
      outcome: 'match',
      effects: [change({ newCode: '9700000002' })],
    });
    expect(r).toMatchObject({ status: 'conflict', conflict: { kind: 'code_in_use', memberId: 'M-1' } });
    expect((await db.knex('hgd.members').where({ member_id: 'M-1' }).first()).bhxh_code).toBe('0100000001');
    expect(await count('bridge.inbox')).toBe(0);
  });

  it('the decision asked again (here: a review) then commits exactly once; a redelivery is a duplicate', async () => {
    const open: Effect = {
      kind: 'openReview',
      caseId: 'RC-1',
      reviewKind: 'DEFENCE_CODE_MAPPING',
      sourceEventId: 'E-in-use',
      subjectId: 'REQ',
      reasonCodes: ['BQP_CODE_IN_USE'],
      request: {},
      candidates: [],
      evidence: {},
    };
    await expect(
      store.commit({ eventId: 'E-in-use', message: msg('2'), outcome: 'review', effects: [open] }),
    ).resolves.toEqual({
      status: 'committed',
      outcome: 'review',
    });
    await expect(
      store.commit({ eventId: 'E-in-use', message: msg('2'), outcome: 'review', effects: [open] }),
    ).resolves.toEqual({
      status: 'duplicate',
      outcome: 'duplicate',
    });
    expect(await count('bridge.inbox')).toBe(1);
    expect(await count('bridge.review_cases')).toBe(1);
  });

  it('a clear change writes the code, the audit and the outbox in one transaction', async () => {
    await expect(
      store.commit({ eventId: 'E-ok', message: msg('3'), outcome: 'match', effects: [change({}), emit] }),
    ).resolves.toMatchObject({
      status: 'committed',
    });
    expect((await db.knex('hgd.members').where({ member_id: 'M-1' }).first()).bhxh_code).toBe('9700000001');
    expect(await db.knex('bridge.code_changes').where({ member_id: 'M-1' })).toHaveLength(1);
    expect(await count('bridge.outbox')).toBe(1);
  });

  it('resolving a case that is no longer open is a conflict: the resolution writes nothing', async () => {
    const effects = new PgEffectStore(db.knex, {
      topics: config.topics,
      encode: async () => Buffer.from('x'),
    });
    const resolve: Effect = {
      kind: 'resolveReview',
      caseId: 'RC-1',
      resolvedBy: 'alice',
      resolution: 'no_match',
      memberId: null,
      note: null,
    };
    await expect(effects.apply([resolve])).resolves.toEqual({ status: 'applied' });
    const outboxBefore = await count('bridge.outbox');
    await expect(
      effects.apply([
        resolve,
        {
          ...emit,
          messageId: '5b3c1f0e-8a4e-4c1b-9d3a-0f6d1e2a7b02',
          record: { eventId: '5b3c1f0e-8a4e-4c1b-9d3a-0f6d1e2a7b02' },
        },
      ]),
    ).resolves.toEqual({
      status: 'conflict',
      conflict: { kind: 'case_not_open', caseId: 'RC-1' },
    });
    expect(await count('bridge.outbox')).toBe(outboxBefore);
  });
});
