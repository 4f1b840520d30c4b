import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgEffectStore } from '../../../connectors/db/event-store.js';
import { openCase } from '../../../src/flows/review/builders.js';
import type { Config } from '../../../src/runtime/config.js';
import { testConfig } from '../../support/app.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { vssBridge } from './cli.js';

describe('reading review cases needs PostgreSQL only', () => {
  let db: TestDatabase;
  let config: Config;

  beforeAll(async () => {
    db = await createTestDatabase();
    // Kafka and the schema registry are unreachable for this test's commands (nothing listens on port 1).
    config = testConfig(db.url, { KAFKA_BROKERS: '127.0.0.1:1', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1' });
    const [open] = openCase(
      {
        reviewKind: 'DEFENCE_CODE_MAPPING',
        caseId: 'RC-RO-1',
        sourceEventId: 'E-RO-1',
        subjectId: 'REQ-RO-1',
        reasonCodes: ['AMBIGUOUS_MATCH'],
        request: { eventId: 'E-RO-1', requestId: 'REQ-RO-1', bqpCode: '9712345678' },
        candidates: [{ memberId: 'M-1', householdCode: 'H-1', score: 21.5 }],
        evidence: {},
      },
      new Date(),
    );
    const store = new PgEffectStore(db.knex, {
      topics: config.topics,
      encode: async () => {
        throw new Error('no output is encoded here');
      },
    });
    await store.apply([open]);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('`review list` and `review show` answer with Kafka and the registry unreachable, and migrate nothing', async () => {
    const before = await db.knex.raw('select count(*)::int as n from public.vss_bridge_migrations');
    const listed = await vssBridge(config, ['review', 'list', '--json'], 20_000);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject([
      { caseId: 'RC-RO-1', status: 'open', reasonCodes: ['AMBIGUOUS_MATCH'] },
    ]);
    const shown = await vssBridge(config, ['review', 'show', 'RC-RO-1'], 20_000);
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ caseId: 'RC-RO-1', candidates: [{ memberId: 'M-1' }] });
    const after = await db.knex.raw('select count(*)::int as n from public.vss_bridge_migrations');
    expect(after.rows).toEqual(before.rows);
  });

  it('`review resolve` (which publishes) names the unreachable dependency and changes nothing', async () => {
    const r = await vssBridge(
      config,
      ['review', 'resolve', 'RC-RO-1', '--no-match', '--token', 'vssb_000000000000_unchecked'],
      30_000,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/KAFKA_BROKERS/);
    const row = await db.knex('bridge.review_cases').where({ case_id: 'RC-RO-1' }).first();
    expect(row.status).toBe('open');
  });
});
