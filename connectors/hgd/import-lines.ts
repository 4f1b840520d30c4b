import { createHash } from 'node:crypto';
import { scrubText } from '../../src/runtime/logger.js';
import { memberBlockingKeys } from '../../src/matching/blocking.js';
import { NameFrequencyCounter } from '../../src/matching/frequencies.js';
import { keyHash } from '../../src/matching/key-hash.js';
import { memberFromLine } from '../../src/matching/lines.js';
import { preparePerson } from '../../src/matching/prepare.js';
import type { MemberRecord } from '../../src/matching/types.js';
import { MEMBER_COLUMNS, memberToRow } from './rows.js';

/**
 * The CPU side of `hgd import`, free of I/O so it can run in worker threads: a chunk of member lines becomes rows in
 * PostgreSQL's COPY text format for the staging table (the member's columns and its search-key hashes), rejects
 * for lines that fail validation, and the name counts of the accepted lines (for the frequency tables).
 */

/** A rejected line without personal data: the reason scrubbed of quoted values and digit runs, the line as a digest. */
export interface Reject {
  line: number;
  memberId: string | null;
  reason: string;
  /** SHA-256 of the line as read: identifies it in the source file without copying it. */
  sha256: string | null;
}

export function rejectOf(
  line: number,
  text: string | null,
  reason: string,
  memberId: string | null = null,
): Reject {
  return {
    line,
    memberId,
    reason: scrubText(reason, 300),
    sha256: text === null ? null : sha256(text),
  };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The member columns an import writes: every column but `version`, which the database keeps. */
export const IMPORT_COLUMNS = MEMBER_COLUMNS.filter(
  (c): c is Exclude<(typeof MEMBER_COLUMNS)[number], 'version'> => c !== 'version',
);

/** Columns of the staging table, in COPY order: the line number, the member's columns, its key hashes. */
export const STAGING_COLUMNS = ['line', ...IMPORT_COLUMNS, 'keys'] as const;

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** A value in COPY text format: `\N` for null; backslash, tab, newline and carriage return escaped. */
export function copyText(v: string | null): string {
  if (v === null) return '\\N';
  if (!NEEDS_ESCAPE.test(v)) return v;
  return v.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

/**
 * The search keys stored for a member: the 64-bit hashes of its blocking keys, distinct (two keys may share a hash).
 * Only the name, date of birth, province and ID number feed the keys; the parents' names are left out of the
 * preparation because normalising them would cost time for nothing (a unit test pins this against
 * `memberBlockingKeys(preparePerson(member))`).
 */
export function memberKeyHashes(m: MemberRecord): string[] {
  const keys = memberBlockingKeys(preparePerson({ ...m, fatherName: null, motherName: null }));
  const hashes = new Set<string>();
  for (const k of keys) hashes.add(keyHash(k));
  return [...hashes];
}

export interface ChunkResult {
  /** Staging rows in COPY text format, one per accepted line. */
  copy: string;
  accepted: number;
  keys: number;
  rejects: Reject[];
  /** Name counts of the accepted lines (NameFrequencyCounter), as entries for structured cloning. */
  names: { total: number; family: Array<[string, number]>; given: Array<[string, number]> };
}

/**
 * Turns the lines of `text` into staging rows: lines end with `\n` (or `\r\n`, or the end of the text), the first is
 * line number `firstLine`; blank lines are skipped but counted.
 */
export function processChunk(text: string, firstLine: number): ChunkResult {
  const counter = new NameFrequencyCounter();
  const rejects: Reject[] = [];
  const out: string[] = [];
  let keys = 0;
  let lineNo = firstLine - 1;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    let line = text.slice(start, end);
    start = end + 1;
    lineNo++;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') continue;
    const parsed = memberFromLine(line);
    if (!parsed.ok) {
      rejects.push(rejectOf(lineNo, line, parsed.reason));
      continue;
    }
    const m = parsed.value;
    const hashes = memberKeyHashes(m);
    keys += hashes.length;
    counter.add(m.fullName);
    const row = memberToRow(m);
    let s = String(lineNo);
    for (const c of IMPORT_COLUMNS) s += `\t${copyText(row[c])}`;
    s += `\t{${hashes.join(',')}}\n`;
    out.push(s);
  }
  return {
    copy: out.join(''),
    accepted: out.length,
    keys,
    rejects,
    names: { total: counter.total, family: [...counter.family], given: [...counter.given] },
  };
}
