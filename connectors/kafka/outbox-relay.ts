import type { Knex } from 'knex';
import type { Kafka, Message, Producer } from 'kafkajs';
import type { RuntimeEvents } from '../../src/runtime/events.js';
import type { Logger } from '../../src/runtime/logger.js';
import { safeError } from '../../src/runtime/processor.js';
import { lockUnsent, markSent } from '../db/bridge-store.js';

export interface OutboxRelayOptions {
  logger: Logger;
  events?: RuntimeEvents;
  batchSize?: number;
  pollIntervalMs?: number;
}

/**
 * Publishes outbox rows with the idempotent producer and marks them sent. Survives restarts: a row is
 * marked only after the broker acknowledged it, so a crash in between re-sends it with the same message id
 * (recognisable downstream). Rows are locked with SKIP LOCKED, so two relays never publish the same batch
 * at the same time.
 */
export class OutboxRelay {
  private readonly producer: Producer;
  private connected = false;
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;

  constructor(
    private readonly knex: Knex,
    kafka: Kafka,
    private readonly opts: OutboxRelayOptions,
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
  }

  async connect(): Promise<void> {
    if (!this.connected) {
      await this.producer.connect();
      this.connected = true;
    }
  }

  /** Publishes one batch; returns the number of rows published. Throws when the broker or DB fails. */
  async drainOnce(): Promise<number> {
    await this.connect();
    const limit = this.opts.batchSize ?? 500;
    return this.knex.transaction(async (tx) => {
      const rows = await lockUnsent(tx, limit);
      if (rows.length === 0) return 0;
      const byTopic = new Map<string, Message[]>();
      for (const r of rows) {
        const list = byTopic.get(r.topic) ?? [];
        list.push({ key: r.key, value: r.value, headers: r.headers });
        byTopic.set(r.topic, list);
      }
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      await markSent(
        tx,
        rows.map((r) => r.id),
      );
      return rows.length;
    });
  }

  /** Drains until the outbox is empty (CLI commands use this after writing). */
  async drainAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.drainOnce();
      total += n;
      if (n === 0) return total;
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Called after a transaction commits, so outputs go out without waiting for the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        this.woken = false;
        const n = await this.drainOnce();
        failures = 0;
        if (n > 0) {
          this.opts.events?.emit('outbox.published', { count: n });
          continue;
        }
      } catch (e) {
        failures++;
        this.opts.logger.warn({ err: safeError(e), failures }, 'outbox relay failed; will retry');
        await sleep(Math.min(10_000, 200 * 2 ** Math.min(failures, 6)));
        continue;
      }
      if (this.woken) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.opts.pollIntervalMs ?? 500);
        this.wakeUp = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wakeUp = null;
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
    if (this.connected) {
      await this.producer.disconnect();
      this.connected = false;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
