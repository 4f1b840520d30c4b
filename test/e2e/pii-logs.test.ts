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
import { readAll } from '../support/topic-reader.js';
import { OperatorStore } from '../../connectors/db/operators.js';
import type { DeadLetter } from '../../src/contracts/generated.js';

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

/** The personal values found in `text` (digits as whole numbers, names case-insensitive, NFC or NFD). */
function leaksIn(text: string, pii: Set<string>): string[] {
  const leaks: string[] = [];
  for (const v of pii) {
    const escaped = v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const re = /^\d+$/.test(v) ? new RegExp(`(?<![0-9])${escaped}(?![0-9])`) : new RegExp(escaped, 'i');
    if (re.test(text) || text.includes(v.normalize('NFD'))) leaks.push(v);
  }
  return leaks;
}

describe("no personal data in logs, dead-letter reasons, metrics or a viewer's API answers (all three flows)", () => {
  let db: TestDatabase;
  let app: App;
  let archive: string;
  const captured: string[] = [];
  const pii = new Set<string>();
  /** What else leaves the adapter besides logs, gathered while it runs. */
  const outside = { deadLetterReasons: '', metrics: '', viewerApi: '', openCases: 0 };

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
    // Dead-letter reasons (the original bytes are the one place a dead letter may hold personal data).
    const kafka = testKafka();
    for (const t of [T.codeLookupFailed, T.childRegistrationSubmitted, T.adultRegistrationSubmitted]) {
      await waitFor(`${t}.dlq published`, async () => (await readAll(kafka, `${t}.dlq`)).length > 0, 30_000);
      for (const r of await readAll(kafka, `${t}.dlq`)) {
        const dl = await codec.decode<DeadLetter>(`${t}.dlq`, r.value);
        outside.deadLetterReasons += `${dl.errorClass} ${dl.errorCode} ${dl.errorMessage}\n`;
      }
    }
    const base = `http://127.0.0.1:${app.httpPort}`;
    outside.metrics = await (await fetch(`${base}/metrics`)).text();
    // A viewer sees the queue and the cases with personal data masked.
    const operators = new OperatorStore(db.knex);
    await operators.add({ id: 'vinh', role: 'viewer' });
    const token = await operators.issueToken('vinh');
    const get = async (path: string) =>
      (await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } })).text();
    const queue = await get('/review-cases?status=open');
    outside.viewerApi += queue;
    const cases = (JSON.parse(queue) as { cases: { caseId: string }[] }).cases;
    outside.openCases = cases.length;
    for (const c of cases) outside.viewerApi += await get(`/review-cases/${encodeURIComponent(c.caseId)}`);
    outside.viewerApi += await get('/status.json');
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
    expect(leaksIn(text, pii)).toEqual([]);
  });

  it('dead-letter reasons name fields and codes, never a value', () => {
    expect(outside.deadLetterReasons).toMatch(/VALIDATION_FAILED|IMPOSSIBLE_DATE/);
    expect(outside.deadLetterReasons).toMatch(/DECODE_FAILED/);
    expect(leaksIn(outside.deadLetterReasons, pii)).toEqual([]);
  });

  it('/metrics carries topics, outcomes and codes, never a value', () => {
    expect(outside.metrics).toContain('vss_bridge_messages_processed_total');
    // A sample's value is a count or a size, and a year-only date of birth ('1984') can equal one by chance;
    // personal data could only leave through names, labels and help text, so the values are left out.
    const withoutValues = outside.metrics
      .split('\n')
      .map((line) => (line.startsWith('#') ? line : line.replace(/\s+\S+(\s+\d+)?$/, '')))
      .join('\n');
    expect(withoutValues).toContain('vss_bridge_messages_processed_total{');
    expect(leaksIn(withoutValues, pii)).toEqual([]);
  });

  it('a viewer reads the queue, every open case and the status page without any personal value', () => {
    expect(outside.openCases).toBeGreaterThan(0);
    expect(leaksIn(outside.viewerApi, pii)).toEqual([]);
  });
});
