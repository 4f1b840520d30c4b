/**
 * The Avro codec of every topic: encode with the id registered under `<topic>-value` (Confluent wire format),
 * decode whatever writer version the registry knows into OUR reader schema (so old writers still decode),
 * then validate meaning (src/domain/validation). Every failure is typed: bad input → PermanentError with a
 * code (DECODE_FAILED | UNKNOWN_SCHEMA | SCHEMA_MISMATCH | VALIDATION_FAILED), registry trouble → TransientError.
 */
import type avro from 'avsc';
import type { SchemaName } from '../../src/contracts/generated.js';
import { loadSchemas, type AvroRecordSchema } from '../../src/contracts/schemas.js';
import { PermanentError } from '../../src/domain/errors.js';
import { problemCode, validateRecordProblems } from '../../src/domain/validation.js';
import { isInput, valueSubject, type TopicBinding } from './bindings.js';
import { checkBindings, registerOutputs, registerOwned } from './compatibility.js';
import { BoundedCache } from './bounded-cache.js';
import { checkDecodeLimits, DEFAULT_DECODE_LIMITS, type DecodeLimits } from './limits.js';
import { avroType } from './logical-types.js';
import { RegistryClient, type RegistryClientOptions } from './registry-client.js';
import { parseWire, toWire } from './wire.js';

export type { TopicBinding } from './bindings.js';

interface Bound {
  topic: string;
  schema: SchemaName;
  reader: avro.Type;
  input: boolean;
  /** The id our schema has under this topic's subject, once registered (ours) or looked up (upstream's). */
  id: number | null;
}

/** Our reader types, built once per process from schemas/. */
let readers: Map<SchemaName, { raw: AvroRecordSchema; type: avro.Type }> | null = null;
function readerOf(name: SchemaName): { raw: AvroRecordSchema; type: avro.Type } {
  if (!readers) {
    readers = new Map();
    for (const [n, raw] of Object.entries(loadSchemas()) as [SchemaName, AvroRecordSchema][]) {
      readers.set(n, { raw, type: avroType(raw) });
    }
  }
  const r = readers.get(name);
  if (!r) throw new Error(`no schema named ${name}`);
  return r;
}

/** avsc's path-reporting validity check: the paths that fail, empty when valid. */
export function invalidPaths(type: avro.Type, record: unknown): string[] {
  const paths: string[] = [];
  type.isValid(record, { errorHook: (path: string[]) => paths.push(path.join('.') || '(record)') });
  return paths;
}

/** A writer schema accepted for a topic: its type (walked for limits) and the resolver to our reader. */
interface Writer {
  type: avro.Type;
  /** null = writer equals reader, read directly. */
  resolver: avro.Resolver | null;
}

export interface CodecOptions {
  registryUrl: string;
  bindings: TopicBinding[];
  /** TLS, basic auth and timeout towards the registry. */
  registry?: Omit<RegistryClientOptions, 'registryUrl'>;
  limits?: DecodeLimits;
  /** Writer schemas cached per (topic, id): at most `maxEntries`; refusals forgotten after `refusalTtlMs`. */
  schemaCache?: { maxEntries?: number; refusalTtlMs?: number; ttlMs?: number };
}

export class AvroCodec {
  private readonly client: RegistryClient;
  private readonly bound = new Map<string, Bound>();
  private readonly limits: DecodeLimits;
  /** Writers by `<topic>/<writer id>`: a promise, so concurrent decodes share one registry round trip. */
  private readonly writers: BoundedCache<string, Promise<Writer>>;
  private readonly refusalTtlMs: number;
  private readonly ttlMs: number;

  constructor(opts: CodecOptions) {
    this.client = new RegistryClient({ registryUrl: opts.registryUrl, ...opts.registry });
    this.limits = opts.limits ?? DEFAULT_DECODE_LIMITS;
    this.writers = new BoundedCache(opts.schemaCache?.maxEntries ?? 256);
    this.refusalTtlMs = opts.schemaCache?.refusalTtlMs ?? 60_000;
    // A registered schema never changes under its id; the TTL only bounds how long a deleted one is honoured.
    this.ttlMs = opts.schemaCache?.ttlMs ?? 3_600_000;
    for (const b of opts.bindings) {
      this.bound.set(b.topic, {
        topic: b.topic,
        schema: b.schema,
        reader: readerOf(b.schema).type,
        input: isInput(b),
        id: null,
      });
    }
  }

  /**
   * Registers the schemas of the topics we WRITE under `<topic>-value` (BACKWARD_TRANSITIVE when the subject has
   * no level yet) and caches their ids. Input subjects belong to upstream and are not touched: decoding needs
   * only the writer's id in each message. Registry unreachable → TransientError.
   */
  async init(): Promise<void> {
    for (const b of this.bound.values()) {
      if (!b.input) b.id = await this.idOf(b);
    }
  }

  /** Ours: registered (idempotent). Upstream's: looked up only; it must have been registered by its producer. */
  private async idOf(b: Bound): Promise<number> {
    const subject = valueSubject(b.topic);
    const raw = readerOf(b.schema).raw;
    if (!b.input) return registerOwned(this.client, subject, raw, 'if-unset');
    const id = await this.client.lookup(subject, raw);
    if (id === null) {
      throw new PermanentError(
        'UNKNOWN_SCHEMA',
        `${b.schema} is not registered under ${subject}: the subject belongs to its producer, which registers it`,
      );
    }
    return id;
  }

  private binding(topic: string): Bound {
    const b = this.bound.get(topic);
    if (!b) throw new Error(`no schema bound to topic ${topic}`);
    return b;
  }

  /** The schema bound to a topic. */
  schemaOf(topic: string): SchemaName {
    return this.binding(topic).schema;
  }

  /**
   * Avro-encodes `record` with our schema's registered id; a record that does not fit the schema is refused.
   * On an input topic (tests, demo and benchmarks standing in for the producer) the id is looked up, never
   * registered.
   */
  async encode<T>(topic: string, record: T): Promise<Buffer> {
    const b = this.binding(topic);
    if (b.id === null) b.id = await this.idOf(b);
    const bad = invalidPaths(b.reader, record);
    if (bad.length > 0) {
      throw new PermanentError(
        'VALIDATION_FAILED',
        `${b.schema} for ${topic} does not fit its schema: ${bad.join(', ')}`,
        {
          details: bad.map((p) => `${p}: wrong type or missing`),
        },
      );
    }
    return toWire(b.id, b.reader.toBuffer(record));
  }

  /** The registry answers (readiness). */
  ping(): Promise<void> {
    return this.client.ping();
  }

  /** Releases the registry client's pooled connections. */
  close(): void {
    this.client.close();
  }

  /**
   * Decodes a message value of `topic` into our reader schema, then validates it semantically. Before avsc
   * sees the body: the writer schema must be registered under the topic's own subject, and the body must keep
   * within the decoding limits (connectors/registry/limits.ts).
   */
  async decode<T>(topic: string, value: Buffer | null): Promise<T> {
    const b = this.binding(topic);
    const { schemaId, body } = parseWire(value);
    const { type: writer, resolver } = await this.writerFor(schemaId, b);
    checkDecodeLimits(writer, body, this.limits);
    let record: unknown;
    try {
      record = resolver ? b.reader.fromBuffer(body, resolver, false) : b.reader.fromBuffer(body);
    } catch (e) {
      throw new PermanentError(
        'DECODE_FAILED',
        `${topic}: Avro body (${body.length} bytes, schema id ${schemaId}) does not decode: ${(e as Error).message}`,
        { cause: e },
      );
    }
    const problems = validateRecordProblems(b.schema, record);
    if (problems.length > 0) {
      const details = problems.map((i) => `${i.path}: ${i.message}`);
      throw new PermanentError(
        problemCode(problems),
        `${b.schema} on ${topic} is invalid: ${details.join('; ')}`,
        {
          details,
        },
      );
    }
    return record as T;
  }

  private writerFor(id: number, b: Bound): Promise<Writer> {
    const key = `${b.topic}/${id}`;
    let w = this.writers.get(key);
    if (!w) {
      w = this.loadWriter(id, b);
      this.writers.set(key, w, this.ttlMs);
      // Refusals (unknown id, foreign subject, mismatch) are kept for a while, transient failures not at all.
      w.catch((e: unknown) => {
        if (e instanceof PermanentError) this.writers.set(key, w!, this.refusalTtlMs);
        else this.writers.delete(key);
      });
    }
    return w;
  }

  private async loadWriter(id: number, b: Bound): Promise<Writer> {
    const subject = valueSubject(b.topic);
    // Our own registered id needs no look-up; any other must be a version of this topic's subject, so a schema
    // registered elsewhere (by anyone: the registry may not authenticate) cannot be used to write here.
    if (id !== b.id) {
      const subjects = await this.client.subjectsOf(id);
      if (!subjects.includes(subject)) {
        throw new PermanentError('FOREIGN_SCHEMA', `schema id ${id} is not registered under ${subject}`);
      }
    }
    const writer = await this.client.writerType(id);
    if (writer.equals(b.reader)) return { type: writer, resolver: null };
    try {
      return { type: writer, resolver: b.reader.createResolver(writer) };
    } catch (e) {
      throw new PermanentError(
        'SCHEMA_MISMATCH',
        `writer schema ${id} (${writer.name ?? writer.typeName}) cannot be read as ${b.schema}: ${(e as Error).message}`,
        { cause: e },
      );
    }
  }
}

/** `schemas register`: the subjects we own (outputs and dead letters), BACKWARD_TRANSITIVE; never input subjects. */
export const registerAll = registerOutputs;

/**
 * `schemas check`: output subjects by the registry's check of our working-tree schema; input subjects by reading
 * upstream's latest schema with our reader (field by field). Both check the subject's compatibility level.
 */
export const checkAll = checkBindings;
