/**
 * The pieces of micro-batching that are plain logic: cutting a fetched batch by count and bytes, coalescing the reads
 * that several decisions make at the same time into one call, and telling which decisions of a batch were made on
 * reads that an earlier event of the same batch changes (those are decided again after the earlier ones commit).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Effect } from '../domain/effects.js';

export interface BatchLimits {
  /** Most events in one transaction. */
  maxEvents: number;
  /** Most bytes of input values (and keys) in one transaction. */
  maxBytes: number;
  /**
   * About how long one micro-batch may take (0: no bound). A partition commits only when a transaction does, and a
   * member hears of a rebalance only between transactions, so this bounds both on a slow or loaded machine.
   */
  maxMs?: number;
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxEvents: 500, maxBytes: 1024 * 1024, maxMs: 2000 };

/**
 * Sizes micro-batches so that one takes about `limits.maxMs`: after each fully handled micro-batch it takes the time
 * per event (smoothed over the last few), and the next micro-batch gets as many events as fit in `maxMs`, never more
 * than `limits.maxEvents` and never fewer than one. Before it has seen any (a process just started, cold), it starts
 * small (`START_EVENTS`) rather than with the largest batch it may ever take. Shared by a consumer's partitions:
 * their micro-batches run side by side on the same cores, so the time one takes is what the machine gives each of
 * them now.
 */
export class BatchSizer {
  static readonly START_EVENTS = 50;
  private perEventMs: number | null = null;

  constructor(private readonly limits: BatchLimits) {}

  /** How many events the next micro-batch may hold. */
  get maxEvents(): number {
    const { maxEvents, maxMs } = this.limits;
    if (!maxMs) return maxEvents;
    if (this.perEventMs === null) return Math.min(maxEvents, BatchSizer.START_EVENTS);
    return Math.max(1, Math.min(maxEvents, Math.floor(maxMs / this.perEventMs)));
  }

  /** A micro-batch of `events` events was handled in `ms` milliseconds. */
  observe(events: number, ms: number): void {
    if (events <= 0) return;
    const perEvent = Math.max(ms, 0.001) / events;
    this.perEventMs = this.perEventMs === null ? perEvent : (this.perEventMs + perEvent) / 2;
  }
}

/**
 * The run (micro-batch) that starts at `from`, in order: at most `maxEvents` messages and `maxBytes` bytes, and at
 * least one message (a message larger than `maxBytes` makes a run of one).
 */
export function takeRun<M extends { key: Buffer | null; value: Buffer | null }>(
  messages: readonly M[],
  from: number,
  limits: Pick<BatchLimits, 'maxEvents' | 'maxBytes'>,
): M[] {
  const run: M[] = [];
  let bytes = 0;
  for (let i = from; i < messages.length; i++) {
    const m = messages[i]!;
    const size = (m.value?.length ?? 0) + (m.key?.length ?? 0);
    if (run.length > 0 && (run.length >= limits.maxEvents || bytes + size > limits.maxBytes)) break;
    run.push(m);
    bytes += size;
  }
  return run;
}

/** What one decision read: HGD members it looked at and BHXH codes it looked up. */
export class ReadLog {
  readonly members = new Set<string>();
  readonly codes = new Set<string>();
}

const scope = new AsyncLocalStorage<ReadLog>();

/** Runs a decision with its own read log; the read ports note into it (`noteRead`). */
export function withReadLog<T>(log: ReadLog, fn: () => Promise<T>): Promise<T> {
  return scope.run(log, fn);
}

/** Called by the read ports: notes members seen and codes looked up by the decision running now (if any). */
export function noteRead(read: {
  members?: Iterable<string | undefined>;
  codes?: Iterable<string | null>;
}): void {
  const log = scope.getStore();
  if (!log) return;
  for (const m of read.members ?? []) if (m !== undefined) log.members.add(m);
  for (const c of read.codes ?? []) if (c !== null) log.codes.add(c);
}

/**
 * The index of the first decision made on stale reads: one that read a member whose code an earlier event of the
 * batch changes, or looked up a code an earlier event gives or takes away. -1 when none. Sequentially that decision
 * would have seen the earlier change; it is made again once the earlier events are committed.
 */
export function firstStale(decisions: readonly { effects: readonly Effect[]; reads: ReadLog }[]): number {
  const changedMembers = new Set<string>();
  const changedCodes = new Set<string>();
  for (let i = 0; i < decisions.length; i++) {
    const { effects, reads } = decisions[i]!;
    if (i > 0) {
      for (const m of reads.members) if (changedMembers.has(m)) return i;
      for (const c of reads.codes) if (changedCodes.has(c)) return i;
    }
    for (const e of effects) {
      if (e.kind !== 'changeCode') continue;
      changedMembers.add(e.memberId);
      changedCodes.add(e.newCode);
      if (e.expectedOldCode !== null) changedCodes.add(e.expectedOldCode);
    }
  }
  return -1;
}

/**
 * Coalesces single-key loads made in the same turn of the event loop (the decisions of one batch run side by side)
 * into one `loadMany` call. `loadMany` answers in the order of the keys it is given.
 */
export function coalesce<K, V>(
  loadMany: (keys: K[]) => Promise<V[]>,
  opts: { maxBatch?: number } = {},
): (key: K) => Promise<V> {
  const maxBatch = opts.maxBatch ?? 1000;
  let queue: { key: K; resolve: (v: V) => void; reject: (e: unknown) => void }[] = [];
  const flush = () => {
    const taken = queue;
    queue = [];
    for (let i = 0; i < taken.length; i += maxBatch) {
      const part = taken.slice(i, i + maxBatch);
      loadMany(part.map((p) => p.key)).then(
        (values) => {
          if (values.length !== part.length) {
            const e = new Error(`loadMany answered ${values.length} values for ${part.length} keys`);
            for (const p of part) p.reject(e);
            return;
          }
          part.forEach((p, j) => p.resolve(values[j]!));
        },
        (e: unknown) => {
          for (const p of part) p.reject(e);
        },
      );
    }
  };
  return (key) =>
    new Promise<V>((resolve, reject) => {
      if (queue.length === 0) setImmediate(flush);
      queue.push({ key, resolve, reject });
    });
}
