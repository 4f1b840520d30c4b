import { createHash } from 'node:crypto';
import { scrubText } from '../../src/runtime/logger.js';
import { memberBlockingKeys } from '../../src/matching/blocking.js';
import { NameFrequencyCounter } from '../../src/matching/frequencies.js';
import { keyHash, keyHashHalves } from '../../src/matching/key-hash.js';
import { memberFromLine } from '../../src/matching/lines.js';
import { preparePerson, type PreparedPerson } from '../../src/matching/prepare.js';
import type { MemberRecord } from '../../src/matching/types.js';
import { KeyHashes, KeyRowWriter } from './import-keys.js';
import { MEMBER_COLUMNS } from './rows.js';

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

/** Columns of the staging table when the search keys go straight to the key table (`keyRows`): no key hashes. */
export const STAGING_COLUMNS_WITHOUT_KEYS = ['line', ...IMPORT_COLUMNS] as const;

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
 * A member's `IMPORT_COLUMNS` as one COPY text row (no line end): the columns written out one by one, not looked up
 * by name in a loop over `memberToRow`, which cost ~25 % more; a unit test pins it to `memberToRow`.
 */
export function memberCopyRow(m: MemberRecord): string {
  return (
    `${copyText(m.memberId)}\t${copyText(m.householdCode)}\t${copyText(m.fullName)}\t${copyText(m.dob)}\t` +
    `${copyText(m.dobPrecision)}\t${copyText(m.gender)}\t${copyText(m.idNumber)}\t${copyText(m.bhxhCode)}\t` +
    `${copyText(m.provinceCode)}\t${copyText(m.wardCode)}\t${copyText(m.fatherName)}\t${copyText(m.motherName)}\t` +
    copyText(m.relationToHead)
  );
}

/**
 * The search keys stored for a member: the 64-bit hashes of its blocking keys, distinct (two keys may share a hash).
 * Only the name, date of birth, province and ID number feed the keys; the parents' names are left out of the
 * preparation because normalising them would cost time for nothing (a unit test pins this against
 * `memberBlockingKeys(preparePerson(member))`).
 */
export function memberKeyHashes(m: MemberRecord): string[] {
  return hashesOf(preparePerson({ ...m, fatherName: null, motherName: null }));
}

function hashesOf(p: PreparedPerson): string[] {
  const hashes = new Set<string>();
  for (const k of memberBlockingKeys(p)) hashes.add(keyHash(k));
  return [...hashes];
}

/**
 * Counts a member's name as `NameFrequencyCounter.add(fullName)` does, from the name already prepared for its keys
 * (the folded parts `add` would compute again): same tokens, half the normalisation work.
 */
function countName(counter: NameFrequencyCounter, p: PreparedPerson): void {
  const parts = p.name?.parts;
  if (!parts?.given) return;
  counter.total++;
  if (parts.family) counter.family.set(p.familyKey, (counter.family.get(p.familyKey) ?? 0) + 1);
  counter.given.set(parts.given, (counter.given.get(parts.given) ?? 0) + 1);
}

/** A 53-bit hash of a text, never 0 (the halves of `keyHash`): exact in a double, so a typed array holds it. */
export function textHash53(text: string): number {
  const h = keyHashHalves(text, HALVES);
  return h[0]! * 0x200000 + (h[1]! >>> 11) || 1;
}
const HALVES = new Uint32Array(2);

/**
 * Which hashes were seen before (open addressing in a Float64Array, grown as it fills): tells the import whether a
 * file repeats a member id or a BHXH code at all, so the merge can skip the checks that look for repeats. Equal
 * hashes of different texts only make it run a check for nothing.
 */
export class SeenHashes {
  private table = new Float64Array(1 << 16);
  private size = 0;
  repeated = false;

  addAll(hashes: Float64Array): void {
    for (const h of hashes) if (this.add(h)) this.repeated = true;
  }

  /** Adds `h` (not 0); true when it was there already. */
  add(h: number): boolean {
    if (2 * (this.size + 1) > this.table.length) this.grow();
    const mask = this.table.length - 1;
    for (let i = h % this.table.length; ; i = (i + 1) & mask) {
      const v = this.table[i]!;
      if (v === h) return true;
      if (v === 0) {
        this.table[i] = h;
        this.size++;
        return false;
      }
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Float64Array(old.length * 2);
    this.size = 0;
    for (const v of old) if (v !== 0) this.add(v);
  }
}

/** A chunk's result as it crosses threads: the COPY text as UTF-8 bytes (moved, not copied, between threads). */
export type EncodedChunkResult = Omit<ChunkResult, 'copy' | 'householdCopy'> & {
  copy: Uint8Array;
  householdCopy: Uint8Array;
};

/** `processChunk` from bytes to bytes: decoding and encoding happen on the worker, not on the thread doing I/O. */
export function processChunkBytes(
  bytes: Uint8Array,
  firstLine: number,
  keyRows: boolean,
  withLine = true,
): EncodedChunkResult {
  // Buffer#toString, not TextDecoder: a byte-order mark stays in the first line, as it did when the text was decoded
  // while reading.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const r = processChunk(text, firstLine, keyRows, withLine);
  return { ...r, copy: Buffer.from(r.copy, 'utf8'), householdCopy: Buffer.from(r.householdCopy, 'utf8') };
}

export interface ChunkResult {
  /**
   * Staging rows in COPY text format, one per accepted line; without `withLine`, rows of hgd.members
   * (`IMPORT_COLUMNS`).
   */
  copy: string;
  /**
   * With `keyRows`: rows of hgd_match.member_keys (key_hash, member_id) in binary COPY format, without header and
   * trailer (`KeyRowWriter`); else empty.
   */
  keyCopy: Uint8Array;
  /** 53-bit hashes (`textHash53`) of the accepted lines' member ids and of their BHXH codes (when present). */
  idHashes: Float64Array;
  codeHashes: Float64Array;
  /** The line numbers of the accepted lines, in order. */
  lines: Int32Array;
  /**
   * Without `withLine`: for each household code, the first accepted line of the chunk that gives it, as COPY text rows
   * (line, household_code, province_code, ward_code); else ''.
   */
  householdCopy: string;
  accepted: number;
  keys: number;
  rejects: Reject[];
  /** Name counts of the accepted lines (NameFrequencyCounter), as entries for structured cloning. */
  names: { total: number; family: Array<[string, number]>; given: Array<[string, number]> };
}

/**
 * Turns the lines of `text` into staging rows: lines end with `\n` (or `\r\n`, or the end of the text), the first is
 * line number `firstLine`; blank lines are skipped but counted. With `keyRows` the key hashes are not in the staging
 * rows but in `keyCopy`, one key-table row each (a load into an empty key table COPYs them there directly). Without
 * `withLine` (only with `keyRows`) the rows are those of hgd.members, without the line number (a load into empty
 * tables COPYs them there directly; `lines` keeps the numbers).
 */
export function processChunk(text: string, firstLine: number, keyRows = false, withLine = true): ChunkResult {
  const counter = new NameFrequencyCounter();
  const rejects: Reject[] = [];
  const out: string[] = [];
  const keyOut = keyRows ? new KeyRowWriter(Math.max(1024, text.length)) : null;
  const hashes = new KeyHashes();
  const ids: number[] = [];
  const codes: number[] = [];
  const accepted: number[] = [];
  const households = withLine ? null : new Set<string>();
  let householdCopy = '';
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
    // (preparePerson prepares the parents' names only when read; neither the keys nor the name counts read them.)
    const prepared = preparePerson(m);
    hashes.compute(prepared);
    keys += hashes.count;
    countName(counter, prepared);
    ids.push(textHash53(m.memberId));
    if (m.bhxhCode !== null) codes.push(textHash53(m.bhxhCode));
    accepted.push(lineNo);
    let s = withLine ? `${lineNo}\t${memberCopyRow(m)}` : memberCopyRow(m);
    const hh = m.householdCode;
    if (households && hh !== null && !households.has(hh)) {
      households.add(hh);
      householdCopy += `${lineNo}\t${copyText(hh)}\t${copyText(m.provinceCode)}\t${copyText(m.wardCode)}\n`;
    }
    if (keyOut) {
      keyOut.add(hashes, m.memberId);
      s += '\n';
    } else {
      s += '\t{';
      for (let i = 0; i < hashes.count; i++) s += (i === 0 ? '' : ',') + hashes.decimal(i);
      s += '}\n';
    }
    out.push(s);
  }
  return {
    copy: out.join(''),
    keyCopy: keyOut ? keyOut.take() : new Uint8Array(0),
    idHashes: Float64Array.from(ids),
    codeHashes: Float64Array.from(codes),
    lines: Int32Array.from(accepted),
    householdCopy,
    accepted: out.length,
    keys,
    rejects,
    names: { total: counter.total, family: [...counter.family], given: [...counter.given] },
  };
}
