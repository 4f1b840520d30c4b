/**
 * The codec against the real schema registry: round trips of every record, and every kind of bad input
 * classified with the right PermanentError code. Each test binds its own unique topics (subjects).
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TopicBinding } from '../../../connectors/registry/bindings.js';
import { AvroCodec } from '../../../connectors/registry/codec.js';
import { avroType } from '../../../connectors/registry/logical-types.js';
import { toWire } from '../../../connectors/registry/wire.js';
import { SCHEMA_NAMES, type SchemaName } from '../../../src/contracts/generated.js';
import { loadSchemas } from '../../../src/contracts/schemas.js';
import { PermanentError, TransientError } from '../../../src/domain/errors.js';
import { FIXTURES } from '../../support/contract-fixtures.js';
import { STACK, uniqueName } from '../../support/stack.js';

const prefix = uniqueName('contracts');
const topicOf = (s: SchemaName): string => `${prefix}.${s}`;
const bindings: TopicBinding[] = SCHEMA_NAMES.map((schema) => ({ topic: topicOf(schema), schema }));
let codec: AvroCodec;

async function decodeError(topic: string, value: Buffer | null): Promise<PermanentError> {
  const err = await codec.decode(topic, value).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PermanentError);
  return err as PermanentError;
}

beforeAll(async () => {
  codec = new AvroCodec({ registryUrl: STACK.registryUrl, bindings });
  await codec.init();
});

describe('round trip through the registry', () => {
  it.each(SCHEMA_NAMES.map((n) => [n]))('%s', async (name) => {
    const record = FIXTURES[name]();
    const value = await codec.encode(topicOf(name), record);
    expect(value[0]).toBe(0);
    const back = await codec.decode<unknown>(topicOf(name), value);
    expect(back).toEqual(record);
  });

  it('keeps Vietnamese names byte-exact in NFC', async () => {
    const r = FIXTURES.CodeLookupFailed();
    r.person.fullName = 'Nguyễn Thị Thuỷ Hoà Đặng'.normalize('NFC');
    const back = await codec.decode<typeof r>(
      topicOf('CodeLookupFailed'),
      await codec.encode(topicOf('CodeLookupFailed'), r),
    );
    expect(back.person.fullName).toBe(r.person.fullName);
    expect(back.person.fullName.normalize('NFC')).toBe(back.person.fullName);
    expect(Buffer.from(back.person.fullName)).toEqual(Buffer.from(r.person.fullName));
  });

  it('encodes with the id registered under <topic>-value', async () => {
    const value = await codec.encode(topicOf('ReviewCase'), FIXTURES.ReviewCase());
    const res = await fetch(`${STACK.registryUrl}/subjects/${topicOf('ReviewCase')}-value/versions/latest`);
    const latest = (await res.json()) as { id: number };
    expect(value.readUInt32BE(1)).toBe(latest.id);
    const config = (await (
      await fetch(`${STACK.registryUrl}/config/${topicOf('ReviewCase')}-value`)
    ).json()) as {
      compatibilityLevel: string;
    };
    expect(config.compatibilityLevel).toBe('BACKWARD_TRANSITIVE');
  });

  it('refuses to encode a record that does not fit the schema', async () => {
    const bad = { ...FIXTURES.CodeMapping(), outcome: 'MAYBE' };
    await expect(codec.encode(topicOf('CodeMapping'), bad)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });
});

describe('bad input → PermanentError with the right code', () => {
  const topic = topicOf('CodeLookupFailed');
  let good: Buffer;
  beforeAll(async () => {
    good = await codec.encode(topic, FIXTURES.CodeLookupFailed());
  });

  it('random bytes (first byte not 0) → DECODE_FAILED', async () => {
    const bytes = randomBytes(64);
    bytes[0] = 0x7b;
    expect((await decodeError(topic, bytes)).code).toBe('DECODE_FAILED');
  });

  it('not Avro at all (JSON text) → DECODE_FAILED', async () => {
    expect((await decodeError(topic, Buffer.from(JSON.stringify(FIXTURES.CodeLookupFailed())))).code).toBe(
      'DECODE_FAILED',
    );
  });

  it('garbage body behind a valid header → LIMIT_EXCEEDED (it declares a 2^62-byte string) or DECODE_FAILED', async () => {
    const value = toWire(
      good.readUInt32BE(1),
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
    );
    expect((await decodeError(topic, value)).code).toBe('LIMIT_EXCEEDED');
    const short = toWire(good.readUInt32BE(1), Buffer.from([0x02, 0x41]));
    expect((await decodeError(topic, short)).code).toBe('DECODE_FAILED');
  });

  it.each([
    ['null value (tombstone)', null],
    ['empty value', Buffer.alloc(0)],
    ['shorter than the header', Buffer.from([0, 0, 0])],
  ])('%s → DECODE_FAILED', async (_label, value) => {
    expect((await decodeError(topic, value)).code).toBe('DECODE_FAILED');
  });

  it('magic byte ≠ 0 → DECODE_FAILED', async () => {
    const value = Buffer.from(good);
    value[0] = 1;
    expect((await decodeError(topic, value)).code).toBe('DECODE_FAILED');
  });

  it('unknown schema id → UNKNOWN_SCHEMA', async () => {
    const value = Buffer.from(good);
    value.writeUInt32BE(2_000_000_000, 1);
    expect((await decodeError(topic, value)).code).toBe('UNKNOWN_SCHEMA');
  });

  it('truncated Avro → DECODE_FAILED', async () => {
    expect((await decodeError(topic, good.subarray(0, good.length - 7))).code).toBe('DECODE_FAILED');
  });

  it('trailing garbage → DECODE_FAILED', async () => {
    expect((await decodeError(topic, Buffer.concat([good, Buffer.from([1, 2, 3])]))).code).toBe(
      'DECODE_FAILED',
    );
  });

  it('valid Avro of a record of another topic → FOREIGN_SCHEMA (its id is not registered under this subject)', async () => {
    const other = await codec.encode(topicOf('ReviewCase'), FIXTURES.ReviewCase());
    const err = await decodeError(topic, other);
    expect(err.code).toBe('FOREIGN_SCHEMA');
    // The answer is cached per writer id, and stays the same.
    expect((await decodeError(topic, other)).code).toBe('FOREIGN_SCHEMA');
  });

  it('a field failing semantic validation → VALIDATION_FAILED with details', async () => {
    const r = FIXTURES.CodeLookupFailed();
    r.bqpCode = '97-123';
    r.person.dateOfBirth = { value: '2023-02-29', precision: 'DAY' };
    const err = await decodeError(topic, await codec.encode(topic, r));
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.details).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^bqpCode: /),
        expect.stringMatching(/^person\.dateOfBirth\.value: /),
      ]),
    );
  });

  it('an oversized string → VALIDATION_FAILED', async () => {
    const r = FIXTURES.CodeLookupFailed();
    r.bqpUnit.unitName = 'Sư đoàn '.repeat(200);
    const err = await decodeError(topic, await codec.encode(topic, r));
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.details.join('\n')).toMatch(/bqpUnit\.unitName: \d+ characters, at most 512/);
  });

  it('a registry that cannot be reached → TransientError, not a permanent one', async () => {
    const away = new AvroCodec({ registryUrl: 'http://127.0.0.1:1', bindings });
    const err = await away.decode(topic, good).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    await expect(away.init()).rejects.toBeInstanceOf(TransientError);
  });
});

describe("older writers: accepted only when registered under the topic's own subject", () => {
  async function registerUnder(subject: string, schema: unknown): Promise<number> {
    const res = await fetch(`${STACK.registryUrl}/subjects/${subject}/versions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schema: JSON.stringify(schema) }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { id: number }).id;
  }

  it("an older version of our record under another subject → FOREIGN_SCHEMA; under the topic's subject it decodes into the current reader", async () => {
    const old = structuredClone(loadSchemas().ReviewCase);
    old.fields = old.fields.filter((f) => f.name !== 'note' && f.name !== 'resolvedBy');
    const { note: _n, resolvedBy: _r, ...oldRecord } = FIXTURES.ReviewCase();
    const body = avroType(old).toBuffer(oldRecord);

    const elsewhere = await registerUnder(`${uniqueName('contracts-old')}-value`, old);
    const refused = await decodeError(topicOf('ReviewCase'), toWire(elsewhere, body));
    expect(refused.code).toBe('FOREIGN_SCHEMA');

    const own = await registerUnder(`${topicOf('ReviewCase')}-value`, old);
    expect(own).toBe(elsewhere); // the registry gives one schema one id, whatever the subject
    // The refusal was cached for a while; a fresh codec (or the refusal TTL) sees the new registration.
    const fresh = new AvroCodec({ registryUrl: STACK.registryUrl, bindings });
    await fresh.init();
    const back = await fresh.decode<ReturnType<typeof FIXTURES.ReviewCase>>(
      topicOf('ReviewCase'),
      toWire(own, body),
    );
    expect(back).toEqual({ ...oldRecord, note: null, resolvedBy: null });
    fresh.close();
  });
});
