/**
 * Hostile Avro input (issue "Hardening", item 4): a body that declares more than a message may hold is refused
 * before avsc allocates; writer schemas are honoured only under the topic's own subject; "unknown schema" is
 * cached with a bound and a lifetime; invalid UTF-8, control characters and impossible dates have their own
 * reason codes. Played against the real registry and, end to end, the real broker and the running adapter.
 */
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TopicBinding } from '../../connectors/registry/bindings.js';
import { AvroCodec } from '../../connectors/registry/codec.js';
import { avroType } from '../../connectors/registry/logical-types.js';
import { toWire } from '../../connectors/registry/wire.js';
import type { CodeLookupFailed, DeadLetter } from '../../src/contracts/generated.js';
import { loadSchemas, type AvroRecordSchema } from '../../src/contracts/schemas.js';
import { PermanentError, TransientError } from '../../src/domain/errors.js';
import { startApp, type App } from '../../src/runtime/app.js';
import type { Config } from '../../src/runtime/config.js';
import { testCodec, testConfig, testLogger } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { lookupEvent } from '../support/events.js';
import { committedToEnd, testKafka } from '../support/kafka.js';
import { STACK, uniqueName, waitFor } from '../support/stack.js';
import { readAll } from '../support/topic-reader.js';
import { avroLong, registerUnder, silentServer } from './support.js';

/** CodeLookupFailed plus the fields an attacker who can register a writer schema would add. */
function hostileWriter(): AvroRecordSchema {
  const s = structuredClone(loadSchemas().CodeLookupFailed);
  s.fields.push(
    { name: 'xs', type: { type: 'array', items: 'long' }, default: [] } as never,
    { name: 'm', type: { type: 'map', values: 'string' }, default: {} } as never,
    { name: 'blob', type: 'bytes', default: '' } as never,
  );
  return s;
}

/** A small valid lookup event (short strings), so the bombs below are about 130 bytes. */
function smallEvent(): CodeLookupFailed {
  const e = lookupEvent(1, { fullName: 'Lê Văn A', dateOfBirth: { value: '1990', precision: 'YEAR' } });
  e.requestId = 'R1';
  e.bqpUnit = { unitCode: 'U', unitName: null };
  return e;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(PermanentError);
  return (e as PermanentError).code;
}

describe('decoding limits and writer schemas (codec against the real registry)', () => {
  const topic = `${uniqueName('sec')}.vssid.code-lookup.failed`;
  const bindings: TopicBinding[] = [{ topic, schema: 'CodeLookupFailed' }];
  let codec: AvroCodec;
  let writerId: number;
  const writer = avroType(hostileWriter());
  /** The hostile writer's body of a valid event with empty xs, m and blob: its last three bytes are 0, 0, 0. */
  let base: Buffer;

  beforeAll(async () => {
    codec = new AvroCodec({ registryUrl: STACK.registryUrl, bindings });
    await codec.init();
    // Adding fields with defaults is BACKWARD compatible: the registry accepts it under the topic's subject.
    writerId = await registerUnder(`${topic}-value`, hostileWriter());
    base = writer.toBuffer({ ...smallEvent(), xs: [], m: {}, blob: Buffer.alloc(0) });
    expect(base.subarray(-3)).toEqual(Buffer.from([0, 0, 0]));
    // Warm the writer cache with a valid message of the same writer.
    await codec.decode(topic, toWire(writerId, base));
  });
  afterAll(() => codec?.close());

  it('the 131-byte array bomb (1e10 items declared) is refused with LIMIT_EXCEEDED in under 100 ms', async () => {
    const bomb = toWire(
      writerId,
      Buffer.concat([base.subarray(0, -3), avroLong(1e10), Buffer.from([2, 4, 6, 8]), Buffer.from([0, 0])]),
    );
    expect(bomb.length).toBeLessThanOrEqual(140);
    const t0 = performance.now();
    const code = await codeOf(codec.decode(topic, bomb));
    const ms = performance.now() - t0;
    expect(code).toBe('LIMIT_EXCEEDED');
    expect(ms).toBeLessThan(100);
  });

  it('a map of 1e9 entries, a 2^40-byte string or bytes value, and deep block counts are refused before decoding', async () => {
    const head = base.subarray(0, -3);
    const mapBomb = Buffer.concat([
      head,
      Buffer.from([0]),
      avroLong(1e9),
      Buffer.from([2, 0x41, 0]),
      Buffer.from([0]),
    ]);
    const bytesBomb = Buffer.concat([head, Buffer.from([0, 0]), avroLong(2 ** 40), Buffer.from([1, 2, 3])]);
    // Many small blocks: each within the limit, their sum not.
    const blocks = Buffer.concat([
      head,
      ...Array.from({ length: 20 }, () => Buffer.concat([avroLong(100), Buffer.alloc(100, 2)])),
      Buffer.from([0, 0, 0]),
    ]);
    for (const body of [mapBomb, bytesBomb, blocks]) {
      const t0 = performance.now();
      expect(await codeOf(codec.decode(topic, toWire(writerId, body)))).toBe('LIMIT_EXCEEDED');
      expect(performance.now() - t0).toBeLessThan(100);
    }
    // The name's declared length is 2^40: refused, not allocated.
    const ev = avroType(loadSchemas().CodeLookupFailed).toBuffer(smallEvent());
    const ours = (await codec.encode(topic, smallEvent())).readUInt32BE(1);
    const at = ev.indexOf(Buffer.from('Lê Văn A')) - 1;
    const stringBomb = Buffer.concat([ev.subarray(0, at), avroLong(2 ** 40), ev.subarray(at + 1)]);
    expect(await codeOf(codec.decode(topic, toWire(ours, stringBomb)))).toBe('LIMIT_EXCEEDED');
  });

  it('invalid UTF-8 in a name → INVALID_UTF8 (it used to be replaced with U+FFFD and accepted)', async () => {
    const ev = avroType(loadSchemas().CodeLookupFailed).toBuffer(smallEvent());
    const at = ev.indexOf(Buffer.from('Lê Văn A'));
    const bad = Buffer.from(ev);
    bad[at + 1] = 0xc3;
    bad[at + 2] = 0x28; // 0xC3 0x28: a lead byte without its continuation
    const ours = (await codec.encode(topic, smallEvent())).readUInt32BE(1);
    expect(await codeOf(codec.decode(topic, toWire(ours, bad)))).toBe('INVALID_UTF8');
  });

  it.each([
    ['NUL in requestId', (e: CodeLookupFailed) => void (e.requestId = 'R\u00001'), 'CONTROL_CHARACTER'],
    [
      'CR LF in bqpUnit.unitCode',
      (e: CodeLookupFailed) => void (e.bqpUnit.unitCode = 'U\r\nX'),
      'CONTROL_CHARACTER',
    ],
    [
      'a bidi override in a name',
      (e: CodeLookupFailed) => void (e.person.fullName = 'Lê \u202eA'),
      'CONTROL_CHARACTER',
    ],
    [
      'birth year 2999',
      (e: CodeLookupFailed) => void (e.person.dateOfBirth = { value: '2999-01-01', precision: 'DAY' }),
      'IMPOSSIBLE_DATE',
    ],
    [
      'birth year 0001',
      (e: CodeLookupFailed) => void (e.person.dateOfBirth = { value: '0001', precision: 'YEAR' }),
      'IMPOSSIBLE_DATE',
    ],
    [
      'birth next month',
      (e: CodeLookupFailed) => {
        const d = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 7);
        e.person.dateOfBirth = { value: d, precision: 'MONTH' };
      },
      'IMPOSSIBLE_DATE',
    ],
  ])('%s → %s', async (_what, mutate, code) => {
    const e = smallEvent();
    mutate(e);
    const err = await codec.decode(topic, await codec.encode(topic, e)).catch((x: unknown) => x);
    expect((err as PermanentError).code).toBe(code);
    // The reason names the field, never the value.
    expect((err as PermanentError).message).not.toContain('2999');
    expect((err as PermanentError).message).not.toContain('R\u00001');
  });

  it('unknown schema answers are cached with a bound and a lifetime', async () => {
    const small = new AvroCodec({
      registryUrl: STACK.registryUrl,
      bindings,
      schemaCache: { maxEntries: 8, refusalTtlMs: 300 },
    });
    await small.init();
    const good = await small.encode(topic, smallEvent());
    for (let i = 0; i < 100; i++) {
      const v = Buffer.from(good);
      v.writeUInt32BE(1_900_000_000 + i, 1);
      expect(await codeOf(small.decode(topic, v))).toBe('UNKNOWN_SCHEMA');
    }
    expect((small as unknown as { writers: { size: number } }).writers.size).toBeLessThanOrEqual(8);

    // A schema refused as foreign is looked up again once the refusal's lifetime has passed.
    const extra = hostileWriter();
    extra.fields.push({ name: 'late', type: 'int', default: 0 } as never);
    const foreignSubject = `${uniqueName('sec-other')}-value`;
    const id = await registerUnder(foreignSubject, extra);
    const body = avroType(extra).toBuffer({ ...smallEvent(), xs: [], m: {}, blob: Buffer.alloc(0), late: 1 });
    expect(await codeOf(small.decode(topic, toWire(id, body)))).toBe('FOREIGN_SCHEMA');
    await registerUnder(`${topic}-value`, extra);
    expect(await codeOf(small.decode(topic, toWire(id, body)))).toBe('FOREIGN_SCHEMA'); // still cached
    await new Promise((r) => setTimeout(r, 350));
    await expect(small.decode(topic, toWire(id, body))).resolves.toMatchObject({ requestId: 'R1' });
    small.close();
  });

  it('a registry that accepts the connection and never answers: TransientError within the timeout', async () => {
    const silent = await silentServer();
    const hung = new AvroCodec({
      registryUrl: `http://127.0.0.1:${silent.port}`,
      bindings,
      registry: { timeoutMs: 500 },
    });
    try {
      const t0 = performance.now();
      const err = await hung.decode(topic, toWire(writerId, base)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransientError);
      expect(performance.now() - t0).toBeLessThan(3000);
    } finally {
      hung.close();
      await silent.close();
    }
  });
});

describe('the array bomb through the real broker: dead-lettered, and the event behind it is processed', () => {
  let db: TestDatabase;
  let config: Config;
  let app: App;
  let codec: AvroCodec;
  const kafka = testKafka();

  beforeAll(async () => {
    db = await createTestDatabase();
    config = testConfig(db.url);
    codec = await testCodec(config);
    app = await startApp(config, testLogger());
  });
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
  });

  it('LIMIT_EXCEEDED, FOREIGN_SCHEMA, INVALID_UTF8, CONTROL_CHARACTER and IMPOSSIBLE_DATE dead letters, each attempted once; good events flow', async () => {
    const topic = config.topics.codeLookupFailed;
    const writer = avroType(hostileWriter());
    const writerId = await registerUnder(`${topic}-value`, hostileWriter());
    const base = writer.toBuffer({ ...smallEvent(), xs: [], m: {}, blob: Buffer.alloc(0) });
    const bomb = toWire(
      writerId,
      Buffer.concat([base.subarray(0, -3), avroLong(1e10), Buffer.from([2, 4, 0, 0])]),
    );
    const foreignId = await registerUnder(`${uniqueName('sec-foreign')}-value`, {
      ...hostileWriter(),
      fields: [...hostileWriter().fields, { name: 'z', type: 'int', default: 0 }],
    });
    const foreign = toWire(foreignId, Buffer.concat([base, Buffer.from([0])]));
    const nul = smallEvent();
    nul.requestId = 'R\u0000X';
    const future = lookupEvent(3, { dateOfBirth: { value: '2999-01-01', precision: 'DAY' } });
    const utf = avroType(loadSchemas().CodeLookupFailed).toBuffer(smallEvent());
    const at = utf.indexOf(Buffer.from('Lê Văn A'));
    utf[at + 1] = 0xff;
    const ours = (await codec.encode(topic, smallEvent())).readUInt32BE(1);
    const bad = [
      { kind: 'bomb', value: bomb, code: 'LIMIT_EXCEEDED' },
      { kind: 'foreign', value: foreign, code: 'FOREIGN_SCHEMA' },
      { kind: 'utf8', value: toWire(ours, utf), code: 'INVALID_UTF8' },
      { kind: 'nul', value: await codec.encode(topic, nul), code: 'CONTROL_CHARACTER' },
      { kind: 'future', value: await codec.encode(topic, future), code: 'IMPOSSIBLE_DATE' },
    ];
    const goods = [1, 2, 3, 4, 5].map((i) => lookupEvent(100 + i));
    const messages = [];
    for (let i = 0; i < bad.length; i++) {
      messages.push({ key: 'same', value: bad[i]!.value, headers: { kind: bad[i]!.kind } });
      messages.push({ key: 'same', value: await codec.encode(topic, goods[i]!), headers: { kind: 'good' } });
    }
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages });
    await producer.disconnect();

    await waitFor(
      'offsets committed to the end',
      () => committedToEnd(kafka, config.kafka.groupId, topic),
      60_000,
    );
    const inbox = await db.knex('bridge.inbox').select('event_id', 'outcome');
    for (const g of goods) expect(inbox.find((r) => r.event_id === g.eventId)?.outcome).toBe('no_match');
    const dead = await waitFor('dead letters', async () => {
      const recs = await readAll(kafka, `${topic}.dlq`);
      return recs.length === bad.length ? recs : null;
    });
    const letters = await Promise.all(dead.map((r) => codec.decode<DeadLetter>(`${topic}.dlq`, r.value)));
    for (const b of bad) {
      const l = letters.find((x) => x.headers.find((h) => h.key === 'kind')?.value?.toString() === b.kind);
      expect(l?.errorCode, b.kind).toBe(b.code);
      expect(l?.attempts, b.kind).toBe(1);
      expect(l?.errorMessage, b.kind).not.toContain('2999');
    }
    expect(app.consumer.joined).toBe(true);
  });
});
