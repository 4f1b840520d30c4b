/**
 * `vss-bridge validate`: checks one message, in its JSON form (src/contracts/json.ts), the way the adapter will
 * when it arrives: first against the topic's Avro schema (what the producer's serializer would refuse, or what we
 * would dead-letter as SCHEMA_MISMATCH), then against the content rules (src/domain/validation.ts, dead-lettered
 * as VALIDATION_FAILED). Every problem names its field and a reason code; no message ever repeats a value.
 * Pure: no broker, no registry.
 */
import type avro from 'avsc';
import type { SchemaName } from '../../src/contracts/generated.js';
import { fromJson } from '../../src/contracts/json.js';
import { loadSchemas } from '../../src/contracts/schemas.js';
import { validateRecordDetailed, type FieldProblem } from '../../src/domain/validation.js';
import { avroType } from './logical-types.js';

export type MessageProblemCode =
  | 'NOT_JSON'
  | 'MISSING'
  | 'WRONG_TYPE'
  | 'UNKNOWN_FIELD'
  | FieldProblem['code'];

export interface MessageProblem {
  field: string;
  code: MessageProblemCode;
  /** Which check found it: the Avro schema, or a content rule. */
  check: 'avro' | 'content';
  message: string;
}

type AnyType = avro.Type & {
  typeName: string;
  name?: string;
  fields?: { name: string; type: avro.Type; defaultValue(): unknown }[];
  itemsType?: avro.Type;
  valuesType?: avro.Type;
  types?: avro.Type[];
  symbols?: string[];
};

function expected(type: avro.Type): string {
  const t = type as AnyType;
  switch (t.typeName) {
    case 'logical:timestamp-millis':
      return 'an instant (ISO-8601 string or epoch milliseconds)';
    case 'logical:date':
      return 'a date (YYYY-MM-DD)';
    case 'enum':
      return `one of ${t.symbols!.join(', ')}`;
    case 'bytes':
      return 'bytes (base64)';
    case 'record':
      return `an object (${(t.name ?? 'record').split('.').pop()})`;
    case 'array':
      return 'a list';
    case 'map':
      return 'an object (map)';
    default:
      if (t.typeName.startsWith('union')) return t.types!.map(expected).join(' or ');
      return t.typeName === 'null' ? 'null' : `a ${t.typeName}`;
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v) && !(v instanceof Date);

/** Structural problems of `value` (already converted from JSON) against `type`. */
function avroProblems(type: avro.Type, value: unknown, path: string, out: MessageProblem[]): void {
  const t = type as AnyType;
  const at = path || '(message)';
  const add = (code: MessageProblemCode, message: string): void => {
    out.push({ field: at, code, check: 'avro', message });
  };
  if (value === undefined) return add('MISSING', `missing; expected ${expected(type)}`);
  if (t.typeName.startsWith('union')) {
    if (t.types!.some((b) => b.isValid(value))) return;
    const objects = t.types!.filter((b) => (b as AnyType).typeName === 'record');
    if (objects.length === 1 && isPlainObject(value)) return avroProblems(objects[0]!, value, path, out);
    return add('WRONG_TYPE', `expected ${expected(type)}`);
  }
  if (t.typeName === 'record') {
    if (!isPlainObject(value)) return add('WRONG_TYPE', `expected ${expected(type)}`);
    const names = new Set(t.fields!.map((f) => f.name));
    for (const f of t.fields!) {
      const v = value[f.name];
      if (v === undefined && f.defaultValue() !== undefined) continue;
      avroProblems(f.type, v, path ? `${path}.${f.name}` : f.name, out);
    }
    for (const k of Object.keys(value)) {
      if (!names.has(k)) {
        out.push({
          field: path ? `${path}.${k}` : k,
          code: 'UNKNOWN_FIELD',
          check: 'avro',
          message: 'not in the schema (a serializer drops it or fails)',
        });
      }
    }
    return;
  }
  if (t.typeName === 'array') {
    if (!Array.isArray(value)) return add('WRONG_TYPE', `expected ${expected(type)}`);
    value.forEach((v, i) => avroProblems(t.itemsType!, v, `${at}[${i}]`, out));
    return;
  }
  if (t.typeName === 'map') {
    if (!isPlainObject(value)) return add('WRONG_TYPE', `expected ${expected(type)}`);
    for (const [k, v] of Object.entries(value)) avroProblems(t.valuesType!, v, `${at}.${k}`, out);
    return;
  }
  if (!type.isValid(value)) add('WRONG_TYPE', `expected ${expected(type)}`);
}

let types: Map<SchemaName, avro.Type> | null = null;
function typeOf(schema: SchemaName): avro.Type {
  if (!types) {
    types = new Map(Object.entries(loadSchemas()).map(([n, s]) => [n as SchemaName, avroType(s)]));
  }
  return types.get(schema)!;
}

/** Every problem of a message given as JSON text for a topic bound to `schema`; empty when it would be accepted. */
export function checkMessageJson(schema: SchemaName, text: string): MessageProblem[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The parser's own message quotes the text around the error: not repeated here.
    return [{ field: '(message)', code: 'NOT_JSON', check: 'avro', message: 'not valid JSON' }];
  }
  const type = typeOf(schema);
  const record = fromJson(type, json);
  const problems: MessageProblem[] = [];
  avroProblems(type, record, '', problems);
  const flagged = new Set(problems.map((p) => p.field));
  // Content rules on what could be read; a field the Avro check already flagged is not reported twice.
  for (const p of validateRecordDetailed(schema, record)) {
    if ([...flagged].some((f) => p.field === f || p.field.startsWith(`${f}.`) || p.field.startsWith(`${f}[`)))
      continue;
    problems.push({ field: p.field, code: p.code, check: 'content', message: p.message });
  }
  return problems;
}
