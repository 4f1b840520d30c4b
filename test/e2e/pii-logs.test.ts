import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importMembers, refreshNameFrequencies } from '../../connectors/hgd/import.js';
import { generateHgd, generateQueries } from '../../bench/generator/index.js';
import { toCodeLookupFailed } from '../../bench/scenario/defence.js';
import { buildRegistrationEvents } from '../../bench/scenario/registrations.js';
import { validateRecord } from '../../src/domain/validation.js';
import { memberToLine } from '../../src/matching/lines.js';
import { startApp, type App } from '../../src/runtime/app.js';
import { createLogger } from '../../src/runtime/logger.js';
import { testConfig, testCodec } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { testKafka } from '../support/kafka.js';
import { waitFor } from '../support/stack.js';

/** Every personal value of an event: names, ID numbers, BHXH codes, dates of birth (at any depth). */
function piiValues(record: unknown, out: Set<string>, key = ''): void {
  if (record === null || record === undefined) return;
  if (typeof record === 'string') {
    if (
      /name$/i.test(key) ||
      /^(idNumber|number|personalIdNumber|idCardNumber|bhxhCode|bqpCode|value|dateOfBirth|phone)$/.test(key)
    ) {
      if (record.trim().length >= 4) out.add(record.trim());
    }
    return;
  }
  if (Array.isArray(record)) return record.forEach((r) => piiValues(r, out, key));
  if (typeof record === 'object' && !(record instanceof Date) && !Buffer.isBuffer(record)) {
    for (const [k, v] of Object.entries(record)) piiValues(v, out, k);
  }
}

describe('no personal data in logs (all three flows and the dead-letter path)', () => {
  let db: TestDatabase;
  let app: App;
  let archive: string;
  const captured: string[] = [];
  const pii = new Set<string>();

  beforeAll(async () => {
    archive = await mkdtemp(join(tmpdir(), 'vss-pii-'));
    db = await createTestDatabase();
    const people = [...generateHgd({ seed: 31, members: 4000 })];
    await importMembers(db.knex, Readable.from([people.map((p) => memberToLine(p.member)).join('\n')]));
    await refreshNameFrequencies(db.knex);
    const config = testConfig(db.url, { ARCHIVE_DIR: archive });
    // The most verbose level: whatever is logged at info and below must be free of personal data.
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        captured.push(chunk.toString('utf8'));
        cb();
      },
    });
    app = await startApp(config, createLogger('trace', sink as never));

    const { queries } = generateQueries(people, { seed: 32, count: 80 });
    const lookups = queries
      .map((q, i) => toCodeLookupFailed(q, i, 31, `97${String(55_000_000 + i)}`))
      .filter((e) => validateRecord('CodeLookupFailed', e).length === 0);
    const regs = buildRegistrationEvents(people, { seed: 33, children: 30, adults: 30, archiveDir: archive });
    for (const e of [...lookups, ...regs.child, ...regs.adult]) piiValues(e, pii);
    const codec = await testCodec(config);
    const T = config.topics;
    const messages: { topic: string; key: string; value: Buffer }[] = [];
    for (const e of lookups)
      messages.push({
        topic: T.codeLookupFailed,
        key: e.requestId,
        value: await codec.encode(T.codeLookupFailed, e),
      });
    for (const e of regs.child)
      messages.push({
        topic: T.childRegistrationSubmitted,
        key: e.registrationId,
        value: await codec.encode(T.childRegistrationSubmitted, e),
      });
    for (const e of regs.adult)
      messages.push({
        topic: T.adultRegistrationSubmitted,
        key: e.registrationId,
        value: await codec.encode(T.adultRegistrationSubmitted, e),
      });
    // Dead letters full of personal data: semantically invalid records and truncated ones.
    const bad = {
      ...lookups[0]!,
      person: { ...lookups[0]!.person, dateOfBirth: { value: '1990-02-30', precision: 'DAY' as const } },
    };
    messages.push({
      topic: T.codeLookupFailed,
      key: 'bad-1',
      value: await codec.encode(T.codeLookupFailed, bad),
    });
    messages.push({
      topic: T.childRegistrationSubmitted,
      key: 'bad-2',
      value: messages[lookups.length]!.value.subarray(0, 60),
    });
    messages.push({ topic: T.adultRegistrationSubmitted, key: 'bad-3', value: randomBytes(30) });
    const producer = testKafka().producer({ idempotent: true });
    await producer.connect();
    for (const m of messages)
      await producer.send({ topic: m.topic, messages: [{ key: m.key, value: m.value }] });
    await producer.disconnect();
    await waitFor(
      'all events decided',
      async () =>
        Number((await db.knex('bridge.inbox').count<{ c: string }[]>('* as c'))[0]?.c) === messages.length,
      90_000,
    );
    await app.stop();
  });
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
    await rm(archive, { recursive: true, force: true });
  });

  it('captured log lines carry ids and outcomes but no name, ID number, BHXH code or date of birth', async () => {
    const text = captured.join('');
    expect(captured.length).toBeGreaterThan(50); // trace level: the processing really logged
    expect(text).toContain('"eventId"');
    expect(text).toContain('message dead-lettered');
    expect(pii.size).toBeGreaterThan(300);
    const leaks: string[] = [];
    for (const v of pii) {
      const escaped = v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const re = /^\d+$/.test(v) ? new RegExp(`(?<![0-9])${escaped}(?![0-9])`) : new RegExp(escaped, 'i');
      if (re.test(text) || text.includes(v.normalize('NFD'))) leaks.push(v);
    }
    expect(leaks).toEqual([]);
  });
});
