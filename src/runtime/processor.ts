import { PermanentError, TransientError, isPermanent } from '../domain/errors.js';
import { deterministicUuid } from '../domain/ids.js';
import type { Decision, Effect } from './effects.js';
import type { RuntimeEvents } from './events.js';
import type { Logger } from './logger.js';

/** A Kafka record as the runtime sees it (no kafkajs types here). */
export interface InboundMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | string | undefined>;
}

export interface Decoder {
  decode<T>(topic: string, value: Buffer | null): Promise<T>;
}

/** The transactional store (inbox + effects + outbox): one PostgreSQL transaction per event. */
export interface EventStore {
  isProcessed(eventId: string): Promise<boolean>;
  /** Inbox row + effects + outbox rows in one transaction. 'duplicate' when the inbox already had it. */
  commit(input: {
    eventId: string;
    message: InboundMessage;
    outcome: string;
    effects: Effect[];
    traceparent?: string | undefined;
  }): Promise<{ status: 'committed' | 'duplicate'; outcome: string }>;
}

export interface FlowHandler<E = unknown> {
  /** Flow name for metrics and logs. */
  name: string;
  decide(event: E, message: InboundMessage): Promise<Decision>;
}

export interface ProcessorDeps {
  groupId: string;
  decoder: Decoder;
  store: EventStore;
  handlers: Map<string, FlowHandler<never>>;
  /** Tells infrastructure failures (retry forever) from unexpected ones (bounded retries, then DLQ). */
  isTransient: (e: unknown) => boolean;
  logger: Logger;
  events: RuntimeEvents;
  /** Attempts for an unexpected (unclassified) error before the message is dead-lettered. */
  maxUnexpectedAttempts?: number;
  backoff?: { initialMs: number; maxMs: number };
  dlqTopicOf?: (topic: string) => string;
}

export type ProcessOutcome = { status: 'processed' | 'duplicate' | 'dead-lettered'; outcome: string };

/**
 * Decode → validate → flow → one transaction. Poison input goes to `<topic>.dlq` at once; transient
 * failures are retried with jittered exponential backoff and never skipped; an unexpected error is retried
 * a few times (it may be transient in disguise) and then dead-lettered, so one message never stops the
 * consumer and nothing is lost (the dead letter keeps the original bytes for `dlq replay`).
 */
export class MessageProcessor {
  private readonly maxUnexpected: number;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly dlqTopicOf: (topic: string) => string;

  constructor(private readonly deps: ProcessorDeps) {
    this.maxUnexpected = deps.maxUnexpectedAttempts ?? 5;
    this.backoff = deps.backoff ?? { initialMs: 200, maxMs: 30_000 };
    this.dlqTopicOf = deps.dlqTopicOf ?? ((t) => `${t}.dlq`);
  }

  /** Processes one message, retrying as needed; returns only when the message is durably handled. */
  async processWithRetry(
    msg: InboundMessage,
    hooks: { shouldStop: () => boolean; heartbeat: () => Promise<void> } = {
      shouldStop: () => false,
      heartbeat: async () => undefined,
    },
  ): Promise<ProcessOutcome | 'stopped'> {
    let unexpected = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.process(msg);
      } catch (caught) {
        let e = caught;
        // A permanent error from any step (not only decode and decide) cannot heal by retrying; if writing
        // the dead letter fails (database down), that failure is retried like any other.
        if (isPermanent(e)) {
          try {
            return await this.deadLetter(msg, e, e.code, attempt);
          } catch (dlqErr) {
            e = dlqErr;
          }
        }
        const err = e instanceof Error ? e : new Error(String(e));
        const transient = e instanceof TransientError || this.deps.isTransient(e);
        if (!transient) unexpected++;
        this.deps.events.emit('message.retry', {
          topic: msg.topic,
          partition: msg.partition,
          attempt,
          errorClass: err.name,
        });
        const fields = {
          topic: msg.topic,
          partition: msg.partition,
          offset: msg.offset,
          attempt,
          errorClass: err.name,
        };
        if (!transient && unexpected >= this.maxUnexpected) {
          this.deps.logger.error(
            { ...fields, err: safeError(err) },
            'unexpected error persists: dead-lettering',
          );
          try {
            return await this.deadLetter(msg, err, 'UNEXPECTED', attempt);
          } catch (dlqErr) {
            this.deps.logger.warn({ ...fields, err: safeError(dlqErr) }, 'dead-lettering failed; retrying');
          }
        } else {
          this.deps.logger.warn(
            { ...fields, err: safeError(err), transient },
            'processing failed; will retry',
          );
        }
        const delay = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** Math.min(attempt - 1, 16));
        const jittered = delay / 2 + Math.random() * (delay / 2);
        const until = Date.now() + jittered;
        while (Date.now() < until) {
          if (hooks.shouldStop()) return 'stopped';
          await hooks.heartbeat().catch(() => undefined);
          await sleep(Math.min(1000, until - Date.now()));
        }
        if (hooks.shouldStop()) return 'stopped';
      }
    }
  }

  /** One attempt. Throws on any failure; `processWithRetry` dead-letters permanent errors and retries the rest. */
  async process(msg: InboundMessage): Promise<ProcessOutcome> {
    const started = process.hrtime.bigint();
    const handler = this.deps.handlers.get(msg.topic);
    if (!handler) throw new PermanentError('INVALID_REQUEST', `no flow handles topic ${msg.topic}`);
    const event = await this.deps.decoder.decode<{ eventId: string }>(msg.topic, msg.value);
    if (await this.deps.store.isProcessed(event.eventId)) {
      this.deps.events.emit('message.duplicate', { topic: msg.topic });
      return { status: 'duplicate', outcome: 'duplicate' };
    }
    const decision: Decision = await handler.decide(event as never, msg);
    const result = await this.deps.store.commit({
      eventId: event.eventId,
      message: msg,
      outcome: decision.outcome,
      effects: decision.effects,
      traceparent: headerString(msg.headers.traceparent),
    });
    if (result.status === 'duplicate') {
      this.deps.events.emit('message.duplicate', { topic: msg.topic });
      return { status: 'duplicate', outcome: 'duplicate' };
    }
    const durationSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.deps.events.emit('message.processed', {
      topic: msg.topic,
      outcome: result.outcome,
      durationSeconds,
      flow: handler.name,
    });
    this.deps.logger.debug(
      {
        topic: msg.topic,
        partition: msg.partition,
        offset: msg.offset,
        eventId: event.eventId,
        outcome: result.outcome,
      },
      'processed',
    );
    return { status: 'processed', outcome: result.outcome };
  }

  /** The DeadLetter record goes through the outbox, in one transaction with an inbox row for the offset. */
  async deadLetter(msg: InboundMessage, err: Error, code: string, attempts: number): Promise<ProcessOutcome> {
    const dlqTopic = this.dlqTopicOf(msg.topic);
    const id = deterministicUuid('dead-letter', msg.topic, String(msg.partition), msg.offset);
    const record = {
      eventId: id,
      occurredAt: new Date(),
      sourceTopic: msg.topic,
      sourcePartition: msg.partition,
      sourceOffset: Number(msg.offset),
      consumerGroup: this.deps.groupId,
      originalKey: msg.key,
      originalValue: msg.value,
      headers: Object.entries(msg.headers).map(([key, v]) => ({
        key,
        value: v === undefined ? null : Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8'),
      })),
      errorClass: err.name,
      errorCode: code,
      errorMessage: truncate(err.message, 2000),
      attempts,
    };
    const result = await this.deps.store.commit({
      eventId: `dlq:${msg.topic}:${msg.partition}:${msg.offset}`,
      message: msg,
      outcome: 'dlq',
      effects: [
        {
          kind: 'emit',
          topic: { raw: dlqTopic },
          key: msg.key?.toString('utf8') ?? '',
          messageId: id,
          record,
        },
      ],
    });
    if (result.status === 'committed') {
      this.deps.events.emit('message.dlq', { topic: msg.topic, errorCode: code });
      this.deps.logger.warn(
        {
          topic: msg.topic,
          partition: msg.partition,
          offset: msg.offset,
          errorCode: code,
          errorClass: err.name,
        },
        'message dead-lettered',
      );
    }
    return { status: result.status === 'committed' ? 'dead-lettered' : 'duplicate', outcome: 'dlq' };
  }
}

function headerString(v: Buffer | string | undefined): string | undefined {
  if (v === undefined) return undefined;
  return Buffer.isBuffer(v) ? v.toString('utf8') : v;
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n)}…`;
}

/** Error fields safe to log: class, code, message (our messages never carry PII values). */
export function safeError(e: unknown): { type: string; code?: string; message: string } {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return { type: e.name, ...(typeof code === 'string' ? { code } : {}), message: truncate(e.message, 300) };
  }
  return { type: typeof e, message: String(e).slice(0, 300) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}
