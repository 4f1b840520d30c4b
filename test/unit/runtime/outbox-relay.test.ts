import { describe, expect, it } from 'vitest';
import type { OutboxReader, OutboxRecord, Publisher } from '../../../src/ports/outbox.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { OutboxRelay } from '../../../src/runtime/outbox-relay.js';

const row = (id: number): OutboxRecord => ({
  id,
  topic: 't',
  key: Buffer.from(`k${id}`),
  value: Buffer.from(`v${id}`),
  headers: { 'message-id': `m${id}` },
});

/** The outbox in memory; records every call so the order of "read, publish, mark" can be checked. */
class MemoryOutbox implements OutboxReader {
  readonly log: string[] = [];
  sent = new Set<number>();
  lockHeld = true;
  constructor(readonly rows: OutboxRecord[]) {}
  async unsent(limit: number) {
    this.log.push('read');
    return this.rows.filter((r) => !this.sent.has(r.id)).slice(0, limit);
  }
  async markSent(ids: number[]) {
    this.log.push(`mark:${ids.join(',')}`);
    ids.forEach((id) => this.sent.add(id));
  }
  async acquirePublisherLock() {
    return this.lockHeld;
  }
  async releasePublisherLock() {
    this.log.push('release');
  }
}

class MemoryBroker implements Publisher {
  readonly published: number[][] = [];
  failures = 0;
  constructor(private readonly outbox: MemoryOutbox) {}
  async publish(records: OutboxRecord[]) {
    this.outbox.log.push(`publish:${records.map((r) => r.id).join(',')}`);
    if (this.failures > 0) {
      this.failures--;
      throw new Error('broker unavailable');
    }
    this.published.push(records.map((r) => r.id));
  }
}

const relayOver = (outbox: MemoryOutbox, broker: MemoryBroker, batchSize = 2) =>
  new OutboxRelay(outbox, broker, {
    logger: createLogger('silent'),
    batchSize,
    pollIntervalMs: 5,
    backoff: { initialMs: 1, maxMs: 2 },
  });

describe('OutboxRelay', () => {
  it('publishes in id order, in batches, and marks a batch sent only after the broker acknowledged it', async () => {
    const outbox = new MemoryOutbox([1, 2, 3].map(row));
    const broker = new MemoryBroker(outbox);
    await expect(relayOver(outbox, broker).drainAll()).resolves.toBe(3);
    expect(broker.published).toEqual([[1, 2], [3]]);
    expect(outbox.log).toEqual(['read', 'publish:1,2', 'mark:1,2', 'read', 'publish:3', 'mark:3', 'read']);
  });

  it('a failed publish marks nothing: the rows are published again (same message ids) on the next attempt', async () => {
    const outbox = new MemoryOutbox([1, 2].map(row));
    const broker = new MemoryBroker(outbox);
    broker.failures = 1;
    const relay = relayOver(outbox, broker);
    await expect(relay.drainOnce()).rejects.toThrow(/broker unavailable/);
    expect(outbox.sent.size).toBe(0);
    await expect(relay.drainAll()).resolves.toBe(2);
    expect(broker.published).toEqual([[1, 2]]);
  });

  it('publishes nothing while another relay holds the publisher lock', async () => {
    const outbox = new MemoryOutbox([row(1)]);
    outbox.lockHeld = false;
    const broker = new MemoryBroker(outbox);
    await expect(relayOver(outbox, broker).drainAll()).resolves.toBeNull();
    expect(outbox.log).toEqual([]);
  });

  it('in the background it retries a failing broker with backoff and then publishes; stop releases the lock', async () => {
    const outbox = new MemoryOutbox([1, 2, 3].map(row));
    const broker = new MemoryBroker(outbox);
    broker.failures = 3;
    const relay = relayOver(outbox, broker, 10);
    relay.start();
    const until = Date.now() + 5000;
    while (outbox.sent.size < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    await relay.stop();
    expect(broker.published).toEqual([[1, 2, 3]]);
    expect(outbox.log.filter((l) => l.startsWith('publish'))).toHaveLength(4);
    expect(outbox.log.at(-1)).toBe('release');
  });
});
