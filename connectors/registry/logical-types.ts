/**
 * avsc has no built-in logical types (docs/operations.md, "Local stack"): without these classes a `timestamp-millis` or `date` field
 * silently decodes as a raw number. Passed to every avsc Type we build, with `assertLogicalTypes: true`.
 */
import avro from 'avsc';
import { isValidDate } from '../../src/domain/identifiers.js';

const DAY_MS = 86_400_000;

/** `long` `timestamp-millis` ↔ JavaScript Date. */
export class TimestampMillisType extends avro.types.LogicalType {
  protected override _fromValue(val: unknown): Date {
    return val instanceof Date ? val : new Date(val as number);
  }
  protected override _toValue(val: unknown): number | undefined {
    if (!(val instanceof Date)) return undefined;
    const t = val.getTime();
    return Number.isNaN(t) ? undefined : t;
  }
  protected override _resolve(type: avro.Type): ((v: unknown) => Date) | undefined {
    // Readable from a writer that used the same logical type or a plain long.
    if (avro.Type.isType(type, 'long', 'logical:timestamp-millis')) return (v) => this._fromValue(v);
    return undefined;
  }
}

/** `int` `date` (days since 1970-01-01) ↔ 'YYYY-MM-DD' string. Invalid calendar dates do not encode. */
export class DateType extends avro.types.LogicalType {
  protected override _fromValue(val: unknown): string {
    if (typeof val === 'string') return val;
    return new Date((val as number) * DAY_MS).toISOString().slice(0, 10);
  }
  protected override _toValue(val: unknown): number | undefined {
    if (typeof val !== 'string' || !isValidDate(val)) return undefined;
    return Math.round(Date.parse(`${val}T00:00:00Z`) / DAY_MS);
  }
  protected override _resolve(type: avro.Type): ((v: unknown) => string) | undefined {
    if (avro.Type.isType(type, 'int', 'logical:date')) return (v) => this._fromValue(v);
    return undefined;
  }
}

/** Options for every avsc Type built from our schemas or from writer schemas fetched from the registry. */
export const AVRO_OPTIONS = {
  logicalTypes: { 'timestamp-millis': TimestampMillisType, date: DateType },
  assertLogicalTypes: true,
} as const;

/** An avsc Type for a schema, with our logical types. */
export function avroType(schema: unknown): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema, { ...AVRO_OPTIONS, registry: {} } as never);
}
