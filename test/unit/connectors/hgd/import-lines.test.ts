import { describe, expect, it } from 'vitest';
import { generateHgd } from '../../../../bench/generator/households.js';
import {
  IMPORT_COLUMNS,
  copyText,
  memberKeyHashes,
  processChunk,
  sha256,
} from '../../../../connectors/hgd/import-lines.js';
import { memberBlockingKeys } from '../../../../src/matching/blocking.js';
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
