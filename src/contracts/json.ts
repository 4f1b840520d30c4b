/**
 * The JSON form of a contract record, for example messages and `vss-bridge validate`: the record as our code
 * holds it, with `timestamp-millis` as an ISO-8601 string (or epoch milliseconds), `date` as 'YYYY-MM-DD',
 * `bytes` as base64, and optional (union with null) fields as the plain value or null (no Avro JSON union
 * wrapping). `fromJson` converts along the Avro type; what cannot be converted is left as is, so the Avro check
 * that follows names the field.
 */
import type avro from 'avsc';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A record (as our code holds it) → its JSON form. */
export function toJson(value: unknown): Json {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  }
  return value as Json;
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The JSON form → a record for `type` (Dates, Buffers), best effort. */
export function fromJson(type: avro.Type, json: unknown): unknown {
  const t = type as avro.Type & {
    typeName: string;
    fields?: { name: string; type: avro.Type }[];
    itemsType?: avro.Type;
    valuesType?: avro.Type;
    types?: avro.Type[];
  };
  switch (t.typeName) {
    case 'logical:timestamp-millis':
      if (typeof json === 'string' && !Number.isNaN(Date.parse(json))) return new Date(json);
      if (typeof json === 'number') return new Date(json);
      return json;
    case 'bytes':
      return typeof json === 'string' && BASE64_RE.test(json) ? Buffer.from(json, 'base64') : json;
    case 'record':
    case 'error': {
      if (typeof json !== 'object' || json === null || Array.isArray(json)) return json;
      const obj = json as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(obj)) {
        const f = t.fields!.find((x) => x.name === k);
        out[k] = f ? fromJson(f.type, v) : v;
      }
      return out;
    }
    case 'array':
      return Array.isArray(json) ? json.map((v) => fromJson(t.itemsType!, v)) : json;
    case 'map':
      if (typeof json !== 'object' || json === null || Array.isArray(json)) return json;
      return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, fromJson(t.valuesType!, v)]));
    default:
      if (t.typeName.startsWith('union')) {
        if (json === null) return null;
        for (const branch of t.types!) {
          if (branch.typeName === 'null') continue;
          const v = fromJson(branch, json);
          if (branch.isValid(v)) return v;
        }
        const first = t.types!.find((b) => b.typeName !== 'null');
        return first ? fromJson(first, json) : json;
      }
      return json;
  }
}
