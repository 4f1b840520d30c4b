import { describe, expect, it } from 'vitest';
import { generateHgd } from '../../../../bench/generator/households.js';
import {
  IMPORT_COLUMNS,
  SeenHashes,
  copyText,
  memberCopyRow,
  textHash53,
  memberKeyHashes,
  processChunk,
  sha256,
} from '../../../../connectors/hgd/import-lines.js';
import { memberBlockingKeys } from '../../../../src/matching/blocking.js';
import { NameFrequencyCounter } from '../../../../src/matching/frequencies.js';
import { memberToRow } from '../../../../connectors/hgd/rows.js';
import { keyHash } from '../../../../src/matching/key-hash.js';
import { memberToLine } from '../../../../src/matching/lines.js';
import { preparePerson } from '../../../../src/matching/prepare.js';

const people = [...generateHgd({ seed: 31, members: 3000 })];

describe('hgd import: the CPU side (lines → COPY rows)', () => {
  it('stores exactly the hashes of the blocking keys that matching looks up', () => {
    // The import prepares members without their parents' names (they feed no key); this pins that shortcut to
    // memberBlockingKeys(preparePerson(member)), the definition queries are matched against.
    for (const p of people) {
      const expected = new Set(memberBlockingKeys(preparePerson(p.member)).map(keyHash));
      expect(new Set(memberKeyHashes(p.member))).toEqual(expected);
    }
  });

  it('counts names as NameFrequencyCounter.add does', () => {
    const expected = new NameFrequencyCounter();
    for (const p of people) expected.add(p.member.fullName);
    const odd = ['', '  ', 'Đỗ', 'Nguyễn  Thị  Huỳnh', 'LÝ Văn Kỳ', "O'Neil Vũ-Anh", '123'];
    for (const n of odd) expected.add(n);
    const lines = [
      ...people.map((p) => memberToLine(p.member)),
      ...odd.map((n, i) => JSON.stringify({ member_id: `odd${i}`, full_name: n })),
    ];
    const r = processChunk(lines.join('\n'), 1);
    expect(r.names.total).toBe(expected.total);
    expect(new Map(r.names.family)).toEqual(expected.family);
    expect(new Map(r.names.given)).toEqual(expected.given);
  });

  it('SeenHashes tells whether any hash repeats, across growth of its table', () => {
    const seen = new SeenHashes();
    const ids = Array.from({ length: 200_000 }, (_, i) => textHash53(`HGD${String(i).padStart(9, '0')}`));
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 0; i < ids.length; i += 50_000) seen.addAll(Float64Array.from(ids.slice(i, i + 50_000)));
    expect(seen.repeated).toBe(false);
    expect(seen.add(ids[123_456]!)).toBe(true);
    seen.addAll(Float64Array.from([textHash53('HGD000000007')]));
    expect(seen.repeated).toBe(true);
    for (const t of ['', 'a', 'Nguyễn', 'HGD000000001']) {
      const h = textHash53(t);
      expect(Number.isSafeInteger(h) && h > 0).toBe(true);
    }
  });

  it("hashes every accepted line's member id and BHXH code for the repeat checks", () => {
    const sample = people.slice(0, 50);
    const r = processChunk(sample.map((p) => memberToLine(p.member)).join('\n'), 1);
    expect([...r.idHashes]).toEqual(sample.map((p) => textHash53(p.member.memberId)));
    expect([...r.codeHashes]).toEqual(
      sample.filter((p) => p.member.bhxhCode !== null).map((p) => textHash53(p.member.bhxhCode!)),
    );
  });

  it('writes a member row with every IMPORT_COLUMN in order, as memberToRow gives them', () => {
    const odd = { ...people[0]!.member, fatherName: 'a\\b\tc', motherName: null, wardCode: 'x\ny\rz' };
    for (const m of [...people.slice(0, 200).map((p) => p.member), odd]) {
      const row = memberToRow(m);
      expect(memberCopyRow(m)).toBe(IMPORT_COLUMNS.map((c) => copyText(row[c])).join('\t'));
    }
  });

  it('escapes COPY text: null, backslash, tab, newline, carriage return', () => {
    expect(copyText(null)).toBe('\\N');
    expect(copyText('Nguyễn Văn A')).toBe('Nguyễn Văn A');
    expect(copyText('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyText('\\N')).toBe('\\\\N');
  });

  it('numbers lines across blank lines and CRLF, rejects bad lines with a digest, and counts names', () => {
    const good = people.slice(0, 3).map((p) => memberToLine(p.member));
    const bad = JSON.stringify({ member_id: 'X1', full_name: 'Lê Văn Bình', dob: '1990-13-01' });
    const text = `${good[0]}\r\n\n${bad}\n${good[1]}\n   \n${good[2]}`;
    const r = processChunk(text, 41);
    expect(r.accepted).toBe(3);
    expect(r.rejects).toEqual([
      { line: 43, memberId: null, reason: expect.stringMatching(/^dob/) as unknown, sha256: sha256(bad) },
    ]);
    expect(r.rejects[0]!.reason).not.toContain('1990');
    const rows = r.copy.trimEnd().split('\n');
    expect(rows.map((row) => Number(row.split('\t')[0]))).toEqual([41, 44, 46]);
    const first = rows[0]!.split('\t');
    expect(first).toHaveLength(IMPORT_COLUMNS.length + 2);
    expect(first[1]).toBe(people[0]!.member.memberId);
    expect(first[IMPORT_COLUMNS.length + 1]).toBe(`{${memberKeyHashes(people[0]!.member).join(',')}}`);
    expect(r.keys).toBe([0, 1, 2].reduce((n, i) => n + memberKeyHashes(people[i]!.member).length, 0));
    expect(r.names.total).toBe(3);
  });
});
