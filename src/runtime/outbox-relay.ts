import type { OutboxReader, Publisher } from '../ports/outbox.js';
import type { RuntimeEvents } from './events.js';
import type { Logger } from './logger.js';
import { safeError } from './processor.js';
import { DEFAULT_BACKOFF, retry, type Backoff } from './retry.js';

export interface OutboxRelayOptions {
  logger: Logger;
  events?: RuntimeEvents;
  batchSize?: number;
  pollIntervalMs?: number;
  backoff?: Backoff;
}

/**
 * Publishes outbox rows and marks them sent. Survives restarts: a row is marked only after the broker
 * acknowledged it, so a crash in between re-sends it with the same message id (recognisable downstream). No
 * transaction or row lock is held while the broker is called; one relay at a time publishes (the reader's
 * publisher lock), so rows leave in commit order even with several instances.
 */
export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;

  constructor(
    private readonly reader: OutboxReader,
    private readonly publisher: Publisher & { disconnect?: () => Promise<void> },
    private readonly opts: OutboxRelayOptions,
  ) {}

  /**
   * Publishes one batch; returns the number of rows published, or null when another relay holds the publisher
   * lock. Throws when the broker or database fails.
   */
  async drainOnce(): Promise<number | null> {
    if (!(await this.reader.acquirePublisherLock())) return null;
    const rows = await this.reader.unsent(this.opts.batchSize ?? 500);
    if (rows.length === 0) return 0;
    await this.publisher.publish(rows);
    await this.reader.markSent(rows.map((r) => r.id));
    return rows.length;
  }

  /** Drains until the outbox is empty (CLI commands use this after writing); null when another relay publishes. */
  async drainAll(): Promise<number | null> {
    let total = 0;
    for (;;) {
      const n = await this.drainOnce();
      if (n === null) return total > 0 ? total : null;
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
    while (this.running) {
      this.woken = false;
      const n = await retry(() => this.drainOnce(), {
        backoff: this.opts.backoff ?? { ...DEFAULT_BACKOFF, maxMs: 10_000 },
        shouldStop: () => !this.running,
        onRetry: (e, attempt) =>
          this.opts.logger.warn({ err: safeError(e), failures: attempt }, 'outbox relay failed; will retry'),
      });
      if (n === 'stopped') break;
      if (typeof n === 'number' && n > 0) {
        this.opts.events?.emit('outbox.published', { count: n });
        continue;
      }
      if (this.woken && n === 0) continue;
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
    await this.reader.releasePublisherLock();
    await this.publisher.disconnect?.();
  }
}
