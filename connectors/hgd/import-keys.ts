import { gGenders, UNKNOWN_YEAR } from '../../src/matching/blocking.js';
import type { PreparedPerson } from '../../src/matching/prepare.js';

/**
 * The search-key hashes of a member for `hgd import`, computed without building the key texts: the same values as
 * `keyHash(k)` for every `k` of `memberBlockingKeys(p)` (src/matching), distinct, in the same order. The import
 * hashes about twelve keys per member, a million members a minute; building each key text (a template string per
 * key, one per one-character deletion of the given name), putting them in a Set and turning each 64-bit hash into a
 * decimal string through BigInt was most of a worker's time. Here the hash runs over the pieces of each key as
 * `keyHashHalves` runs over its text (FNV-style, one character at a time, so a shared prefix is hashed once), and
 * the result stays as two 32-bit halves, written as binary COPY rows.
 *
 * `memberBlockingKeys` stays the definition: a unit test compares this with it over generated members and odd
 * cases (no province, no date, year-only dates, one-token and short names, ID numbers). A change to the keys there
 * must be made here too, or that test fails.
 */

/** Hash state of the text fed so far (the two halves of `keyHashHalves` before its final mixing). */
let s1 = 0;
let s2 = 0;

function begin(): void {
  s1 = 0x811c9dc5;
  s2 = 0x9747b28c;
}

function feed(text: string, from = 0, to = text.length): void {
  let a = s1;
  let b = s2;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  s1 = a;
  s2 = b;
}

/**
 * Distinct key hashes of one member as 32-bit halves (high in `hi`, low in `lo`; the 64-bit value is the signed
 * bigint `keyHash` writes in decimal). Reused between members: read `count` entries before the next call.
 */
export class KeyHashes {
  hi = new Uint32Array(64);
  lo = new Uint32Array(64);
  count = 0;

  /** Ends the key fed since `begin()`: final mixing of the high half, then kept unless already there. */
  private end(): void {
    let a = s1;
    a ^= a >>> 13;
    a = Math.imul(a, 0xc2b2ae35);
    a ^= a >>> 16;
    const hi = a >>> 0;
    const lo = s2 >>> 0;
    for (let i = 0; i < this.count; i++) if (this.lo[i] === lo && this.hi[i] === hi) return;
    if (this.count === this.hi.length) {
      const grow = (x: Uint32Array) => {
        const y = new Uint32Array(x.length * 2);
        y.set(x);
        return y;
      };
      this.hi = grow(this.hi);
      this.lo = grow(this.lo);
    }
    this.hi[this.count] = hi;
    this.lo[this.count] = lo;
    this.count++;
  }

  /** Ends one key per gender: the text fed so far followed by the gender's letter. */
  private endGenders(genders: readonly string[]): void {
    const t1 = s1;
    const t2 = s2;
    for (const g of genders) {
      s1 = t1;
      s2 = t2;
      feed(g);
      this.end();
    }
  }

  /** The hashes of `memberBlockingKeys(p)`, in its order (see that function for what each key is). */
  compute(p: PreparedPerson): this {
    this.count = 0;
    const parts = p.name?.parts;
    const year = p.dob ? String(p.dob.year) : UNKNOWN_YEAR;
    if (parts && parts.given) {
      const given = parts.given;
      const family = p.familyKey;
      const middle = parts.middle.join(' ');
      const province = p.province;
      if (province) {
        // g:<given or a one-character deletion of it>|<year>|<province>|<gender> (both genders when unknown)
        const genders = gGenders(p.gender);
        const tail = `|${year}|${province}|`;
        begin();
        feed('g:');
        const p1 = s1;
        const p2 = s2;
        feed(given);
        feed(tail);
        this.endGenders(genders);
        if (given.length >= 3) {
          let q1 = p1;
          let q2 = p2;
          for (let i = 0; i < given.length; i++) {
            s1 = q1;
            s2 = q2;
            feed(given, i + 1);
            feed(tail);
            this.endGenders(genders);
            s1 = q1;
            s2 = q2;
            feed(given, i, i + 1);
            q1 = s1;
            q2 = s2;
          }
        }
        begin();
        feed('p:');
        feed(family);
        feed('|');
        feed(given);
        feed('|');
        feed(province);
        this.end();
      }
      begin();
      feed('n:');
      feed(family);
      feed('|');
      feed(middle);
      feed('|');
      feed(given);
      feed('|');
      feed(year);
      this.end();
      begin();
      feed('f:');
      feed(family);
      feed('|');
      feed(given);
      feed('|');
      feed(year);
      this.end();
      begin();
      feed('m:');
      feed(middle);
      feed('|');
      feed(given);
      feed('|');
      feed(year);
      this.end();
    }
    const d = p.dob;
    if (d && d.precision === 'day' && d.month !== null && d.day !== null) {
      const date = `${d.year}-${d.month}-${d.day}`;
      const ward = p.ward;
      if (ward) {
        begin();
        feed('w:');
        feed(date);
        feed('|');
        feed(ward);
        this.end();
      }
      const given = parts?.given;
      if (given) {
        if (p.familyKey) {
          begin();
          feed('d:');
          feed(p.familyKey);
          feed('|');
          feed(date);
          this.end();
        }
        begin();
        feed('e:');
        feed(given);
        feed('|');
        feed(date);
        this.end();
      }
    }
    const id = p.idNumber;
    if (id) {
      begin();
      feed('i:');
      feed(id);
      this.end();
    }
    return this;
  }

  /** Entry `i` as `keyHash` writes it: the signed 64-bit value in decimal. */
  decimal(i: number): string {
    return BigInt.asIntN(64, (BigInt(this.hi[i]!) << 32n) | BigInt(this.lo[i]!)).toString();
  }
}

/** The signature, flags and header extension of PostgreSQL's binary COPY format. */
export const BINARY_COPY_HEADER = Uint8Array.from([
  0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
]);
/** The end of a binary COPY: a tuple with field count -1. */
export const BINARY_COPY_TRAILER = Uint8Array.from([0xff, 0xff]);

/**
 * Rows of hgd_match.member_keys (key_hash bigint, member_id text) in PostgreSQL's binary COPY format, without the
 * header and trailer (`BINARY_COPY_HEADER`/`_TRAILER` go around each COPY statement's data). PostgreSQL reads these
 * about a third cheaper than text rows (no decimal parsing of the hash, no scan for escapes), and writing them costs
 * Node no number-to-text conversion.
 */
export class KeyRowWriter {
  private buf: Uint8Array;
  private pos = 0;
  private readonly idBytes = new Uint8Array(256);

  constructor(initialBytes = 1 << 20) {
    this.buf = new Uint8Array(initialBytes);
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** One row per hash of `keys`, all for `memberId`. */
  add(keys: KeyHashes, memberId: string): void {
    let id: Uint8Array = this.idBytes;
    let idLen = 0;
    let ascii = memberId.length <= id.length;
    if (ascii) {
      for (let i = 0; i < memberId.length; i++) {
        const c = memberId.charCodeAt(i);
        if (c >= 0x80) {
          ascii = false;
          break;
        }
        id[i] = c;
      }
      idLen = memberId.length;
    }
    if (!ascii) {
      id = Buffer.from(memberId, 'utf8');
      idLen = id.length;
    }
    const n = keys.count;
    const rowBytes = 2 + 4 + 8 + 4 + idLen;
    this.room(n * rowBytes);
    const b = this.buf;
    let p = this.pos;
    for (let k = 0; k < n; k++) {
      const hi = keys.hi[k]!;
      const lo = keys.lo[k]!;
      b[p] = 0;
      b[p + 1] = 2; // fields
      b[p + 2] = 0;
      b[p + 3] = 0;
      b[p + 4] = 0;
      b[p + 5] = 8; // bigint: 8 bytes, big-endian
      b[p + 6] = hi >>> 24;
      b[p + 7] = (hi >>> 16) & 0xff;
      b[p + 8] = (hi >>> 8) & 0xff;
      b[p + 9] = hi & 0xff;
      b[p + 10] = lo >>> 24;
      b[p + 11] = (lo >>> 16) & 0xff;
      b[p + 12] = (lo >>> 8) & 0xff;
      b[p + 13] = lo & 0xff;
      b[p + 14] = idLen >>> 24;
      b[p + 15] = (idLen >>> 16) & 0xff;
      b[p + 16] = (idLen >>> 8) & 0xff;
      b[p + 17] = idLen & 0xff;
      p += 18;
      for (let i = 0; i < idLen; i++) b[p + i] = id[i]!;
      p += idLen;
    }
    this.pos = p;
  }

  /** The rows written, in an ArrayBuffer of their own (so they can move to another thread). */
  take(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}
