/**
 * Generates TypeScript types from the `.avsc` contracts (run by `npm run gen:types`, checked by a unit test), so
 * the code cannot drift from the schemas. Pure: JSON in, source text out.
 *
 * Mapping: string → string, int/long/float/double → number, boolean → boolean, bytes/fixed → Buffer,
 * enum → string-literal union, ["null", T] → T | null, array → T[], map → Record<string, T>,
 * timestamp-millis → Date, date → IsoDate ('YYYY-MM-DD' string). Named types shared between files are emitted
 * once; two different definitions under one name are an error.
 */
import type { AvroField, AvroRecordSchema, AvroSchema } from './schemas.js';

interface Named {
  kind: 'record' | 'enum';
  name: string;
  canonical: string;
  source: string;
  ts: string;
}

const PRIMITIVES: Record<string, string> = {
  null: 'null',
  string: 'string',
  int: 'number',
  long: 'number',
  float: 'number',
  double: 'number',
  boolean: 'boolean',
  bytes: 'Buffer',
};

export class SchemaGenerationError extends Error {}

function shortName(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

function fullName(name: string, namespace: string | undefined): string {
  return name.includes('.') || !namespace ? name : `${namespace}.${name}`;
}

function docComment(doc: unknown, indent: string): string {
  if (typeof doc !== 'string' || doc === '') return '';
  const text = doc.replace(/\*\//g, '*\\/');
  return `${indent}/** ${text} */\n`;
}

/** Generates the source of `src/contracts/generated.ts` from the schemas, given in a stable order. */
export function generateTypes(schemas: { name: string; schema: AvroRecordSchema }[]): string {
  const named = new Map<string, Named>();
  const order: string[] = [];

  function typeOf(s: AvroSchema, namespace: string | undefined, source: string): string {
    if (typeof s === 'string') {
      const prim = PRIMITIVES[s];
      if (prim) return prim;
      const full = fullName(s, namespace);
      if (!named.has(full)) throw new SchemaGenerationError(`${source}: reference to undefined type ${s}`);
      return shortName(full);
    }
    if (Array.isArray(s)) {
      const branches = s.map((b) => typeOf(b, namespace, source));
      return [...branches.filter((b) => b !== 'null'), ...branches.filter((b) => b === 'null')].join(' | ');
    }
    const logical = (s as { logicalType?: unknown }).logicalType;
    if (logical === 'timestamp-millis' && s.type === 'long') return 'Date';
    if (logical === 'date' && s.type === 'int') return 'IsoDate';
    switch (s.type) {
      case 'record':
        return defineRecord(s as AvroRecordSchema, namespace, source);
      case 'enum':
        return defineEnum(s as Extract<AvroSchema, { type: 'enum' }>, namespace, source);
      case 'array': {
        const item = typeOf((s as { items: AvroSchema }).items, namespace, source);
        return item.includes(' ') ? `(${item})[]` : `${item}[]`;
      }
      case 'map':
        return `Record<string, ${typeOf((s as { values: AvroSchema }).values, namespace, source)}>`;
      case 'fixed':
        return 'Buffer';
      default:
        if (typeof s.type === 'string' && PRIMITIVES[s.type]) return PRIMITIVES[s.type] as string;
        throw new SchemaGenerationError(`${source}: unsupported schema ${JSON.stringify(s)}`);
    }
  }

  function register(full: string, entry: Named): void {
    const existing = named.get(full);
    if (existing) {
      if (existing.canonical !== entry.canonical) {
        throw new SchemaGenerationError(
          `${entry.source}: ${full} differs from its definition in ${existing.source}; shared types must be identical`,
        );
      }
      return;
    }
    named.set(full, entry);
    order.push(full);
  }

  function defineEnum(
    s: Extract<AvroSchema, { type: 'enum' }>,
    namespace: string | undefined,
    source: string,
  ): string {
    const full = fullName(s.name, s.namespace ?? namespace);
    const name = shortName(full);
    const union = s.symbols.map((sym) => `'${sym}'`).join(' | ');
    register(full, {
      kind: 'enum',
      name,
      canonical: JSON.stringify(s),
      source,
      ts: `${docComment(s.doc, '')}export type ${name} = ${union};\n`,
    });
    return name;
  }

  function defineRecord(s: AvroRecordSchema, namespace: string | undefined, source: string): string {
    const full = fullName(s.name, s.namespace ?? namespace);
    const ns = full.includes('.') ? full.slice(0, full.lastIndexOf('.')) : undefined;
    const name = shortName(full);
    // Reserve the slot first so the record precedes the types it defines inline, as in the file.
    const placeholder: Named = { kind: 'record', name, canonical: JSON.stringify(s), source, ts: '' };
    const existing = named.get(full);
    if (existing) {
      register(full, placeholder);
      return name;
    }
    register(full, placeholder);
    const fields = s.fields.map((f: AvroField) => {
      const t = typeOf(f.type, ns, source);
      return `${docComment(f.doc, '  ')}  ${f.name}: ${t};\n`;
    });
    placeholder.ts = `${docComment(s.doc, '')}export interface ${name} {\n${fields.join('')}}\n`;
    return name;
  }

  const top: string[] = [];
  for (const { name, schema } of schemas) {
    if (schema.type !== 'record')
      throw new SchemaGenerationError(`${name}.avsc: top-level schema is not a record`);
    top.push(defineRecord(schema, schema.namespace, `${name}.avsc`));
  }

  const out: string[] = [
    '// GENERATED by `npm run gen:types` (scripts/gen-types.ts) from schemas/*.avsc. Do not edit by hand:',
    '// change the .avsc and regenerate; test/unit/contracts fails when this file and the schemas disagree.',
    '',
    "/** An Avro `date` (days since 1970-01-01) as a calendar date 'YYYY-MM-DD'. */",
    'export type IsoDate = string;',
    '',
    '/** Every record that is a topic value, one `.avsc` file each. */',
    `export const SCHEMA_NAMES = [${top.map((n) => `'${n}'`).join(', ')}] as const;`,
    'export type SchemaName = (typeof SCHEMA_NAMES)[number];',
    '',
  ];
  for (const full of order) out.push((named.get(full) as Named).ts);
  out.push('/** The TypeScript type of each top-level record, by schema name. */');
  out.push('export interface SchemaTypes {');
  for (const n of top) out.push(`  ${n}: ${n};`);
  out.push('}');
  return out.join('\n') + '\n';
}
