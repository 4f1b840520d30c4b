import type { Consumer, Kafka } from 'kafkajs';
import type { InboundMessage, MessageHandler } from '../../src/ports/inbound.js';
import type { RuntimeEvents } from '../../src/runtime/events.js';
import { BatchSizer, DEFAULT_BATCH_LIMITS, takeRun, type BatchLimits } from '../../src/runtime/batching.js';
import type { Logger } from '../../src/runtime/logger.js';

export interface ConsumerLoopOptions {
  groupId: string;
  topics: string[];
  processor: MessageHandler;
  logger: Logger;
  events: RuntimeEvents;
  /** Partitions processed in parallel; order within a partition is always kept. */
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  rebalanceTimeoutMs?: number;
  /** Commit at most this often within a batch (the inbox makes a redelivered event a no-op). */
  commitIntervalMs?: number;
  /** Micro-batch bounds: events of one partition handled in one transaction. */
  batch?: BatchLimits;
  /**
   * How long a fetch may wait for more data before it returns (the broker's fetch.max.wait), and the bytes it waits
   * for. 0: a fetch returns as soon as anything is there (low traffic, low latency).
   */
  lingerMs?: number;
}

/**
 * The kafkajs consumer group: per-partition ordering, offsets committed only after the event's PostgreSQL
 * transaction committed (autoCommit off), graceful stop. A message is never skipped: the processor either
 * handles it (flow or dead-letter) or we stop before resolving its offset.
 */
export class ConsumerLoop {
  private consumer: Consumer | null = null;
  private joinedFlag = false;
  private stopping = false;
  private readonly generation = new GroupGeneration();
  private readonly sizer: BatchSizer;

  constructor(
    private readonly kafka: Kafka,
    private readonly opts: ConsumerLoopOptions,
  ) {
    this.sizer = new BatchSizer(opts.batch ?? DEFAULT_BATCH_LIMITS);
  }

  get joined(): boolean {
    return this.joinedFlag;
  }

  async start(): Promise<void> {
    const { groupId, logger, events } = this.opts;
    const heartbeatInterval =
      this.opts.heartbeatIntervalMs ??
      Math.min(3_000, Math.floor((this.opts.sessionTimeoutMs ?? 30_000) / 3));
    const consumer = this.kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: this.opts.sessionTimeoutMs ?? 30_000,
      rebalanceTimeout: this.opts.rebalanceTimeoutMs ?? this.opts.sessionTimeoutMs ?? 30_000,
      heartbeatInterval,
      // With linger, the broker holds a fetch until a batch's worth of bytes is there or the linger is over.
      maxWaitTimeInMs: this.opts.lingerMs ? this.opts.lingerMs : 200,
      minBytes: this.opts.lingerMs ? (this.opts.batch ?? DEFAULT_BATCH_LIMITS).maxBytes : 1,
      retry: { retries: 10, initialRetryTime: 300 },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      this.joinedFlag = true;
      this.generation.joined();
      events.emit('consumer.joined', { groupId });
      logger.info({ groupId, memberAssignment: e.payload.memberAssignment }, 'consumer joined group');
    });
    consumer.on(consumer.events.REBALANCING, () => {
      this.joinedFlag = false;
      events.emit('consumer.rebalancing', { groupId });
    });
    consumer.on(consumer.events.CRASH, (e) => {
      this.joinedFlag = false;
      const error = e.payload.error;
      events.emit('consumer.crashed', { groupId, error: error.name });
      if ((error as { type?: string }).type === 'INVALID_SESSION_TIMEOUT') {
        logger.error(
          { groupId, sessionTimeoutMs: this.opts.sessionTimeoutMs },
          'KAFKA_SESSION_TIMEOUT_MS is outside what the broker allows (group.min.session.timeout.ms … group.max.session.timeout.ms)',
        );
      }
      logger.error(
        { groupId, err: { type: error.name, message: error.message }, restart: e.payload.restart },
        'consumer crashed',
      );
      // kafkajs gives up on errors it deems non-retriable (a member the coordinator dropped after a long stall):
      // join the group again rather than stay up doing nothing.
      if (!e.payload.restart && !this.stopping && this.consumer === consumer) void this.rejoin(consumer);
    });
    consumer.on(consumer.events.DISCONNECT, () => {
      this.joinedFlag = false;
    });
    await consumer.connect();
    await consumer.subscribe({ topics: this.opts.topics, fromBeginning: true });
    const commitEvery = this.opts.commitIntervalMs ?? 250;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently ?? 3,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        await handleBatch(batch, {
          handler: this.opts.processor,
          resolveOffset,
          heartbeat: this.generation.watch(heartbeat),
          heartbeatEveryMs: heartbeatInterval,
          shouldStop: () => this.stopping || this.generation.mustRejoin || !isRunning() || isStale(),
          isStale,
          // The commit time rides in the offset metadata, so `vss-bridge lag` can tell how long ago a group committed.
          commit: (offset) =>
            consumer.commitOffsets([
              { topic: batch.topic, partition: batch.partition, offset, metadata: String(Date.now()) },
            ]),
          commitEveryMs: commitEvery,
          batch: this.opts.batch ?? DEFAULT_BATCH_LIMITS,
          sizer: this.sizer,
        });
      },
    });
  }

  private async rejoin(crashed: Consumer): Promise<void> {
    const { logger, groupId } = this.opts;
    for (let attempt = 1; !this.stopping && this.consumer === crashed; attempt++) {
      await new Promise((r) => setTimeout(r, Math.min(30_000, 1000 * attempt)));
      if (this.stopping || this.consumer !== crashed) return;
      try {
        await crashed.disconnect().catch(() => undefined);
        this.consumer = null;
        await this.start();
        logger.warn({ groupId, attempt }, 'consumer joined its group again after a crash');
        return;
      } catch (e) {
        const failed = this.consumer;
        if (failed) await failed.disconnect().catch(() => undefined);
        this.consumer = crashed;
        logger.warn({ groupId, attempt, err: { type: (e as Error).name } }, 'rejoining the group failed');
      }
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.consumer) {
      await this.consumer.disconnect();
      this.consumer = null;
    }
    this.joinedFlag = false;
  }
}

/**
 * What this member has learnt from its heartbeats about its group generation. kafkajs hands a member's fetched
 * batches (every assigned partition's) to its workers and rejoins only when all of them are done; so when any
 * partition's heartbeat hears that the group is rebalancing (or no longer knows this member), every partition must
 * stop after the transaction in hand and the batches still queued must be left alone, or the whole group waits for
 * this member's backlog. Cleared when the member joins the new generation.
 */
export class GroupGeneration {
  private rejoin = false;

  get mustRejoin(): boolean {
    return this.rejoin;
  }

  joined(): void {
    this.rejoin = false;
  }

  /** `heartbeat`, noting an answer that asks this member to rejoin. */
  watch(heartbeat: () => Promise<void>): () => Promise<void> {
    return async () => {
      try {
        await heartbeat();
      } catch (e) {
        if (REJOIN_ANSWERS.has((e as { type?: string } | null)?.type ?? '')) this.rejoin = true;
        throw e;
      }
    };
  }
}

/** The broker's answers that mean "rejoin": the group is rebalancing (kafkajs' own test) or forgot this member. */
const REJOIN_ANSWERS = new Set([
  'REBALANCE_IN_PROGRESS',
  'NOT_COORDINATOR_FOR_GROUP',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
]);

export interface BatchMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: InboundMessage['headers'] | undefined;
}

export interface BatchDeps {
  handler: MessageHandler;
  resolveOffset: (offset: string) => void;
  heartbeat: () => Promise<void>;
  /**
   * While the batch runs, heartbeat this often (the group's heartbeat interval): a long batch keeps the membership,
   * and a failing heartbeat (the group rebalancing) is noticed within one interval; `shouldStop` is then expected to
   * turn true. 0 or absent: only between micro-batches.
   */
  heartbeatEveryMs?: number;
  shouldStop: () => boolean;
  isStale: () => boolean;
  /** Commits the next offset to read (last handled + 1). */
  commit: (nextOffset: string) => Promise<void>;
  commitEveryMs: number;
  /** Micro-batch bounds (default: one message at a time). */
  batch?: BatchLimits;
  /** Sizes each micro-batch from the time the last ones took (`batch.maxMs`); without it, `batch.maxEvents`. */
  sizer?: Pick<BatchSizer, 'maxEvents' | 'observe'>;
  now?: () => number;
}

/**
 * One fetched batch of one partition, in order, cut into micro-batches (by count and bytes) that the handler
 * commits as one transaction each. Each message is handled durably (processed, duplicate or dead-lettered) before
 * its offset is resolved; offsets are committed every `commitEveryMs` and at the end, also when told to stop early
 * (the handled messages' transactions committed). A stop during a retry leaves the message unresolved: it is read
 * again by whoever owns the partition next.
 */
export async function handleBatch(
  batch: { topic: string; partition: number; messages: BatchMessage[] },
  deps: BatchDeps,
): Promise<{ handled: number; committed: string | null }> {
  const now = deps.now ?? Date.now;
  let pending: string | null = null;
  let committed: string | null = null;
  let handled = 0;
  let lastCommit = now();
  const commit = async () => {
    if (pending === null) return;
    const next = (BigInt(pending) + 1n).toString();
    await deps.commit(next);
    committed = next;
    pending = null;
    lastCommit = now();
  };
  const hooks = { shouldStop: deps.shouldStop, heartbeat: deps.heartbeat };
  const limits = deps.batch ?? { maxEvents: 1, maxBytes: Number.MAX_SAFE_INTEGER };
  const msgs: InboundMessage[] = batch.messages.map((m) => ({
    topic: batch.topic,
    partition: batch.partition,
    offset: m.offset,
    key: m.key,
    value: m.value,
    headers: m.headers ?? {},
  }));
  const beat = deps.heartbeatEveryMs
    ? setInterval(() => void deps.heartbeat().catch(() => undefined), deps.heartbeatEveryMs)
    : undefined;
  try {
    for (let from = 0; from < msgs.length; ) {
      if (deps.shouldStop()) break;
      const run = takeRun(msgs, from, {
        maxEvents: deps.sizer?.maxEvents ?? limits.maxEvents,
        maxBytes: limits.maxBytes,
      });
      const started = performance.now();
      let n: number;
      if (run.length > 1 && deps.handler.processBatch) n = await deps.handler.processBatch(run, hooks);
      else {
        n = 0;
        for (const msg of run) {
          if (deps.shouldStop()) break;
          const result = await deps.handler.processWithRetry(msg, hooks);
          if (result === 'stopped') break;
          n++;
        }
      }
      if (n === run.length) deps.sizer?.observe(n, performance.now() - started);
      from += run.length;
      for (const msg of run.slice(0, n)) deps.resolveOffset(msg.offset);
      handled += n;
      if (n > 0) pending = run[n - 1]!.offset;
      if (n < run.length) break;
      if (now() - lastCommit >= deps.commitEveryMs) {
        await commit();
        // A failed heartbeat (the group rebalancing) is seen by `shouldStop` before the next micro-batch.
        await deps.heartbeat().catch(() => undefined);
      }
    }
  } finally {
    if (beat) clearInterval(beat);
  }
  // A stale batch belongs to another member now: committing would overwrite its progress.
  if (!deps.isStale()) await commit();
  return { handled, committed };
}
