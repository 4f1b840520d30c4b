import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../../../../connectors/registry/bounded-cache.js';
import { checkDecodeLimits, DEFAULT_DECODE_LIMITS } from '../../../../connectors/registry/limits.js';
import { PermanentError } from '../../../../src/domain/errors.js';
import { problemCode, validateRecordProblems } from '../../../../src/domain/validation.js';
import { codeLookupFailed } from '../../../support/contract-fixtures.js';

const T = avro.Type.forSchema({
  type: 'record',
  name: 'R',
  fields: [
    { name: 's', type: 'string' },
    { name: 'xs', type: { type: 'array', items: 'int' } },
    { name: 'm', type: { type: 'map', values: 'string' } },
    { name: 'u', type: ['null', 'string'] },
    { name: 'e', type: { type: 'enum', name: 'E', symbols: ['A', 'B'] } },
  ],
});

function code(body: Buffer, limits = DEFAULT_DECODE_LIMITS): string {
  try {
    checkDecodeLimits(T, body, limits);
    return 'ok';
  } catch (e) {
    return (e as PermanentError).code;
  }
}

describe('checkDecodeLimits', () => {
  const ok = T.toBuffer({ s: 'Đặng', xs: [1, 2, 3], m: { a: 'b' }, u: 'x', e: 'B' });

  it('passes a body within the limits, exactly as avsc reads it', () => {
    expect(code(ok)).toBe('ok');
  });

  it('counts array items over blocks, map entries, string bytes and the total', () => {
    const xs = T.toBuffer({ s: '', xs: Array.from({ length: 11 }, (_, i) => i), m: {}, u: null, e: 'A' });
    expect(code(xs, { ...DEFAULT_DECODE_LIMITS, maxArrayItems: 10 })).toBe('LIMIT_EXCEEDED');
    const m = T.toBuffer({ s: '', xs: [], m: { a: '1', b: '2', c: '3' }, u: null, e: 'A' });
    expect(code(m, { ...DEFAULT_DECODE_LIMITS, maxMapEntries: 2 })).toBe('LIMIT_EXCEEDED');
    const s = T.toBuffer({ s: 'x'.repeat(101), xs: [], m: {}, u: null, e: 'A' });
    expect(code(s, { ...DEFAULT_DECODE_LIMITS, maxStringBytes: 100 })).toBe('LIMIT_EXCEEDED');
    expect(code(ok, { ...DEFAULT_DECODE_LIMITS, maxDecodedBytes: 50 })).toBe('LIMIT_EXCEEDED');
    expect(code(ok, { ...DEFAULT_DECODE_LIMITS, maxBodyBytes: 5 })).toBe('LIMIT_EXCEEDED');
  });

  it('a truncated body, a bad union branch or enum index is DECODE_FAILED; bad UTF-8 is INVALID_UTF8', () => {
    expect(code(ok.subarray(0, ok.length - 3))).toBe('DECODE_FAILED');
    const badUnion = T.toBuffer({ s: '', xs: [], m: {}, u: null, e: 'A' });
    badUnion[3] = 8; // union index 4
    expect(code(badUnion)).toBe('DECODE_FAILED');
    const badEnum = T.toBuffer({ s: '', xs: [], m: {}, u: null, e: 'A' });
    badEnum[badEnum.length - 1] = 10;
    expect(code(badEnum)).toBe('DECODE_FAILED');
    const utf = Buffer.from(ok);
    utf[1] = 0xff;
    expect(code(utf)).toBe('INVALID_UTF8');
  });
});

describe('BoundedCache', () => {
  it('keeps at most maxEntries, evicting the least recently used, and forgets entries after their TTL', () => {
    let now = 0;
    const c = new BoundedCache<number, string>(3, () => now);
    for (let i = 0; i < 3; i++) c.set(i, `v${i}`, 1000);
    c.get(0); // 0 is now the most recent
    c.set(3, 'v3', 1000);
    expect(c.size).toBe(3);
    expect(c.get(1)).toBeUndefined();
    expect(c.get(0)).toBe('v0');
    now = 1000;
    expect(c.get(0)).toBeUndefined();
  });
});

describe('validation reason codes', () => {
  it('control characters, impossible dates: their own codes; messages never quote the value', () => {
    const r = codeLookupFailed();
    r.requestId = 'LK\u0000';
    expect(problemCode(validateRecordProblems('CodeLookupFailed', r))).toBe('CONTROL_CHARACTER');
    const d = codeLookupFailed();
    d.person.dateOfBirth = { value: '1899-12-31', precision: 'DAY' };
    const p = validateRecordProblems('CodeLookupFailed', d);
    expect(problemCode(p)).toBe('IMPOSSIBLE_DATE');
    const bad = codeLookupFailed();
    bad.person.idNumber = '0011870045XX';
    const msgs = validateRecordProblems('CodeLookupFailed', bad).map((i) => i.message);
    expect(msgs.join(' ')).not.toContain('0011870045');
    expect(msgs.join(' ')).toContain('is not a CCCD');
  });

  it('today and the day after are possible (producers a time zone ahead); the day after that is not', () => {
    const now = new Date('2026-03-10T20:00:00Z');
    const r = codeLookupFailed();
    r.person.dateOfBirth = { value: '2026-03-11', precision: 'DAY' };
    expect(validateRecordProblems('CodeLookupFailed', r, now)).toEqual([]);
    r.person.dateOfBirth = { value: '2026-03-12', precision: 'DAY' };
    expect(problemCode(validateRecordProblems('CodeLookupFailed', r, now))).toBe('IMPOSSIBLE_DATE');
  });
});
