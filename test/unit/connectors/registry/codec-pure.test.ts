import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../../../src/domain/errors.js';
import { SCHEMA_NAMES } from '../../../../src/contracts/generated.js';
import { loadSchemas, type AvroRecordSchema } from '../../../../src/contracts/schemas.js';
import { readerProblems } from '../../../../connectors/registry/compatibility.js';
import { topicBindings } from '../../../../connectors/registry/bindings.js';
import { invalidPaths } from '../../../../connectors/registry/codec.js';
import { avroType } from '../../../../connectors/registry/logical-types.js';
import { parseWire, toWire } from '../../../../connectors/registry/wire.js';
import { loadConfig } from '../../../../src/runtime/config.js';
import { FIXTURES } from '../../../support/contract-fixtures.js';

describe('wire format', () => {
  it('round-trips id and body', () => {
    const w = toWire(70_000, Buffer.from([1, 2, 3]));
    expect([...w.subarray(0, 5)]).toEqual([0, 0, 1, 0x11, 0x70]);
    expect(parseWire(w)).toEqual({ schemaId: 70_000, body: Buffer.from([1, 2, 3]) });
  });

  it.each([
    ['null', null],
    ['empty', Buffer.alloc(0)],
    ['4 bytes', Buffer.from([0, 0, 0, 1])],
    ['magic byte 1', Buffer.from([1, 0, 0, 0, 1, 2])],
    ['text', Buffer.from('{"json": true}')],
  ])('%s → DECODE_FAILED', (_label, value) => {
    let err: unknown;
    try {
      parseWire(value);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as PermanentError).code).toBe('DECODE_FAILED');
  });
});

describe('avsc types of our schemas', () => {
  const schemas = loadSchemas();

  it.each(SCHEMA_NAMES.map((n) => [n]))('%s: fixture round-trips with logical types', (name) => {
    const type = avroType(schemas[name]);
    const record = FIXTURES[name]();
    expect(invalidPaths(type, record)).toEqual([]);
    expect(type.fromBuffer(type.toBuffer(record))).toEqual(record);
  });

  it('decodes timestamp-millis as Date and date as YYYY-MM-DD', () => {
    const type = avroType(schemas.ChildRegistrationSubmitted);
    const back = type.fromBuffer(type.toBuffer(FIXTURES.ChildRegistrationSubmitted()));
    expect(back.occurredAt).toBeInstanceOf(Date);
    expect(back.child.dateOfBirth).toBe('2016-02-29');
    expect(back.parent.dateOfBirth).toBe('1984-11-02');
  });

  it.each([
    [
      'a date that does not exist',
      (r: ReturnType<typeof FIXTURES.ChildRegistrationSubmitted>) => (r.submittedOn = '2023-02-29'),
      'submittedOn',
    ],
    [
      'a date in another format',
      (r: ReturnType<typeof FIXTURES.ChildRegistrationSubmitted>) => (r.submittedOn = '15/09/2025'),
      'submittedOn',
    ],
    [
      'a timestamp that is a number',
      (r: ReturnType<typeof FIXTURES.ChildRegistrationSubmitted>) =>
        ((r as unknown as { occurredAt: number }).occurredAt = 1),
      'occurredAt',
    ],
    [
      'an enum symbol we do not have',
      (r: ReturnType<typeof FIXTURES.ChildRegistrationSubmitted>) =>
        ((r as unknown as { relationship: string }).relationship = 'UNCLE'),
      'relationship',
    ],
    [
      'a missing required field',
      (r: ReturnType<typeof FIXTURES.ChildRegistrationSubmitted>) =>
        delete (r as Partial<typeof r>).registrationId,
      'registrationId',
    ],
  ])('refuses %s', (_label, mutate, path) => {
    const type = avroType(schemas.ChildRegistrationSubmitted);
    const r = FIXTURES.ChildRegistrationSubmitted();
    mutate(r);
    expect(invalidPaths(type, r)).toContain(path);
  });

  it('a reader with an extra optional field reads an older writer (default null)', () => {
    const reader = avroType(schemas.ReviewCase);
    const old = structuredClone(schemas.ReviewCase);
    old.fields = old.fields.filter((f) => f.name !== 'note');
    const writer = avroType(old);
    const { note: _note, ...oldRecord } = FIXTURES.ReviewCase();
    const back = reader.fromBuffer(writer.toBuffer(oldRecord), reader.createResolver(writer));
    expect(back.note).toBeNull();
    expect(back.occurredAt).toEqual(oldRecord.occurredAt);
  });

  it('an unknown enum symbol from a newer writer reads as the default UNKNOWN', () => {
    const reader = avroType(schemas.RegistrationDecision);
    const newer = structuredClone(schemas.RegistrationDecision);
    const outcome = newer.fields.find((f) => f.name === 'outcome')!;
    (outcome.type as { symbols: string[] }).symbols.push('WITHDRAWN');
    const writer = avroType(newer);
    const back = reader.fromBuffer(
      writer.toBuffer({ ...FIXTURES.RegistrationDecision(), outcome: 'WITHDRAWN' }),
      reader.createResolver(writer),
    );
    expect(back.outcome).toBe('UNKNOWN');
  });

  it('a record of another name does not resolve', () => {
    const reader = avroType(schemas.CodeLookupFailed);
    expect(() => reader.createResolver(avroType(schemas.ReviewCase))).toThrow();
  });
});

describe('topicBindings', () => {
  it('binds the seven topics and the three dead-letter topics, with the prefix', () => {
    const config = loadConfig({ VSS_PROFILE: 'local', TOPIC_PREFIX: 'dev.' });
    const b = topicBindings(config);
    expect(b).toHaveLength(10);
    expect(b).toContainEqual({
      topic: 'dev.vssid.code-lookup.failed',
      schema: 'CodeLookupFailed',
      role: 'input',
    });
    expect(b).toContainEqual({
      topic: 'dev.defence.code-mapping.decided',
      schema: 'CodeMapping',
      role: 'output',
    });
    expect(b).toContainEqual({
      topic: 'dev.vssid.code-mapping.decided',
      schema: 'CodeMapping',
      role: 'output',
    });
    expect(b.filter((x) => x.role === 'input').map((x) => x.topic)).toEqual([
      'dev.vssid.child-registration.submitted',
      'dev.vssid.adult-registration.submitted',
      'dev.vssid.code-lookup.failed',
    ]);
    expect(b.filter((x) => x.schema === 'DeadLetter').every((x) => x.role === 'output')).toBe(true);
    expect(
      b
        .filter((x) => x.schema === 'DeadLetter')
        .map((x) => x.topic)
        .sort(),
    ).toEqual([
      'dev.vssid.adult-registration.submitted.dlq',
      'dev.vssid.child-registration.submitted.dlq',
      'dev.vssid.code-lookup.failed.dlq',
    ]);
  });
});

describe('readerProblems: why our reader cannot read a writer schema, by field', () => {
  const reader = loadSchemas().CodeLookupFailed;
  const problems = (writer: AvroRecordSchema) => readerProblems(avroType(reader), avroType(writer));

  it('none for the same schema, or a writer with an extra field', () => {
    expect(problems(reader)).toEqual([]);
    const extra = structuredClone(reader);
    extra.fields.push({ name: 'extra', type: 'string' });
    expect(problems(extra)).toEqual([]);
  });

  it('names a removed field without default, a nested type change, and nothing for a removed optional field', () => {
    const w = structuredClone(reader);
    w.fields = w.fields.filter((f) => f.name !== 'requestId' && f.name !== 'staffBqpCode');
    const person = w.fields.find((f) => f.name === 'person')!.type as AvroRecordSchema;
    person.fields = person.fields.map((f) => (f.name === 'fullName' ? { ...f, type: 'long' } : f));
    expect(problems(w)).toEqual([
      "requestId: removed from the writer's schema, and our reader has no default for it",
      "person.fullName: the writer's long cannot be read as our string",
    ]);
  });
});
