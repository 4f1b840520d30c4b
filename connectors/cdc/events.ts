import type { DobPrecision, Gender, MemberRecord } from '../../src/matching/types.js';
import type { IndexEntry } from './plan.js';

/**
 * Debezium change events (JSON converter without schemas) for HGD's tables, parsed into what the index follower
 * needs. Pure: no I/O. Shapes: docs/cdc.md.
 */
export type SnapshotMark = 'no' | 'yes' | 'last';

export interface MemberChange {
  table: 'members';
  /** 'c' insert, 'u' update, 'd' delete, 'r' snapshot read. */
  op: 'c' | 'u' | 'd' | 'r';
  memberId: string;
  /** The row after the change; null for a delete. */
  after: MemberRecord | null;
  /** Source position of the change in HGD's write-ahead log. */
  lsn: number;
  snapshot: SnapshotMark;
  /** When HGD committed the change (ms since the epoch; the snapshot's time for snapshot reads). */
  sourceTsMs: number;
  /** indexEntry(after), when computed ahead (the follower does, while the previous batch's transaction runs). */
  entry?: IndexEntry;
}

export interface HouseholdChange {
  table: 'households';
  op: 'c' | 'u' | 'd' | 'r';
  householdCode: string;
  lsn: number;
  snapshot: SnapshotMark;
  sourceTsMs: number;
}

export type ChangeEvent = MemberChange | HouseholdChange;

export type ParseResult = { ok: true; event: ChangeEvent | null } | { ok: false; reason: string };

interface Envelope {
  op?: unknown;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  source?: { table?: unknown; lsn?: unknown; snapshot?: unknown; ts_ms?: unknown };
}

const OPS = new Set(['c', 'u', 'd', 'r']);

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : v === null || v === undefined ? null : String(v);
}

function snapshotMark(v: unknown): SnapshotMark {
  // Debezium marks snapshot reads 'first', 'true', 'last' (and, per table, 'first_in_data_collection',
  // 'last_in_data_collection'); 'false' (or absent) for streamed changes; 'incremental' for incremental snapshots.
  if (v === undefined || v === null || v === 'false' || v === false) return 'no';
  if (v === 'last') return 'last';
  return 'yes';
}

export function memberFromAfter(a: Record<string, unknown>): MemberRecord {
  return {
    memberId: String(a.member_id),
    householdCode: str(a.household_code),
    fullName: str(a.full_name) ?? '',
    dob: str(a.dob),
    dobPrecision: str(a.dob_precision) as DobPrecision | null,
    gender: str(a.gender) as Gender | null,
    idNumber: str(a.id_number),
    bhxhCode: str(a.bhxh_code),
    provinceCode: str(a.province_code),
    wardCode: str(a.ward_code),
    fatherName: str(a.father_name),
    motherName: str(a.mother_name),
    relationToHead: str(a.relation_to_head),
    version: typeof a.version === 'number' ? a.version : Number(a.version ?? 1),
  };
}

/**
 * One Kafka message of a change topic. A null value (a tombstone after a delete) parses to `event: null`.
 * Reasons never quote values: rows hold names and ID numbers.
 */
export function parseChange(key: Buffer | null, value: Buffer | null): ParseResult {
  if (value === null || value.length === 0) return { ok: true, event: null };
  let env: Envelope;
  try {
    env = JSON.parse(value.toString('utf8')) as Envelope;
  } catch {
    return { ok: false, reason: 'value is not JSON' };
  }
  // Converters configured with schemas wrap the envelope in {schema, payload}.
  if (env && typeof env === 'object' && 'payload' in env) env = (env as { payload: Envelope }).payload;
  if (!env || typeof env !== 'object') return { ok: false, reason: 'value is not an object' };
  const op = env.op;
  if (typeof op !== 'string' || !OPS.has(op)) return { ok: false, reason: 'missing or unknown op' };
  const src = env.source ?? {};
  const lsn = Number(src.lsn);
  if (!Number.isSafeInteger(lsn) || lsn < 0) return { ok: false, reason: 'missing source.lsn' };
  const snapshot = snapshotMark(src.snapshot);
  const sourceTsMs = Number(src.ts_ms ?? 0);
  const row = op === 'd' ? env.before : env.after;
  let keyObj: Record<string, unknown> | null = null;
  if (key !== null) {
    try {
      const k = JSON.parse(key.toString('utf8')) as Record<string, unknown>;
      keyObj = k && typeof k === 'object' && 'payload' in k ? (k.payload as Record<string, unknown>) : k;
    } catch {
      return { ok: false, reason: 'key is not JSON' };
    }
  }
  const table = str(src.table);
  const o = op as MemberChange['op'];
  if (table === 'members') {
    const memberId = str(row?.member_id ?? keyObj?.member_id);
    if (memberId === null) return { ok: false, reason: 'members change without member_id' };
    if (op !== 'd' && (!env.after || typeof env.after !== 'object'))
      return { ok: false, reason: 'members change without after image' };
    return {
      ok: true,
      event: {
        table: 'members',
        op: o,
        memberId,
        after: op === 'd' ? null : memberFromAfter(env.after!),
        lsn,
        snapshot,
        sourceTsMs,
      },
    };
  }
  if (table === 'households') {
    const householdCode = str(row?.household_code ?? keyObj?.household_code);
    if (householdCode === null) return { ok: false, reason: 'households change without household_code' };
    return { ok: true, event: { table: 'households', op: o, householdCode, lsn, snapshot, sourceTsMs } };
  }
  return { ok: false, reason: 'change of a table the index does not follow' };
}
