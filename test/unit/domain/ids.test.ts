import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deterministicUuid, newUuid, reviewCaseId } from '../../../src/domain/ids.js';

const LAYOUT = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('deterministicUuid: an RFC 4122 version-5 UUID', () => {
  it('has the 8-4-4-4-12 layout, version 5 and the RFC 4122 variant', () => {
    for (const parts of [
      ['a'],
      ['review-case', 'CHILD_REGISTRATION', 'REG-1'],
      [''],
      ['Nguyễn', 'x'.repeat(500)],
    ]) {
      const id = deterministicUuid(...parts);
      expect(id).toMatch(LAYOUT);
      const bytes = Buffer.from(id.replaceAll('-', ''), 'hex');
      expect(bytes).toHaveLength(16);
      expect(bytes[6]! >> 4).toBe(5);
      expect(bytes[8]! >> 6).toBe(0b10);
    }
  });

  it('is SHA-1 of the namespace and the parts joined by the unit separator, with version and variant set', () => {
    const ns = Buffer.from('5b0e9c3e8f5a4d0c9a1e2b7d4c6f8a10', 'hex');
    const h = createHash('sha1').update(ns).update('dead-letter\u001ftopic\u001f7').digest();
    h[6] = (h[6]! & 0x0f) | 0x50;
    h[8] = (h[8]! & 0x3f) | 0x80;
    const hex = h.subarray(0, 16).toString('hex');
    expect(deterministicUuid('dead-letter', 'topic', '7')).toBe(
      `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
    );
  });

  it('keeps the hash bits outside the version and variant fields', () => {
    // Across many inputs every hex digit of the random part varies, and the masked nibbles take all their values.
    const ids = Array.from({ length: 400 }, (_, i) => deterministicUuid('n', String(i)));
    const variants = new Set(ids.map((id) => id[19]));
    expect([...variants].sort()).toEqual(['8', '9', 'a', 'b']);
    const thirteenth = new Set(ids.map((id) => id[15]));
    expect(thirteenth.size).toBe(16);
  });

  it('is deterministic: the same parts give the same id', () => {
    expect(deterministicUuid('registration-decision', 'e1')).toBe(
      deterministicUuid('registration-decision', 'e1'),
    );
  });

  it('differs for different parts, including a different split of the same text', () => {
    const ids = [
      deterministicUuid('a', 'bc'),
      deterministicUuid('ab', 'c'),
      deterministicUuid('abc'),
      deterministicUuid('a', 'b', 'c'),
      deterministicUuid('a', 'bd'),
      deterministicUuid('b', 'a'),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('newUuid', () => {
  it('is a random version-4 UUID, different each call', () => {
    const a = newUuid();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newUuid()).not.toBe(a);
  });
});

describe('reviewCaseId', () => {
  it('prefixes the kind and keeps the first 12 hex digits of the case UUID', () => {
    const uuid = deterministicUuid('review-case', 'DEFENCE_CODE_MAPPING', 'LK-1');
    expect(reviewCaseId('DEFENCE_CODE_MAPPING', 'LK-1')).toBe(`RC-D-${uuid.slice(0, 8)}${uuid.slice(9, 13)}`);
    expect(reviewCaseId('CHILD_REGISTRATION', 'R-1')).toMatch(/^RC-C-[0-9a-f]{12}$/);
    expect(reviewCaseId('ADULT_REGISTRATION', 'R-1')).toMatch(/^RC-A-[0-9a-f]{12}$/);
  });

  it('is stable per kind and business key, and differs across keys and kinds', () => {
    expect(reviewCaseId('CHILD_REGISTRATION', 'R-1')).toBe(reviewCaseId('CHILD_REGISTRATION', 'R-1'));
    expect(reviewCaseId('CHILD_REGISTRATION', 'R-1')).not.toBe(reviewCaseId('CHILD_REGISTRATION', 'R-2'));
    expect(reviewCaseId('CHILD_REGISTRATION', 'R-1').slice(5)).not.toBe(
      reviewCaseId('ADULT_REGISTRATION', 'R-1').slice(5),
    );
  });
});
