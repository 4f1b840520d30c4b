import type { Consumer, Kafka } from 'kafkajs';
import type { RuntimeEvents } from '../../src/runtime/events.js';
import type { Logger } from '../../src/runtime/logger.js';
import type { InboundMessage, MessageProcessor } from '../../src/runtime/processor.js';

export interface ConsumerLoopOptions {
  groupId: string;
  topics: string[];
  processor: MessageProcessor;
  logger: Logger;
  events: RuntimeEvents;
  /** Partitions processed in parallel; order within a partition is always kept. */
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
  /** Commit at most this often within a batch (the inbox makes a redelivered event a no-op). */
  commitIntervalMs?: number;
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

  constructor(
    private readonly kafka: Kafka,
    private readonly opts: ConsumerLoopOptions,
  ) {}

  get joined(): boolean {
    return this.joinedFlag;
  }

  async start(): Promise<void> {
    const { groupId, logger, events } = this.opts;
    const consumer = this.kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: this.opts.sessionTimeoutMs ?? 30_000,
      rebalanceTimeout: this.opts.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.min(3_000, Math.floor((this.opts.sessionTimeoutMs ?? 30_000) / 3)),
      maxWaitTimeInMs: 200,
      retry: { retries: 10, initialRetryTime: 300 },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      this.joinedFlag = true;
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
      logger.error(
        { groupId, err: { type: error.name, message: error.message }, restart: e.payload.restart },
        'consumer crashed',
      );
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
        const shouldStop = () => this.stopping || !isRunning() || isStale();
        let pending: string | null = null;
        let lastCommit = Date.now();
        const commit = async () => {
          if (pending === null) return;
          const offset = (BigInt(pending) + 1n).toString();
          // The commit time rides in the offset metadata, so `vss-bridge lag` can tell how long ago a group committed.
          await consumer.commitOffsets([
            { topic: batch.topic, partition: batch.partition, offset, metadata: String(Date.now()) },
          ]);
          pending = null;
          lastCommit = Date.now();
        };
        for (const m of batch.messages) {
          if (shouldStop()) break;
          const msg: InboundMessage = {
            topic: batch.topic,
            partition: batch.partition,
            offset: m.offset,
            key: m.key,
            value: m.value,
            headers: flattenHeaders(m.headers),
          };
          const result = await this.opts.processor.processWithRetry(msg, { shouldStop, heartbeat });
          if (result === 'stopped') break;
          resolveOffset(m.offset);
          pending = m.offset;
          if (Date.now() - lastCommit >= commitEvery) {
            await commit();
            await heartbeat();
          }
        }
        // Offsets of handled messages are committed even when we stop early (their transactions committed).
        if (!isStale()) await commit();
      },
    });
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

function flattenHeaders(
  h: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined,
): InboundMessage['headers'] {
  const out: InboundMessage['headers'] = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k] = Array.isArray(v) ? v[v.length - 1] : v;
  return out;
}
