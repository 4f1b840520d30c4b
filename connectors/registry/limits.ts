/**
 * Decoding limits, enforced by walking the Avro body against the writer schema BEFORE avsc decodes it. avsc
 * trusts the counts a body declares: a 131-byte message declaring an array of 1e10 items made it loop for seconds
 * on the event loop, and a string length of 2 GiB makes it try to allocate. The walk reads only counts, lengths
 * and union branches (no values are built), checks each against the limits and against the bytes actually there,
 * and checks that strings are valid UTF-8 (avsc would replace bad bytes silently).
 */
import type avro from 'avsc';
import { PermanentError } from '../../src/domain/errors.js';

export interface DecodeLimits {
  /** Items of one array, summed over its blocks. */
  maxArrayItems: number;
  /** Entries of one map, summed over its blocks. */
  maxMapEntries: number;
  /** Bytes of one string. */
  maxStringBytes: number;
  /** Bytes of one `bytes` or `fixed` value. */
  maxBytesLength: number;
  /**
   * An estimate of the decoded record's size: the bytes of every string and bytes value plus 16 per value
   * (a JS value's overhead), so many small items count too.
   */
  maxDecodedBytes: number;
  /** Nesting of records, arrays, maps and unions. */
  maxDepth: number;
  /** Bytes of the whole Avro body. */
  maxBodyBytes: number;
}

/**
 * Far above what any of our contracts holds (validation allows 100 items, 16 KiB strings), far below what could
 * hurt: the walk of a body within these limits takes well under a millisecond.
 */
export const DEFAULT_DECODE_LIMITS: DecodeLimits = {
  maxArrayItems: 1000,
  maxMapEntries: 1000,
  maxStringBytes: 64 * 1024,
  maxBytesLength: 1024 * 1024,
  maxDecodedBytes: 4 * 1024 * 1024,
  maxDepth: 32,
  maxBodyBytes: 1024 * 1024,
};

const VALUE_OVERHEAD = 16;
const utf8 = new TextDecoder('utf-8', { fatal: true });

class Walk {
  pos = 0;
  decoded = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly limits: DecodeLimits,
  ) {}

  limit(what: string): never {
    throw new PermanentError('LIMIT_EXCEEDED', `Avro body declares ${what}`);
  }

  truncated(): never {
    throw new PermanentError('DECODE_FAILED', `Avro body ends before its values do (at byte ${this.pos})`);
  }

  cost(n: number): void {
    this.decoded += n;
    if (this.decoded > this.limits.maxDecodedBytes)
      this.limit(`more than ${this.limits.maxDecodedBytes} bytes of decoded values`);
  }

  /** A zig-zag varint long, as a JS number (exact up to 2^53, which every limit is far below). */
  long(): number {
    let n = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) this.truncated();
      const b = this.buf[this.pos++]!;
      n += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
      mul *= 128;
    }
    throw new PermanentError('DECODE_FAILED', 'Avro body holds a varint longer than 10 bytes');
  }

  skip(n: number): void {
    if (this.pos + n > this.buf.length) this.truncated();
    this.pos += n;
  }

  length(max: number, what: string): number {
    const n = this.long();
    if (n < 0) throw new PermanentError('DECODE_FAILED', `Avro body declares a negative ${what} length`);
    if (n > max) this.limit(`a ${what} of ${n} bytes (at most ${max})`);
    if (this.pos + n > this.buf.length) this.truncated();
    return n;
  }

  /** Items of one array or map, block by block; calls `item` for each and enforces the total. */
  blocks(max: number, what: string, item: () => void): void {
    let total = 0;
    for (;;) {
      let count = this.long();
      if (count === 0) return;
      if (count < 0) {
        count = -count;
        this.long(); // the block's size in bytes: not trusted, the items are walked anyway
      }
      total += count;
      if (total > max) this.limit(`${what} of more than ${max} items`);
      this.cost(count * VALUE_OVERHEAD);
      for (let i = 0; i < count; i++) item();
    }
  }

  value(type: avro.Type, depth: number): void {
    if (depth > this.limits.maxDepth) this.limit(`values nested more than ${this.limits.maxDepth} deep`);
    const t = type as avro.Type & Record<string, unknown>;
    const name = type.typeName;
    if (name.startsWith('logical:')) return this.value(t.underlyingType as avro.Type, depth);
    this.cost(VALUE_OVERHEAD);
    switch (name) {
      case 'null':
        return;
      case 'boolean':
        return this.skip(1);
      case 'int':
      case 'long':
        this.long();
        return;
      case 'float':
        return this.skip(4);
      case 'double':
        return this.skip(8);
      case 'bytes': {
        const n = this.length(this.limits.maxBytesLength, 'bytes value');
        this.cost(n);
        return this.skip(n);
      }
      case 'string': {
        const n = this.length(this.limits.maxStringBytes, 'string');
        this.cost(n);
        try {
          utf8.decode(this.buf.subarray(this.pos, this.pos + n));
        } catch {
          throw new PermanentError('INVALID_UTF8', `a string at byte ${this.pos} is not valid UTF-8`);
        }
        return this.skip(n);
      }
      case 'fixed': {
        const n = t.size as number;
        if (n > this.limits.maxBytesLength) this.limit(`a fixed value of ${n} bytes`);
        this.cost(n);
        return this.skip(n);
      }
      case 'enum': {
        const i = this.long();
        if (i < 0 || i >= (t.symbols as string[]).length)
          throw new PermanentError('DECODE_FAILED', `Avro body holds enum index ${i} out of range`);
        return;
      }
      case 'record':
      case 'error':
        for (const f of t.fields as avro.types.Field[]) this.value(f.type, depth + 1);
        return;
      case 'array':
        return this.blocks(this.limits.maxArrayItems, 'an array', () =>
          this.value(t.itemsType as avro.Type, depth + 1),
        );
      case 'map':
        return this.blocks(this.limits.maxMapEntries, 'a map', () => {
          const n = this.length(this.limits.maxStringBytes, 'map key');
          this.cost(n);
          this.skip(n);
          this.value(t.valuesType as avro.Type, depth + 1);
        });
      case 'union:unwrapped':
      case 'union:wrapped': {
        const branches = t.types as avro.Type[];
        const i = this.long();
        const branch = branches[i];
        if (i < 0 || !branch)
          throw new PermanentError('DECODE_FAILED', `Avro body holds union branch ${i} out of range`);
        return this.value(branch, depth + 1);
      }
      default:
        throw new PermanentError('SCHEMA_MISMATCH', `writer schema holds an unsupported type ${name}`);
    }
  }
}

/**
 * Checks an Avro body written with `writer` against the limits without decoding it. Throws PermanentError
 * LIMIT_EXCEEDED (too big), INVALID_UTF8, or DECODE_FAILED (truncated, malformed varint, index out of range).
 */
export function checkDecodeLimits(
  writer: avro.Type,
  body: Buffer,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
): void {
  if (body.length > limits.maxBodyBytes)
    throw new PermanentError(
      'LIMIT_EXCEEDED',
      `Avro body of ${body.length} bytes (at most ${limits.maxBodyBytes})`,
    );
  new Walk(body, limits).value(writer, 0);
}
