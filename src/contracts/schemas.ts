/**
 * The Avro contracts of docs/contracts.md: one self-contained `.avsc` file per record under `schemas/`.
 * Shared named types (Gender, PartialDate, DocumentRef, DecidedBy …) are defined inline where a file first uses
 * them and referenced by full name afterwards, because the registry holds each subject's schema on its own
 * (we use no schema references). `test/unit/contracts` checks that every copy of a shared type is identical.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCHEMA_NAMES, type SchemaName } from './generated.js';

export const SCHEMA_NAMESPACE = 'vn.gov.baohiemxahoi.bridge';

/** `<repo>/schemas`, found relative to this module so it works from any working directory. */
export const SCHEMAS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../schemas');

/** A parsed `.avsc` document (JSON); avsc and the registry take it as is. */
export interface AvroRecordSchema {
  type: 'record';
  name: string;
  namespace?: string;
  doc?: string;
  fields: AvroField[];
}
export interface AvroField {
  name: string;
  type: AvroSchema;
  doc?: string;
  default?: unknown;
}
export type AvroSchema =
  | string
  | AvroSchema[]
  | AvroRecordSchema
  | { type: 'enum'; name: string; namespace?: string; doc?: string; symbols: string[]; default?: string }
  | { type: 'array'; items: AvroSchema }
  | { type: 'map'; values: AvroSchema }
  | { type: string; logicalType?: string; [k: string]: unknown };

export function isSchemaName(s: string): s is SchemaName {
  return (SCHEMA_NAMES as readonly string[]).includes(s);
}

/** Reads one schema file (`<dir>/<name>.avsc`) and checks its name matches the file's. */
export function loadSchema(name: SchemaName, dir: string = SCHEMAS_DIR): AvroRecordSchema {
  const file = join(dir, `${name}.avsc`);
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as AvroRecordSchema;
  if (parsed.type !== 'record' || parsed.name !== name) {
    throw new Error(`${file}: expected a record named ${name}, found ${parsed.type} ${parsed.name}`);
  }
  return parsed;
}

/** Every contract, by record name. */
export function loadSchemas(dir: string = SCHEMAS_DIR): Record<SchemaName, AvroRecordSchema> {
  const out = {} as Record<SchemaName, AvroRecordSchema>;
  for (const name of SCHEMA_NAMES) out[name] = loadSchema(name, dir);
  return out;
}

/** The `.avsc` files present in `dir`, by record name (the generator's input; may differ from SCHEMA_NAMES). */
export function listSchemaFiles(dir: string = SCHEMAS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.avsc'))
    .map((f) => f.slice(0, -'.avsc'.length))
    .sort();
}

/** The schema text sent to the registry: the file's JSON, compact. */
export function schemaText(schema: AvroRecordSchema): string {
  return JSON.stringify(schema);
}
