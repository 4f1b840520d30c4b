/**
 * The registry calls the codec and `schemas` need: the writer schema by id over @kafkajs/confluent-schema-registry
 * (cached by the library); levels, registration, look-ups and the compatibility route as plain JSON requests with
 * the client's TLS, basic auth and timeout. Errors are classified here, at the edge, into our types: an unknown
 * schema id is the message's fault (permanent); anything that looks like the registry being away is transient.
 */
import { request as httpRequest, Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type avro from 'avsc';
import { redactUrl } from '../../src/runtime/redact.js';
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

/** TLS towards the registry: CA bundle, client certificate, server-name check (PEM text, not paths). */
export interface RegistryTls {
  ca?: string;
  cert?: string;
  key?: string;
  /** The name the server certificate must carry, when it differs from the URL's host. */
  servername?: string;
}

export interface RegistryClientOptions {
  registryUrl: string;
  /** Timeout of every registry call, ms (a silent registry must not stall a decode). */
  timeoutMs?: number;
  /** HTTP basic auth; also taken from user:password in the URL (which is then stripped from it). */
  basicAuth?: { username: string; password: string } | null;
  tls?: RegistryTls | null;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TransientError(`${what()}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export class RegistryClient {
  /** The registry's URL without credentials: safe for messages. */
  readonly url: string;
  private readonly lib: SchemaRegistry;
  private readonly timeoutMs: number;
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly authHeader: string | undefined;

  constructor(opts: RegistryClientOptions) {
    const u = new URL(opts.registryUrl.replace(/\/+$/, ''));
    const auth =
      opts.basicAuth ??
      (u.username
        ? { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) }
        : null);
    u.username = '';
    u.password = '';
    this.url = redactUrl(u.toString()).replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    const tls = opts.tls ?? {};
    this.agent =
      u.protocol === 'https:'
        ? new HttpsAgent({
            keepAlive: true,
            ca: tls.ca,
            cert: tls.cert,
            key: tls.key,
            ...(tls.servername ? { servername: tls.servername } : {}),
            rejectUnauthorized: true,
          })
        : new HttpAgent({ keepAlive: true });
    this.authHeader = auth
      ? `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`
      : undefined;
    // Few, fast retries: the consumer runtime owns retrying with backoff (and keeps the partition paused).
    this.lib = new SchemaRegistry(
      {
        host: this.url,
        retry: { retries: 1, initialRetryTimeInSecs: 0.1, maxRetryTimeInSecs: 1 },
        agent: this.agent as HttpAgent,
        ...(auth ? { auth } : {}),
      },
      { [SchemaType.AVRO]: AVRO_OPTIONS as never },
    );
  }

  /** GET /subjects answered 200 (readiness). */
  async ping(): Promise<void> {
    const r = await this.http('GET', '/subjects');
    if (r.status !== 200) throw new TransientError(`schema registry ${this.url}: HTTP ${r.status}`);
  }

  /** Releases pooled connections. */
  close(): void {
    this.agent.destroy();
  }

  /** One JSON request with the client's TLS, auth and timeout. */
  private http(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown }> {
    const url = new URL(this.url + path);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = send(
        url,
        {
          method,
          agent: this.agent,
          timeout: this.timeoutMs,
          headers: {
            Accept: 'application/vnd.schemaregistry.v1+json, application/json',
            ...(payload ? { 'Content-Type': 'application/vnd.schemaregistry.v1+json' } : {}),
            ...(this.authHeader ? { Authorization: this.authHeader } : {}),
          },
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            // A registry answer is small; a huge one is not a registry.
            if (size > 4 * 1024 * 1024) req.destroy(new Error('answer larger than 4 MiB'));
            else chunks.push(c);
          });
          res.on('end', () => {
            let json: unknown = null;
            try {
              json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            } catch {
              json = null;
            }
            resolve({ status: res.statusCode ?? 0, json });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (e) =>
        reject(new TransientError(`schema registry ${this.url} unreachable: ${messageOf(e)}`, { cause: e })),
      );
      req.end(payload);
    });
  }

  /**
   * The subjects under which schema `id` is registered (GET /schemas/ids/:id/versions). 404 → UNKNOWN_SCHEMA.
   */
  async subjectsOf(id: number): Promise<string[]> {
    const r = await this.http('GET', `/schemas/ids/${id}/versions`);
    if (r.status === 404)
      throw new PermanentError('UNKNOWN_SCHEMA', `schema id ${id} is not known to the registry`);
    if (r.status !== 200 || !Array.isArray(r.json))
      throw new TransientError(
        `schema registry ${this.url}: HTTP ${r.status} listing subjects of schema ${id}`,
      );
    return (r.json as Array<{ subject?: unknown }>)
      .map((v) => v.subject)
      .filter((v): v is string => typeof v === 'string');
  }

  /**
   * The writer schema of `id` as an avsc Type (with our logical types), cached by the library.
   * 404 → UNKNOWN_SCHEMA; not an Avro record we can parse → SCHEMA_MISMATCH; registry away → TransientError.
   */
  async writerType(id: number): Promise<avro.Type> {
    let schema: unknown;
    try {
      schema = await withTimeout(
        this.lib.getSchema(id),
        this.timeoutMs,
        () => `schema registry ${this.url} fetching schema ${id}`,
      );
    } catch (e) {
      if (e instanceof TransientError) throw e;
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

  /** One registry call with JSON in and out; a refused connection, a timeout or a 5xx is a TransientError. */
  private async call(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> | null }> {
    const r = await this.http(method, path, body);
    const parsed = (r.json && typeof r.json === 'object' ? r.json : null) as Record<string, unknown> | null;
    if (r.status >= 500) {
      throw new TransientError(
        `schema registry ${this.url}: HTTP ${r.status} ${String(parsed?.message ?? '')}`,
      );
    }
    return { status: r.status, body: parsed };
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
    if (isUnavailable(r.status)) {
      throw new TransientError(`schema registry ${this.url}: registering ${subject}: HTTP ${r.status}`);
    }
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
    const res = await this.http(
      'POST',
      `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest?verbose=true`,
      { schema: schemaText(schema) },
    );
    const body = res.json as {
      is_compatible?: boolean;
      messages?: unknown;
      error_code?: number;
      message?: string;
    } | null;
    if (res.status === 404) return { compatible: true, messages: [] };
    if (res.status === 422 || res.status === 409) {
      return { compatible: false, messages: [body?.message ?? `HTTP ${res.status}`] };
    }
    if (res.status !== 200 || typeof body?.is_compatible !== 'boolean') {
      throw new TransientError(
        `schema registry ${this.url}: HTTP ${res.status} ${body?.message ?? ''}`.trim(),
      );
    }
    const messages = Array.isArray(body.messages) ? body.messages.map(String) : [];
    return { compatible: body.is_compatible, messages };
  }
}
