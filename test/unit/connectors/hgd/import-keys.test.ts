import { describe, expect, it } from 'vitest';
import { generateHgd } from '../../../../bench/generator/households.js';
import {
  BINARY_COPY_HEADER,
  BINARY_COPY_TRAILER,
  KeyHashes,
  KeyRowWriter,
} from '../../../../connectors/hgd/import-keys.js';
import { processChunk } from '../../../../connectors/hgd/import-lines.js';
import { memberBlockingKeys } from '../../../../src/matching/blocking.js';
import { keyHash } from '../../../../src/matching/key-hash.js';
import { memberToLine } from '../../../../src/matching/lines.js';
import { preparePerson } from '../../../../src/matching/prepare.js';
import type { MemberRecord } from '../../../../src/matching/types.js';

const people = [...generateHgd({ seed: 47, members: 3000 })].map((p) => p.member);

/** Members that take the less common branches of memberBlockingKeys. */
const odd: MemberRecord[] = (() => {
  const base = people[0]!;
  const variants: Array<Partial<MemberRecord>> = [
    { provinceCode: null },
    { provinceCode: '1' },
    { dob: null, dobPrecision: null },
    { dob: '1970', dobPrecision: 'year' },
    { dob: '1970-04', dobPrecision: 'month' },
    { dob: '1970-04-09', dobPrecision: 'day', wardCode: null },
    { dob: '09/04/1970', dobPrecision: 'day' },
    { fullName: 'Anh' },
    { fullName: 'Lê An' },
    { fullName: 'Ngô Bo' },
    { fullName: 'Nguyễn Thị Thuỷ Tiênn' },
    { fullName: 'Đỗ  Thị   Ngọc  Aaa' },
    { fullName: '' },
    { fullName: '123' },
    { idNumber: null },
    { idNumber: ' 0370 5931 3944 ' },
    { idNumber: 'ab12' },
    { wardCode: '  ' },
    // The g: keys carry the gender; without one, the member is stored under both.
    { gender: null },
    { gender: null, fullName: 'Trần Aaa' },
    { gender: 'F' },
    { gender: 'M' },
  ];
  return variants.map((v, i) => ({ ...base, memberId: `odd-${i}`, ...v }));
})();

function expectedHashes(m: MemberRecord): string[] {
  return [...new Set(memberBlockingKeys(preparePerson(m)).map(keyHash))];
}

function decodeRows(bytes: Uint8Array): Array<[string, string]> {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Array<[string, string]> = [];
  let p = 0;
  while (p < bytes.length) {
    expect(v.getInt16(p)).toBe(2);
    expect(v.getInt32(p + 2)).toBe(8);
    const hash = v.getBigInt64(p + 6).toString();
    const len = v.getInt32(p + 14);
    const id = Buffer.from(bytes.subarray(p + 18, p + 18 + len)).toString('utf8');
    out.push([hash, id]);
    p += 18 + len;
  }
  return out;
}

describe('hgd import: search-key hashes without key texts', () => {
  it('gives the hashes of memberBlockingKeys, distinct and in its order', () => {
    for (const m of [...people, ...odd]) {
      const k = new KeyHashes().compute(preparePerson(m));
      expect(Array.from({ length: k.count }, (_, i) => k.decimal(i))).toEqual(expectedHashes(m));
    }
  });

  it('keeps one hash for keys that repeat (a deletion variant equal to another)', () => {
    // "Aaa": deleting any of its letters gives "aa", one key.
    const m = { ...people[1]!, fullName: 'Trần Aaa' };
    const k = new KeyHashes().compute(preparePerson(m));
    const got = Array.from({ length: k.count }, (_, i) => k.decimal(i));
    expect(got).toEqual(expectedHashes(m));
    expect(new Set(got).size).toBe(got.length);
    // Three deletions give the one text "aa": with the token itself, two `g:` keys.
    const g = memberBlockingKeys(preparePerson(m)).filter((key) => key.startsWith('g:'));
    expect(g).toHaveLength(2);
  });

  it('grows past 64 keys (a long given name)', () => {
    const m = { ...people[2]!, fullName: `Lê ${'abcdefghij'.repeat(8)}` };
    const k = new KeyHashes().compute(preparePerson(m));
    expect(k.count).toBeGreaterThan(64);
    expect(Array.from({ length: k.count }, (_, i) => k.decimal(i))).toEqual(expectedHashes(m));
  });

  it('writes binary COPY rows (bigint, text) that decode to the member id and each hash', () => {
    const w = new KeyRowWriter(16);
    const k = new KeyHashes();
    const ids = ['HGD000000001', 'hộ-Đỗ-01', 'x'.repeat(300)];
    const expected: Array<[string, string]> = [];
    ids.forEach((id, i) => {
      const m = { ...people[i]!, memberId: id };
      w.add(k.compute(preparePerson(m)), id);
      for (const h of expectedHashes(m)) expected.push([h, id]);
    });
    expect(decodeRows(w.take())).toEqual(expected);
    expect(Buffer.from(BINARY_COPY_HEADER.subarray(0, 11)).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
    expect([...BINARY_COPY_TRAILER]).toEqual([0xff, 0xff]);
  });

  it("puts every accepted line's key rows in the chunk's binary key data, staging arrays otherwise", () => {
    const sample = people.slice(0, 40);
    const text = sample.map(memberToLine).join('\n');
    const withRows = processChunk(text, 1, true);
    const expected = sample.flatMap((m) => expectedHashes(m).map((h) => [h, m.memberId]));
    expect(decodeRows(withRows.keyCopy)).toEqual(expected);
    expect(withRows.keys).toBe(expected.length);
    const staged = processChunk(text, 1, false);
    expect(staged.keyCopy.byteLength).toBe(0);
    const arrays = staged.copy
      .trimEnd()
      .split('\n')
      .map((row) => row.split('\t').at(-1));
    expect(arrays).toEqual(sample.map((m) => `{${expectedHashes(m).join(',')}}`));
  });
});
