import type { Consumer, Kafka } from 'kafkajs';
import type { Knex } from 'knex';
import type { Logger } from '../../src/runtime/logger.js';
import { householdsTopic, membersTopic, type CdcConfig } from './config.js';
import { parseChange } from './events.js';
import { indexEntry } from './plan.js';
import { applyBatch, type BatchOutcome, type FeedMessage } from './store.js';

/**
 * The index follower: its own Kafka consumer on the change topics, applying each fetched batch of a partition in
 * one database transaction (store.ts). Per-member order is the topic's: Debezium keys every change by member_id.
 */
export interface FollowerOptions {
  /** Messages per transaction (a fetched batch larger than this is split). */
  maxBatch?: number;
  logger?: Logger;
  /** After each committed batch: its outcome, its size, and the wall time of its transaction. */
  onBatch?: (topic: string, outcome: BatchOutcome, count: number, ms: number) => void;
}

/** Messages parsed between two yields to the event loop while a transaction is in flight. */
const PREPARE_SLICE = 100;

export class IndexFollower {
  private consumer: Consumer | null = null;
  private readonly maxBatch: number;
  readonly topics: string[];
  joined = false;
  /** Counts since start (the durable ones are in hgd_match.cdc_state). */
  applied = 0;
  rejected = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly knex: Knex,
    private readonly config: CdcConfig,
    private readonly opts: FollowerOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 5000;
    this.topics = [membersTopic(config), householdsTopic(config)];
  }

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.config.groupId,
      // Debezium creates the topics (or `cdc setup` does, with one partition): never create them by asking.
      allowAutoTopicCreation: false,
      maxBytesPerPartition: 16 * 1024 * 1024,
      maxBytes: 32 * 1024 * 1024,
      maxWaitTimeInMs: 100,
      // A batch of a few thousand changes on a loaded machine can take seconds: heartbeats go between chunks.
      sessionTimeout: 30_000,
      rebalanceTimeout: 60_000,
      heartbeatInterval: 3000,
      retry: { retries: 10 },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.joined = true;
    });
    consumer.on(consumer.events.CRASH, (e) => {
      this.joined = false;
      const { error, restart } = e.payload;
      this.opts.logger?.error(
        { err: { name: error.name, message: error.message }, restart },
        'change-feed consumer crashed',
      );
      // kafkajs restarts after a retriable error; after any other, start again here (the inbox makes it safe).
      if (!restart && this.consumer === consumer)
        setTimeout(() => {
          if (this.consumer !== consumer) return;
          void consumer
            .disconnect()
            .catch(() => undefined)
            .then(() => (this.consumer === consumer ? this.start() : undefined))
            .catch((err: unknown) =>
              this.opts.logger?.error(
                { err: { message: (err as Error).message } },
                'change-feed consumer restart failed',
              ),
            );
        }, 1000);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const all = batch.messages;
        // Chunk i+1 is parsed and its keys computed while chunk i's transaction runs in PostgreSQL (in slices,
        // yielding between them, so that the transaction's statements are not held up).
        const prepare = async (from: number): Promise<FeedMessage[]> => {
          const messages: FeedMessage[] = [];
          const to = Math.min(all.length, from + this.maxBatch);
          for (let i = from; i < to; i++) {
            const m = all[i]!;
            const p = parseChange(m.key, m.value);
            if (!p.ok) {
              // Not ours to fix: count it, keep going (the reason names no value).
              this.rejected++;
              this.opts.logger?.warn(
                { topic: batch.topic, partition: batch.partition, offset: m.offset, reason: p.reason },
                'change event not understood; skipped',
              );
              messages.push({ offset: m.offset, event: null });
              continue;
            }
            const e = p.event;
            if (e !== null && e.table === 'members' && e.after !== null) e.entry = indexEntry(e.after);
            messages.push({ offset: m.offset, event: e });
            if ((i - from) % PREPARE_SLICE === PREPARE_SLICE - 1) await new Promise((r) => setImmediate(r));
          }
          return messages;
        };
        let next: Promise<FeedMessage[]> | null = all.length > 0 ? prepare(0) : null;
        for (let i = 0; i < all.length && isRunning() && !isStale(); i += this.maxBatch) {
          const messages = await next!;
          next = null;
          await heartbeat();
          let outcome: BatchOutcome;
          const t0 = performance.now();
          const applying = applyBatch(this.knex, batch.topic, batch.partition, messages);
          if (i + this.maxBatch < all.length) {
            next = prepare(i + this.maxBatch);
            // Settled below; an error there would be the next chunk's, raised when it is awaited.
            next.catch(() => undefined);
          }
          try {
            outcome = await applying;
          } catch (e) {
            // pg errors name the statement, not the values; kafkajs fetches the batch again (the inbox skips what
            // was applied).
            this.opts.logger?.error(
              {
                topic: batch.topic,
                partition: batch.partition,
                err: { code: (e as { code?: string }).code, message: (e as Error).message },
              },
              'change batch not applied; retrying',
            );
            throw e;
          }
          this.applied += outcome.applied;
          if (outcome.resnapshotDetected)
            this.opts.logger?.error(
              { topic: batch.topic },
              'HGD change feed: a new snapshot started while streaming (replication slot lost or connector reset); the index is being rebuilt from it (see the runbook)',
            );
          this.opts.onBatch?.(batch.topic, outcome, messages.length, performance.now() - t0);
          const last = messages[messages.length - 1]!.offset;
          resolveOffset(last);
          await consumer.commitOffsets([
            { topic: batch.topic, partition: batch.partition, offset: String(Number(last) + 1) },
          ]);
          await heartbeat();
        }
      },
    });
  }

  async stop(): Promise<void> {
    const c = this.consumer;
    this.consumer = null;
    this.joined = false;
    if (c) await c.disconnect();
  }
}
