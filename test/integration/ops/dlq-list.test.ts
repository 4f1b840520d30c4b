/**
 * `vss-bridge dlq list`: counts by reason code and samples, personal data masked, filters by --reason and --since.
 * Dead letters are written to a test's own `<topic>.dlq` as the adapter writes them (DeadLetter, Avro).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTopics } from '../../../connectors/kafka/topics.js';
import type { DeadLetter } from '../../../src/contracts/generated.js';
import type { Config } from '../../../src/runtime/config.js';
import { testCodec, testConfig } from '../../support/app.js';
import { FIXTURES } from '../../support/contract-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { testKafka } from '../../support/kafka.js';
import { vssBridge } from './cli.js';

const CCCD = '001187004512';
const BHXH_KEY = '9712345678';

describe('vss-bridge dlq list', () => {
  let db: TestDatabase;
  let config: Config;
  let dlqTopic: string;
  const kafka = testKafka();

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    config = testConfig(db.url);
    const topic = config.topics.codeLookupFailed;
    dlqTopic = `${topic}.dlq`;
    const codec = await testCodec(config);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [dlqTopic], 3);
    await admin.disconnect();
    const letter = (i: number, errorCode: string, errorMessage: string, at: string): DeadLetter => ({
      ...FIXTURES.DeadLetter(),
      eventId: `2b3c4d5e-6f70-5182-9394-a5b6c7d8e9${String(i).padStart(2, '0')}`,
      occurredAt: new Date(at),
      sourceTopic: topic,
      sourceOffset: i,
      originalKey: Buffer.from(BHXH_KEY),
      errorCode,
      errorMessage,
    });
    const letters = [
      // An old-style reason that quoted the value: the listing must mask it.
      letter(
        1,
        'VALIDATION_FAILED',
        `person.idNumber: '${CCCD}' is not a CCCD (12 digits) or CMND (9 digits) number`,
        '2025-01-01T00:00:00Z',
      ),
      letter(
        2,
        'VALIDATION_FAILED',
        `person.dateOfBirth.value: '1987-13' does not match precision MONTH`,
        '2025-06-01T00:00:00Z',
      ),
      letter(3, 'VALIDATION_FAILED', `person.idNumber: ${CCCD} bad`, '2025-06-02T00:00:00Z'),
      letter(4, 'DECODE_FAILED', 'magic byte is 0xaa, expected 0x00', '2025-06-03T00:00:00Z'),
      letter(5, 'UNKNOWN_SCHEMA', 'schema id 4711 is not known to the registry', '2025-06-04T00:00:00Z'),
    ];
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: dlqTopic,
      messages: await Promise.all(
        letters.map(async (l) => ({ key: BHXH_KEY, value: await codec.encode(dlqTopic, l) })),
      ),
    });
    await producer.disconnect();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('counts by reason and shows samples with the personal data masked', async () => {
    const r = await vssBridge(config, [
      'dlq',
      'list',
      '--topic',
      config.topics.codeLookupFailed,
      '--samples',
      '2',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${dlqTopic}: 5 dead letter(s)`);
    expect(r.stdout).toMatch(/VALIDATION_FAILED\s+3\n/);
    expect(r.stdout).toMatch(/DECODE_FAILED\s+1\n/);
    expect(r.stdout).toMatch(/UNKNOWN_SCHEMA\s+1\n/);
    expect(r.stdout).toContain('VALIDATION_FAILED, 2 sample(s)');
    expect(r.stdout).toContain('reason: person.idNumber:');
    expect(r.stdout).toContain('key: (10 bytes, masked)');
    for (const pii of [CCCD, BHXH_KEY, '1987-13']) expect(r.stdout).not.toContain(pii);
  });

  it('--reason and --since filter; --json gives the same figures', async () => {
    const r = await vssBridge(config, [
      'dlq',
      'list',
      '--topic',
      config.topics.codeLookupFailed,
      '--reason',
      'VALIDATION_FAILED',
      '--since',
      '2025-05-01T00:00:00Z',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      total: number;
      byReason: Record<string, number>;
      samples: Record<string, { reason: string }[]>;
    };
    expect(out.total).toBe(2);
    expect(out.byReason).toEqual({ VALIDATION_FAILED: 2 });
    expect(out.samples.VALIDATION_FAILED!.map((s) => s.reason)).toEqual([
      "person.dateOfBirth.value: '…' does not match precision MONTH",
      'person.idNumber: •••••••••••• bad',
    ]);
    expect(r.stdout).not.toContain(CCCD);
  });

  it('a topic without dead letters: 0, exit 0', async () => {
    const r = await vssBridge(config, ['dlq', 'list', '--topic', config.topics.adultRegistrationSubmitted]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/: 0 dead letter\(s\)/);
  });
});
