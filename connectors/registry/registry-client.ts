/**
 * The registry calls the codec needs, over @kafkajs/confluent-schema-registry (register, schema by id, both
 * cached by the library) plus the compatibility route it lacks (plain fetch). Errors are classified here, at
 * the edge, into our types: an unknown schema id is the message's fault (permanent); anything that looks like
 * the registry being away is transient.
 */
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
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

/**
 * The library reports a refused connection or timeout as a ResponseError with status 400 (mappersmith's
 * placeholder), indistinguishable by status from a real 400; the registry itself answers bad schemas with
 * 409/422, so 400 is treated as unavailability here.
 */
function isUnavailable(status: number | undefined): boolean {
  return (
    status === undefined ||
    status === 400 ||
    status === 401 ||
    status === 403 ||
    status === 408 ||
    status === 429 ||
    status >= 500
  );
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
   * Registers `schema` under `subject` (BACKWARD set on the subject at first registration) and returns its id.
   * Incompatible or invalid schema → PermanentError('SCHEMA_MISMATCH'); registry away → TransientError.
   */
  async register(subject: string, schema: AvroRecordSchema): Promise<number> {
    try {
      const { id } = await this.lib.register(
        { type: SchemaType.AVRO, schema: schemaText(schema) },
        { subject, compatibility: COMPATIBILITY.BACKWARD },
      );
      return id;
    } catch (e) {
      const status = statusOf(e);
      if (status !== undefined && isUnavailable(status)) {
        throw new TransientError(
          `schema registry ${this.url} unavailable registering ${subject}: ${messageOf(e)}`,
          {
            cause: e,
          },
        );
      }
      throw new PermanentError('SCHEMA_MISMATCH', `registering ${subject} failed: ${messageOf(e)}`, {
        cause: e,
      });
    }
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
