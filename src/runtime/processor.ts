import { createHash } from 'node:crypto';
import type { Conflict, Decision } from '../domain/effects.js';
import { PermanentError, TransientError, isPermanent } from '../domain/errors.js';
import { deterministicUuid } from '../domain/ids.js';
import { BatchItemError, type CommitInput, type EventStore } from '../ports/event-store.js';
import type { FlowHandler } from '../ports/flow.js';
import type { Decoder, HandlerHooks, InboundMessage, MessageHandler } from '../ports/inbound.js';
import { firstStale, ReadLog, withReadLog } from './batching.js';
import type { RuntimeEvents } from './events.js';
import { scrubText, type Logger } from './logger.js';
import { DEFAULT_BACKOFF, retry, type Backoff } from './retry.js';

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
  backoff?: Backoff;
  dlqTopicOf?: (topic: string) => string;
  sleep?: (ms: number) => Promise<void>;
  /**
   * The most bytes of the original value a dead letter keeps: beyond it the value is truncated, with its size and
   * SHA-256, so the dead letter itself never exceeds what the broker accepts.
   */
  maxDeadLetterValueBytes?: number;
}

export type ProcessOutcome = { status: 'processed' | 'duplicate' | 'dead-lettered'; outcome: string };

/** A flow answered a conflict with another conflicting change: a bug, handled as an unexpected error. */
export class RepeatedConflictError extends Error {
  constructor(readonly conflict: Conflict) {
    super(`the flow's decision met a second conflict (${conflict.kind}) after being told of the first`);
    this.name = 'RepeatedConflictError';
  }
}

/**
 * Decode → validate → flow → one transaction. Poison input goes to `<topic>.dlq` at once; transient
 * failures are retried with jittered exponential backoff and never skipped; an unexpected error is retried
 * a few times (it may be transient in disguise) and then dead-lettered, so one message never stops the
 * consumer and nothing is lost (the dead letter keeps the original bytes for `dlq replay`).
 * A conflict reported by the store makes the flow decide again with fresh reads, told of the conflict.
 */
export class MessageProcessor implements MessageHandler {
  private readonly maxUnexpected: number;
  private readonly dlqTopicOf: (topic: string) => string;

  constructor(private readonly deps: ProcessorDeps) {
    this.maxUnexpected = deps.maxUnexpectedAttempts ?? 5;
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
    const fields = { topic: msg.topic, partition: msg.partition, offset: msg.offset };
    return retry(
      async (attempt) => {
        try {
          return await this.process(msg);
        } catch (e) {
          // A permanent error from any step cannot heal by retrying. If writing the dead letter fails (database
          // down), that failure is retried like any other.
          if (isPermanent(e)) return await this.deadLetter(msg, e, e.code, attempt);
          if (!this.isTransient(e) && ++unexpected >= this.maxUnexpected) {
            this.deps.logger.error(
              { ...fields, attempt, err: safeError(e) },
              'unexpected error persists: dead-lettering',
            );
            return await this.deadLetter(msg, asError(e), 'UNEXPECTED', attempt);
          }
          throw e;
        }
      },
      {
        backoff: this.deps.backoff ?? DEFAULT_BACKOFF,
        shouldStop: hooks.shouldStop,
        heartbeat: hooks.heartbeat,
        ...(this.deps.sleep ? { sleep: this.deps.sleep } : {}),
        onRetry: (e, attempt) => {
          const err = asError(e);
          const transient = this.isTransient(e);
          this.deps.events.emit('message.retry', {
            topic: msg.topic,
            partition: msg.partition,
            attempt,
            errorClass: err.name,
          });
          this.deps.logger.warn(
            { ...fields, attempt, errorClass: err.name, err: safeError(err), transient },
            'processing failed; will retry',
          );
        },
      },
    );
  }

  /**
   * A micro-batch of one partition (docs/architecture.md, "Micro-batches"): decoded, checked against the inbox,
   * decided side by side (their candidate lookups coalesce into one blocking query) and committed in ONE
   * transaction. Whatever cannot go in the batch is isolated, order kept: the events before it are committed as a
   * batch, it goes alone through `processWithRetry` (its retries, conflict handling, dead letter as for a single
   * event), and the events after it form the next batch. Returns how many messages, from the first, are handled.
   * Between transactions it stops when `hooks.shouldStop()` says so (the consumer loop heartbeats meanwhile and
   * says so when the group rebalances).
   */
  async processBatch(msgs: InboundMessage[], hooks: HandlerHooks): Promise<number> {
    let done = 0;
    while (done < msgs.length) {
      if (hooks.shouldStop()) break;
      if (msgs.length - done > 1) {
        let cut = { n: 0, isolate: true };
        try {
          cut = await this.tryBatch(msgs.slice(done));
        } catch (e) {
          // The transaction itself failed (the database): the first event goes alone, with its retries.
          this.deps.logger.warn(
            { topic: msgs[done]!.topic, partition: msgs[done]!.partition, err: safeError(e) },
            'batch failed; handling its first event alone',
          );
        }
        if (cut.n > 0) {
          done += cut.n;
          if (!cut.isolate || done >= msgs.length || hooks.shouldStop()) continue;
        }
      }
      const result = await this.processWithRetry(msgs[done]!, hooks);
      if (result === 'stopped') break;
      done++;
    }
    return done;
  }

  /**
   * One attempt at committing a prefix of `msgs` as one transaction; returns its length `n`, and whether the event
   * after it must go alone (it failed or met a conflict; otherwise it was only decided on stale reads and can start
   * the next batch). Throws when the database fails.
   */
  private async tryBatch(msgs: InboundMessage[]): Promise<{ n: number; isolate: boolean }> {
    const started = process.hrtime.bigint();
    // 1. Decode, in order: the batch ends before the first message that cannot be decoded (or has no flow).
    const decoded = await Promise.allSettled(
      msgs.map(async (msg) => {
        const handler = this.deps.handlers.get(msg.topic);
        if (!handler) throw new PermanentError('INVALID_REQUEST', `no flow handles topic ${msg.topic}`);
        const event = await this.deps.decoder.decode<{ eventId: string }>(msg.topic, msg.value);
        return { msg, handler, event };
      }),
    );
    let n = firstRejected(decoded);
    if (n === 0) return { n, isolate: true };
    const items = decoded.slice(0, n).map((d) => (d as PromiseFulfilledResult<Decoded>).value);
    // 2. Events the group already processed, or met earlier in this batch, are duplicates: nothing to decide.
    const processed = await this.deps.store.processedAmong(items.map((i) => i.event.eventId));
    const seen = new Set<string>();
    const dup = items.map((i) => {
      const d = processed.has(i.event.eventId) || seen.has(i.event.eventId);
      seen.add(i.event.eventId);
      return d;
    });
    // 3. Decide side by side, each with its read log; the batch ends before the first decision that fails.
    const decided = await Promise.allSettled(
      items.map(async (item, i) => {
        if (dup[i]) return null;
        const reads = new ReadLog();
        const decision = await withReadLog(reads, () =>
          item.handler.decide(item.event as never, { message: item.msg }),
        );
        return { decision, reads };
      }),
    );
    n = firstRejected(decided);
    const decisions = decided
      .slice(0, n)
      .map((d) => (d as PromiseFulfilledResult<{ decision: Decision; reads: ReadLog } | null>).value);
    // ... and before the first decision made on reads that an earlier event of the batch changes.
    const live = decisions.flatMap((d, i) => (d ? [{ i, effects: d.decision.effects, reads: d.reads }] : []));
    const stale = firstStale(live);
    let isolate = n < msgs.length;
    if (stale >= 0 && live[stale]!.i < n) {
      n = live[stale]!.i;
      isolate = false;
    }
    // 4. Commit; a conflict or one event's failing effects ends the batch before that event, and the rest commits.
    for (;;) {
      if (n === 0) return { n, isolate };
      const inputs: CommitInput[] = [];
      const indexOf: number[] = [];
      for (let i = 0; i < n; i++) {
        const d = decisions[i];
        if (!d) continue;
        const msg = items[i]!.msg;
        inputs.push({
          eventId: items[i]!.event.eventId,
          message: msg,
          outcome: d.decision.outcome,
          effects: d.decision.effects,
          traceparent: traceparentOf(msg.headers.traceparent),
        });
        indexOf.push(i);
      }
      if (inputs.length === 0) break;
      let result;
      try {
        result = await this.deps.store.commitBatch(inputs);
      } catch (e) {
        if (!(e instanceof BatchItemError)) throw e;
        n = indexOf[e.index]!;
        isolate = true;
        continue;
      }
      if (result.status === 'conflict') {
        n = indexOf[result.index]!;
        isolate = true;
        this.deps.logger.debug(
          { topic: msgs[0]!.topic, partition: msgs[0]!.partition, conflict: result.conflict.kind },
          'conflict in a batch: the event goes alone',
        );
        continue;
      }
      const durationSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      result.results.forEach((r, j) => {
        const item = items[indexOf[j]!]!;
        if (r === 'duplicate') {
          this.deps.events.emit('message.duplicate', { topic: item.msg.topic });
          return;
        }
        this.deps.events.emit('message.processed', {
          topic: item.msg.topic,
          outcome: inputs[j]!.outcome,
          durationSeconds,
          flow: item.handler.name,
        });
        // The same line as the single-event path: an operator at debug level sees every event, batched or not.
        this.deps.logger.debug(
          {
            topic: item.msg.topic,
            partition: item.msg.partition,
            offset: item.msg.offset,
            eventId: inputs[j]!.eventId,
            outcome: inputs[j]!.outcome,
          },
          'processed',
        );
      });
      break;
    }
    for (let i = 0; i < n; i++)
      if (dup[i]) this.deps.events.emit('message.duplicate', { topic: items[i]!.msg.topic });
    this.deps.events.emit('batch.committed', { topic: msgs[0]!.topic, size: n });
    return { n, isolate };
  }

  private isTransient(e: unknown): boolean {
    return e instanceof TransientError || this.deps.isTransient(e);
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
    let conflict: Conflict | undefined;
    for (;;) {
      const decision: Decision = await handler.decide(event as never, { message: msg, conflict });
      const result = await this.deps.store.commit({
        eventId: event.eventId,
        message: msg,
        outcome: decision.outcome,
        effects: decision.effects,
        traceparent: traceparentOf(msg.headers.traceparent),
      });
      if (result.status === 'conflict') {
        if (conflict) throw new RepeatedConflictError(result.conflict);
        conflict = result.conflict;
        this.deps.events.emit('message.conflict', { topic: msg.topic, conflict: conflict.kind });
        this.deps.logger.info(
          { topic: msg.topic, partition: msg.partition, offset: msg.offset, conflict: conflict.kind },
          'conflict while applying: deciding again with fresh reads',
        );
        continue;
      }
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
  }

  /** The DeadLetter record goes through the outbox, in one transaction with an inbox row for the offset. */
  async deadLetter(msg: InboundMessage, err: Error, code: string, attempts: number): Promise<ProcessOutcome> {
    const dlqTopic = this.dlqTopicOf(msg.topic);
    const id = deterministicUuid('dead-letter', msg.topic, String(msg.partition), msg.offset);
    const keep = this.deps.maxDeadLetterValueBytes ?? 900_000;
    const value = msg.value;
    const truncated = value !== null && value.length > keep;
    const record = {
      eventId: id,
      occurredAt: new Date(),
      sourceTopic: msg.topic,
      sourcePartition: msg.partition,
      sourceOffset: Number(msg.offset),
      consumerGroup: this.deps.groupId,
      originalKey: msg.key,
      originalValue: truncated ? value.subarray(0, keep) : value,
      originalValueSize: value === null ? null : value.length,
      originalValueSha256: value === null ? null : createHash('sha256').update(value).digest('hex'),
      originalValueTruncated: truncated,
      headers: headerList(msg.headers),
      errorClass: err.name,
      errorCode: code,
      // Driver errors may quote values: the message is scrubbed like a log line before it leaves.
      errorMessage: scrubText(err.message, 2000),
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
    if (result.status === 'conflict') throw new RepeatedConflictError(result.conflict);
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

/** Every header value in order (Kafka allows a key more than once), as the DeadLetter record keeps them. */
export function headerList(headers: InboundMessage['headers']): { key: string; value: Buffer | null }[] {
  const out: { key: string; value: Buffer | null }[] = [];
  for (const [key, v] of Object.entries(headers)) {
    const values = Array.isArray(v) ? v : [v];
    for (const one of values) {
      out.push({
        key,
        value: one === undefined ? null : Buffer.isBuffer(one) ? one : Buffer.from(one, 'utf8'),
      });
    }
  }
  return out;
}

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** A W3C trace context to pass on to outputs, or undefined when absent or malformed (never copied blindly). */
export function traceparentOf(v: InboundMessage['headers'][string]): string | undefined {
  const one = Array.isArray(v) ? v[0] : v;
  if (one === undefined) return undefined;
  const s = Buffer.isBuffer(one) ? one.toString('latin1') : one;
  if (!TRACEPARENT.test(s)) return undefined;
  const [version, traceId, parentId] = s.split('-');
  if (version === 'ff' || /^0+$/.test(traceId!) || /^0+$/.test(parentId!)) return undefined;
  return s;
}

type Decoded = { msg: InboundMessage; handler: FlowHandler<never>; event: { eventId: string } };

/** Index of the first rejected result, or the length when all were fulfilled. */
function firstRejected(results: PromiseSettledResult<unknown>[]): number {
  const i = results.findIndex((r) => r.status === 'rejected');
  return i < 0 ? results.length : i;
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** Error fields safe to log: class, code, message (our messages never carry PII values). */
export function safeError(e: unknown): { type: string; code?: string; message: string } {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return {
      type: e.name,
      ...(typeof code === 'string' ? { code } : {}),
      message: scrubText(e.message, 300),
    };
  }
  return { type: typeof e, message: scrubText(String(e), 300) };
}
