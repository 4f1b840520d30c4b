import { parseDob } from './dob.js';
import type { DobPrecision, Gender, MatchResult, MemberRecord, PersonQuery } from './types.js';

/**
 * JSON-lines formats of DESIGN.md "Batch interface" (snake_case on the wire) and their validation. A bad line gives
 * a reason, never an exception, so a batch never stops on one.
 */

export type LineResult<T> = { ok: true; value: T } | { ok: false; reason: string };

type Obj = Record<string, unknown>;

function optString(o: Obj, key: string, problems: string[]): string | null {
  const v = o[key];
  if (v === undefined || v === null || v === '') return null;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') {
    problems.push(`${key}: expected a string or null`);
    return null;
  }
  return v;
}

function gender(o: Obj, problems: string[]): Gender | null {
  const v = o['gender'];
  if (v === undefined || v === null || v === '') return null;
  if (v === 'M' || v === 'F') return v;
  problems.push(`gender: expected "M", "F" or null, got ${JSON.stringify(v)}`);
  return null;
}

function dob(o: Obj, problems: string[]): { dob: string | null; precision: DobPrecision | null } {
  const text = optString(o, 'dob', problems);
  if (text === null) return { dob: null, precision: null };
  const declared = optString(o, 'dob_precision', problems);
  if (declared !== null && declared !== 'year' && declared !== 'month' && declared !== 'day') {
    problems.push(`dob_precision: expected year|month|day, got ${JSON.stringify(declared)}`);
  }
  const parsed = parseDob(text, (declared as DobPrecision | null) ?? null);
  if (!parsed) {
    problems.push(`dob: expected "YYYY", "YYYY-MM" or "YYYY-MM-DD", got ${JSON.stringify(text)}`);
    return { dob: null, precision: null };
  }
  return { dob: text.trim(), precision: parsed.precision };
}

function parseObject(line: string): LineResult<Obj> {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch (e) {
    return { ok: false, reason: `not JSON: ${(e as Error).message}` };
  }
  if (!o || typeof o !== 'object' || Array.isArray(o)) return { ok: false, reason: 'not a JSON object' };
  return { ok: true, value: o as Obj };
}

export function memberFromLine(line: string): LineResult<MemberRecord> {
  const parsed = parseObject(line);
  if (!parsed.ok) return parsed;
  const o = parsed.value;
  const problems: string[] = [];
  const memberId = optString(o, 'member_id', problems);
  if (memberId === null) problems.push('member_id: required');
  const fullName = optString(o, 'full_name', problems);
  if (fullName === null || fullName.trim() === '') problems.push('full_name: required');
  const d = dob(o, problems);
  const bhxh = optString(o, 'bhxh_code', problems);
  if (bhxh !== null && !/^\d{10}$/.test(bhxh))
    problems.push(`bhxh_code: expected 10 digits, got ${JSON.stringify(bhxh)}`);
  const rec: MemberRecord = {
    memberId: memberId ?? '',
    householdCode: optString(o, 'household_code', problems),
    fullName: fullName ?? '',
    dob: d.dob,
    dobPrecision: d.precision,
    gender: gender(o, problems),
    idNumber: optString(o, 'id_number', problems),
    bhxhCode: bhxh,
    provinceCode: optString(o, 'province_code', problems),
    wardCode: optString(o, 'ward_code', problems),
    fatherName: optString(o, 'father_name', problems),
    motherName: optString(o, 'mother_name', problems),
    relationToHead: optString(o, 'relation_to_head', problems),
  };
  if (problems.length > 0) return { ok: false, reason: problems.join('; ') };
  return { ok: true, value: rec };
}

export function queryFromLine(line: string): LineResult<PersonQuery> {
  const parsed = parseObject(line);
  if (!parsed.ok) return parsed;
  const o = parsed.value;
  const problems: string[] = [];
  const queryId = optString(o, 'query_id', problems);
  if (queryId === null) problems.push('query_id: required');
  const fullName = optString(o, 'full_name', problems);
  if (fullName === null || fullName.trim() === '') problems.push('full_name: required');
  const d = dob(o, problems);
  const q: PersonQuery = {
    queryId: queryId ?? '',
    fullName: fullName ?? '',
    dob: d.dob,
    gender: gender(o, problems),
    idNumber: optString(o, 'id_number', problems),
    provinceCode: optString(o, 'province_code', problems),
    wardCode: optString(o, 'ward_code', problems),
    fatherName: optString(o, 'father_name', problems),
    motherName: optString(o, 'mother_name', problems),
  };
  if (problems.length > 0) return { ok: false, reason: problems.join('; ') };
  return { ok: true, value: q };
}

/** A member as the snake_case fields of the batch interface (a member line, and an `hgd.members` row). */
export function memberToSnakeCase(m: MemberRecord) {
  return {
    member_id: m.memberId,
    household_code: m.householdCode,
    full_name: m.fullName,
    dob: m.dob,
    dob_precision: m.dobPrecision,
    gender: m.gender,
    id_number: m.idNumber,
    bhxh_code: m.bhxhCode,
    province_code: m.provinceCode,
    ward_code: m.wardCode,
    father_name: m.fatherName,
    mother_name: m.motherName,
    relation_to_head: m.relationToHead,
  };
}

export function memberToLine(m: MemberRecord): string {
  return JSON.stringify(memberToSnakeCase(m));
}

export function queryToLine(q: PersonQuery): string {
  return JSON.stringify({
    query_id: q.queryId ?? null,
    full_name: q.fullName,
    dob: q.dob,
    gender: q.gender,
    id_number: q.idNumber,
    province_code: q.provinceCode,
    ward_code: q.wardCode ?? null,
    father_name: q.fatherName,
    mother_name: q.motherName,
  });
}

/** Result line: query_id, decision, member_id (when match), candidates [{member_id, score}] best first, evidence. */
export function resultToLine(queryId: string, r: MatchResult, withEvidence = true): string {
  return JSON.stringify({
    query_id: queryId,
    decision: r.decision,
    member_id: r.decision === 'match' ? (r.best?.memberId ?? null) : null,
    ...(r.population !== undefined ? { population: r.population } : {}),
    ...(r.refusal !== undefined ? { refusal: r.refusal } : {}),
    candidates: r.candidates.map((c) => ({
      member_id: c.memberId,
      score: c.score,
      ...(c.probability !== undefined ? { probability: Number(c.probability.toPrecision(6)) } : {}),
      ...(c.bayesFactor !== undefined ? { bayes_factor: c.bayesFactor } : {}),
      ...(c.namesakes !== undefined ? { namesakes: Number(c.namesakes.toPrecision(3)) } : {}),
      ...(withEvidence
        ? { evidence: c.evidence.map((e) => ({ field: e.field, level: e.level, weight: e.weight })) }
        : {}),
    })),
  });
}
