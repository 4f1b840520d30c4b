/**
 * The registry calls the codec needs: schema by id over @kafkajs/confluent-schema-registry (cached by the
 * library); registering, levels, look-ups and the compatibility route over plain fetch (the library's register
 * insists on one compatibility level for every subject). Errors are classified here, at
 * the edge, into our types: an unknown schema id is the message's fault (permanent); anything that looks like
 * the registry being away is transient.
 */
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type avro from 'avsc';
import { PermanentError, TransientError } from '../../src/domain/errors.js';
import { schemaText, type AvroRecordSchema } from '../../src/contracts/schemas.js';
import { AVRO_OPTIONS } from './logical-types.js';

/** HTTP status of the library's ResponseError (mappersmith); undefined for other errors. */
function statusOf(e: unknown): number | undefined {
  if (typeof e === 'object' && e !== null && 'status' in e && typeof e.status === 'number') return e.status;
  return undefined;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export interface RegistryClientOptions {
  registryUrl: string;
  /** Per-request timeout of the compatibility call, ms. */
  timeoutMs?: number;
}

export class RegistryClient {
  readonly url: string;
  private readonly lib: SchemaRegistry;
  private readonly timeoutMs: number;

  constructor(opts: RegistryClientOptions) {
    this.url = opts.registryUrl.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    // Few, fast retries: the consumer runtime owns retrying with backoff (and keeps the partition paused).
    this.lib = new SchemaRegistry(
      { host: this.url, retry: { retries: 1, initialRetryTimeInSecs: 0.1, maxRetryTimeInSecs: 1 } },
      { [SchemaType.AVRO]: AVRO_OPTIONS as never },
    );
  }

  /**
   * The writer schema of `id` as an avsc Type (with our logical types), cached by the library.
   * 404 → UNKNOWN_SCHEMA; not an Avro record we can parse → SCHEMA_MISMATCH; registry away → TransientError.
   */
  async writerType(id: number): Promise<avro.Type> {
    let schema: unknown;
    try {
      schema = await this.lib.getSchema(id);
    } catch (e) {
      const status = statusOf(e);
      if (status === 404) {
        throw new PermanentError('UNKNOWN_SCHEMA', `schema id ${id} is not known to the registry`, {
          cause: e,
        });
      }
      if (status !== undefined) {
        throw new TransientError(
          `schema registry ${this.url} unavailable fetching schema ${id}: ${messageOf(e)}`,
          {
            cause: e,
          },
        );
      }
      throw new PermanentError(
        'SCHEMA_MISMATCH',
        `schema id ${id} is not a usable Avro schema: ${messageOf(e)}`,
        {
          cause: e,
        },
      );
    }
    const type = schema as Partial<avro.Type>;
    if (typeof type.createResolver !== 'function' || typeof type.fromBuffer !== 'function') {
      throw new PermanentError('SCHEMA_MISMATCH', `schema id ${id} is not an Avro schema`);
    }
    return schema as avro.Type;
  }

  /** One registry call with JSON in and out; a refused connection or a 5xx is a TransientError. */
  private async call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> | null }> {
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new TransientError(`schema registry ${this.url} unreachable: ${messageOf(e)}`, { cause: e });
    }
    const parsed = (await res.json().catch(() => null)) as Record<string, unknown> | null;
    if (res.status >= 500) {
      throw new TransientError(
        `schema registry ${this.url}: HTTP ${res.status} ${String(parsed?.message ?? '')}`,
      );
    }
    return { status: res.status, body: parsed };
  }

  /** The compatibility level set on the subject itself; null when the subject has none (the global one applies). */
  async subjectCompatibility(subject: string): Promise<string | null> {
    const r = await this.call('GET', `/config/${encodeURIComponent(subject)}`);
    if (r.status === 404) return null;
    const level = r.body?.compatibilityLevel ?? r.body?.compatibility;
    if (r.status !== 200 || typeof level !== 'string') {
      throw new TransientError(
        `schema registry ${this.url}: reading the compatibility of ${subject}: HTTP ${r.status}`,
      );
    }
    return level.toUpperCase();
  }

  /** The compatibility level that applies to the subject: its own, else the registry's global one. */
  async effectiveCompatibility(subject: string): Promise<string> {
    const own = await this.subjectCompatibility(subject);
    if (own !== null) return own;
    const r = await this.call('GET', '/config');
    const level = r.body?.compatibilityLevel ?? r.body?.compatibility;
    return typeof level === 'string' ? level.toUpperCase() : 'BACKWARD';
  }

  /** Sets the subject's compatibility level. */
  async setCompatibility(subject: string, level: string): Promise<void> {
    const r = await this.call('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: level });
    if (r.status !== 200) {
      throw new PermanentError(
        'SCHEMA_MISMATCH',
        `setting ${level} on ${subject} failed: HTTP ${r.status} ${String(r.body?.message ?? '')}`,
      );
    }
  }

  /**
   * Registers a schema version under `subject` (no change of compatibility level). A schema the subject's
   * level refuses → PermanentError('SCHEMA_MISMATCH') carrying the registry's message.
   */
  async registerVersion(subject: string, schema: AvroRecordSchema): Promise<number> {
    const r = await this.call('POST', `/subjects/${encodeURIComponent(subject)}/versions`, {
      schema: schemaText(schema),
    });
    if (r.status === 200 && typeof r.body?.id === 'number') return r.body.id;
    throw new PermanentError(
      'SCHEMA_MISMATCH',
      `registering ${subject} refused: HTTP ${r.status} ${String(r.body?.message ?? '')}`.trim(),
    );
  }

  /** The id of `schema` if it is already registered under `subject` (registers nothing); null otherwise. */
  async lookup(subject: string, schema: AvroRecordSchema): Promise<number | null> {
    const r = await this.call('POST', `/subjects/${encodeURIComponent(subject)}`, {
      schema: schemaText(schema),
    });
    if (r.status === 200 && typeof r.body?.id === 'number') return r.body.id;
    if (r.status === 404) return null;
    throw new TransientError(`schema registry ${this.url}: looking up ${subject}: HTTP ${r.status}`);
  }

  /** The latest version registered under `subject` (its schema as JSON); null when there is none. */
  async latest(subject: string): Promise<{ id: number; version: number; schema: unknown } | null> {
    const r = await this.call('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`);
    if (r.status === 404) return null;
    if (r.status !== 200 || typeof r.body?.schema !== 'string') {
      throw new TransientError(`schema registry ${this.url}: latest of ${subject}: HTTP ${r.status}`);
    }
    return { id: Number(r.body.id), version: Number(r.body.version), schema: JSON.parse(r.body.schema) };
  }

  /**
   * Asks whether `schema` may be registered as the next version of `subject`. A subject with nothing
   * registered is compatible (Confluent answers 404, AxonOps answers is_compatible: true).
   */
  async checkCompatibility(
    subject: string,
    schema: AvroRecordSchema,
  ): Promise<{ compatible: boolean; messages: string[] }> {
    const url = `${this.url}/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest?verbose=true`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
        body: JSON.stringify({ schema: schemaText(schema) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new TransientError(`schema registry ${this.url} unreachable: ${messageOf(e)}`, { cause: e });
    }
    const body = (await res.json().catch(() => null)) as {
      is_compatible?: boolean;
      messages?: unknown;
      error_code?: number;
      message?: string;
    } | null;
    if (res.status === 404) return { compatible: true, messages: [] };
    if (res.status === 422 || res.status === 409) {
      return { compatible: false, messages: [body?.message ?? `HTTP ${res.status}`] };
    }
    if (!res.ok || typeof body?.is_compatible !== 'boolean') {
      throw new TransientError(
        `schema registry ${this.url}: HTTP ${res.status} ${body?.message ?? ''}`.trim(),
      );
    }
    const messages = Array.isArray(body.messages) ? body.messages.map(String) : [];
    return { compatible: body.is_compatible, messages };
  }
}
