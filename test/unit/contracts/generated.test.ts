import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateTypes, SchemaGenerationError } from '../../../src/contracts/generate.js';
import { SCHEMA_NAMES } from '../../../src/contracts/generated.js';
import {
  listSchemaFiles,
  loadSchema,
  loadSchemas,
  SCHEMAS_DIR,
  type AvroRecordSchema,
} from '../../../src/contracts/schemas.js';

const GENERATED = fileURLToPath(new URL('../../../src/contracts/generated.ts', import.meta.url));

function schemasOnDisk(): { name: string; schema: AvroRecordSchema }[] {
  return listSchemaFiles().map((name) => ({
    name,
    schema: JSON.parse(readFileSync(join(SCHEMAS_DIR, `${name}.avsc`), 'utf8')) as AvroRecordSchema,
  }));
}

describe('generated contract types', () => {
  it('match the .avsc files (run `npm run gen:types` after changing a schema)', () => {
    expect(readFileSync(GENERATED, 'utf8')).toBe(generateTypes(schemasOnDisk()));
  });

  it('cover exactly the schema files', () => {
    expect([...SCHEMA_NAMES]).toEqual(listSchemaFiles());
    expect(Object.keys(loadSchemas()).sort()).toEqual([...SCHEMA_NAMES].sort());
  });

  it('detect a field whose type changed in the schema', () => {
    const changed = schemasOnDisk().map(({ name, schema }) =>
      name === 'CodeMapping'
        ? {
            name,
            schema: {
              ...schema,
              fields: schema.fields.map((f) => (f.name === 'score' ? { ...f, type: 'string' } : f)),
            },
          }
        : { name, schema },
    );
    const text = generateTypes(changed);
    expect(text).not.toBe(readFileSync(GENERATED, 'utf8'));
    expect(text).toContain('  score: string;');
  });

  it('rejects two different definitions of one shared named type', () => {
    const a: AvroRecordSchema = {
      type: 'record',
      name: 'A',
      namespace: 'x',
      fields: [{ name: 'g', type: { type: 'enum', name: 'Gender', symbols: ['MALE', 'FEMALE', 'UNKNOWN'] } }],
    };
    const b: AvroRecordSchema = {
      type: 'record',
      name: 'B',
      namespace: 'x',
      fields: [{ name: 'g', type: { type: 'enum', name: 'Gender', symbols: ['MALE', 'FEMALE'] } }],
    };
    expect(() =>
      generateTypes([
        { name: 'A', schema: a },
        { name: 'B', schema: b },
      ]),
    ).toThrow(SchemaGenerationError);
  });

  it.each([
    [{ type: 'long', logicalType: 'timestamp-millis' }, 'Date'],
    [{ type: 'int', logicalType: 'date' }, 'IsoDate'],
    [['null', 'string'], 'string | null'],
    [['null', 'bytes'], 'Buffer | null'],
    [{ type: 'array', items: 'string' }, 'string[]'],
    [{ type: 'array', items: ['null', 'double'] }, '(double | null)[]'.replace('double', 'number')],
    ['boolean', 'boolean'],
    ['int', 'number'],
    [{ type: 'map', values: 'long' }, 'Record<string, number>'],
  ])('maps %j to %s', (type, ts) => {
    const text = generateTypes([
      { name: 'R', schema: { type: 'record', name: 'R', fields: [{ name: 'f', type: type as never }] } },
    ]);
    expect(text).toContain(`  f: ${ts};`);
  });
});

describe('schema files', () => {
  it.each(SCHEMA_NAMES.map((n) => [n]))('%s: namespace, docs, eventId and occurredAt', (name) => {
    const s = loadSchema(name);
    expect(s.namespace).toBe('vn.gov.baohiemxahoi.bridge');
    const problems: string[] = [];
    const walk = (t: unknown, path: string): void => {
      if (Array.isArray(t)) return t.forEach((b, i) => walk(b, `${path}|${i}`));
      if (typeof t !== 'object' || t === null) return;
      const o = t as Record<string, unknown>;
      if (o.type === 'record') {
        if (!o.doc) problems.push(`${path}: record without doc`);
        for (const f of o.fields as { name: string; doc?: string; type: unknown; default?: unknown }[]) {
          if (!f.doc) problems.push(`${path}.${f.name}: field without doc`);
          if (Array.isArray(f.type) && f.type[0] === 'null' && f.default !== null) {
            problems.push(`${path}.${f.name}: optional field without default null`);
          }
          walk(f.type, `${path}.${f.name}`);
        }
      }
      if (o.type === 'enum') {
        if (!o.doc) problems.push(`${path}: enum without doc`);
        if (o.default !== 'UNKNOWN') problems.push(`${path}: enum without default UNKNOWN`);
      }
      if (o.type === 'array') walk(o.items, `${path}[]`);
    };
    walk(s, name);
    expect(problems).toEqual([]);
    expect(s.fields[0]).toMatchObject({ name: 'eventId', type: { type: 'string', logicalType: 'uuid' } });
    expect(s.fields[1]).toMatchObject({
      name: 'occurredAt',
      type: { type: 'long', logicalType: 'timestamp-millis' },
    });
  });
});
