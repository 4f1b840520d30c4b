import { describe, expect, it } from 'vitest';
import type { Conflict, Decision, Effect } from '../../../src/domain/effects.js';
import { PermanentError } from '../../../src/domain/errors.js';
import {
  BatchItemError,
  type BatchCommitResult,
  type CommitInput,
  type CommitResult,
  type EventStore,
} from '../../../src/ports/event-store.js';
import type { FlowHandler } from '../../../src/ports/flow.js';
import type { InboundMessage } from '../../../src/ports/inbound.js';
import { noteRead } from '../../../src/runtime/batching.js';
import { RuntimeEvents } from '../../../src/runtime/events.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { MessageProcessor } from '../../../src/runtime/processor.js';

const TOPIC = 'in.topic';

/** Message i carries event id `E<i>` (or what `ids` says) in its value. */
function messages(n: number, ids: string[] = []): InboundMessage[] {
  return Array.from({ length: n }, (_, i) => ({
    topic: TOPIC,
    partition: 1,
    offset: String(100 + i),
    key: Buffer.from(`k${i}`),
    value: Buffer.from(ids[i] ?? `E${i}`),
    headers: {},
  }));
}

type Answer = 'ok' | { conflictAt: number; conflict: Conflict } | { itemFails: number } | Error;

/** An in-memory store: records each transaction (batch or single) as the event ids it committed. */
class BatchStore implements EventStore {
  readonly transactions: string[][] = [];
  readonly processed = new Set<string>();
  readonly attempts: string[][] = [];
  /** When set, every commitBatch waits for it (a slow transaction). */
  constructor(private readonly answers: Answer[] = []) {}
  async isProcessed(id: string) {
    return this.processed.has(id);
  }
  async processedAmong(ids: string[]) {
    return new Set(ids.filter((id) => this.processed.has(id)));
  }
  async commitBatch(inputs: CommitInput[]): Promise<BatchCommitResult> {
    this.attempts.push(inputs.map((i) => i.eventId));
    const a = this.answers.shift() ?? 'ok';
    if (a instanceof Error) throw a;
    if (a !== 'ok' && 'conflictAt' in a)
      return { status: 'conflict', index: a.conflictAt, conflict: a.conflict };
    if (a !== 'ok' && 'itemFails' in a) throw new BatchItemError(a.itemFails, new Error('bad record'));
    this.transactions.push(inputs.map((i) => i.eventId));
    for (const i of inputs) this.processed.add(i.eventId);
    return { status: 'committed', results: inputs.map(() => 'committed') };
  }
  async commit(input: CommitInput): Promise<CommitResult> {
    if (this.processed.has(input.eventId)) return { status: 'duplicate', outcome: 'duplicate' };
    this.transactions.push([`${input.eventId}:${input.outcome}`]);
    this.processed.add(input.eventId);
    return { status: 'committed', outcome: input.outcome };
  }
}

function setup(opts: {
  store?: BatchStore;
  /** Decision per event id (default: match, no effects). May throw. */
  decide?: (eventId: string, conflict: Conflict | undefined) => Decision;
  undecodable?: string[];
  isTransient?: (e: unknown) => boolean;
}) {
  const events = new RuntimeEvents();
  const decided: string[] = [];
  const sizes: number[] = [];
  events.on('batch.committed', (e) => sizes.push(e.size));
  const handler: FlowHandler<{ eventId: string }> = {
    name: 'test-flow',
    decide: async (event, ctx) => {
      decided.push(event.eventId);
      await new Promise((r) => setImmediate(r)); // decisions of a batch interleave
      return opts.decide?.(event.eventId, ctx.conflict) ?? { outcome: 'match', effects: [] };
    },
  };
  const store = opts.store ?? new BatchStore();
  const processor = new MessageProcessor({
    groupId: 'g',
    decoder: {
      decode: async <T>(_topic: string, value: Buffer | null) => {
        const id = value!.toString();
        if (opts.undecodable?.includes(id)) throw new PermanentError('DECODE_FAILED', 'bad bytes');
        return { eventId: id } as T;
      },
    },
    store,
    handlers: new Map([[TOPIC, handler as FlowHandler<never>]]),
    isTransient: opts.isTransient ?? (() => false),
    logger: createLogger('silent'),
    events,
    backoff: { initialMs: 1, maxMs: 2 },
  });
  const hooks = { shouldStop: () => false, heartbeat: async () => undefined };
  return { processor, store, decided, sizes, hooks, events };
}

const change = (memberId: string, newCode: string): Effect => ({
  kind: 'changeCode',
  memberId,
  householdCode: null,
  expectedOldCode: null,
  newCode,
  sourceEventId: 'e',
  caseId: null,
  actor: 'AUTO',
  score: null,
  evidence: null,
});

describe('MessageProcessor.processBatch', () => {
  it('commits the events of a batch in one transaction, in order', async () => {
    const { processor, store, sizes, hooks } = setup({});
    await expect(processor.processBatch(messages(4), hooks)).resolves.toBe(4);
    expect(store.transactions).toEqual([['E0', 'E1', 'E2', 'E3']]);
    expect(sizes).toEqual([4]);
  });

  it('an undecodable message is isolated: the ones before commit as a batch, it is dead-lettered, then the rest', async () => {
    const { processor, store, hooks } = setup({ undecodable: ['E2'] });
    await expect(processor.processBatch(messages(5), hooks)).resolves.toBe(5);
    expect(store.transactions).toEqual([['E0', 'E1'], [`dlq:${TOPIC}:1:102:dlq`], ['E3', 'E4']]);
  });

  it('a decision failing for good is isolated and dead-lettered with its code; the others are not held up', async () => {
    const { processor, store, hooks } = setup({
      decide: (id) => {
        if (id === 'E1') throw new PermanentError('VALIDATION_FAILED', 'bqpCode: expected 10 digits');
        return { outcome: 'match', effects: [] };
      },
    });
    await expect(processor.processBatch(messages(4), hooks)).resolves.toBe(4);
    expect(store.transactions).toEqual([['E0'], [`dlq:${TOPIC}:1:101:dlq`], ['E2', 'E3']]);
  });

  it('a conflict: the batch commits without the event, which goes alone and is decided again, told of nothing', async () => {
    const conflicts: (Conflict | undefined)[] = [];
    const store = new BatchStore([{ conflictAt: 2, conflict: { kind: 'guard_failed', memberId: 'M' } }]);
    const { processor, hooks } = setup({
      store,
      decide: (id, conflict) => {
        if (id === 'E2') conflicts.push(conflict);
        return { outcome: 'match', effects: [] };
      },
    });
    await expect(processor.processBatch(messages(5), hooks)).resolves.toBe(5);
    expect(store.attempts[0]).toEqual(['E0', 'E1', 'E2', 'E3', 'E4']);
    expect(store.transactions).toEqual([['E0', 'E1'], ['E2:match'], ['E3', 'E4']]);
    // Alone, the event is decided afresh (its batch decision was made before the earlier events committed).
    expect(conflicts).toEqual([undefined, undefined]);
  });

  it("one event's failing effects: the batch commits without it, it goes alone, the rest is a batch again", async () => {
    const store = new BatchStore([{ itemFails: 1 }]);
    const { processor, hooks } = setup({ store });
    await expect(processor.processBatch(messages(4), hooks)).resolves.toBe(4);
    expect(store.transactions).toEqual([['E0'], ['E1:match'], ['E2', 'E3']]);
  });

  it('a decision made on a member an earlier event of the batch changes is made again after that one commits', async () => {
    const { processor, store, decided, hooks } = setup({
      decide: (id) => {
        if (id === 'E0') {
          noteRead({ members: ['M1'] });
          return { outcome: 'match', effects: [change('M1', '1111111111')] };
        }
        if (id === 'E2') noteRead({ members: ['M1'] });
        return { outcome: 'review', effects: [] };
      },
    });
    await expect(processor.processBatch(messages(4), hooks)).resolves.toBe(4);
    expect(store.transactions).toEqual([
      ['E0', 'E1'],
      ['E2', 'E3'],
    ]);
    expect(decided.filter((d) => d === 'E2')).toHaveLength(2);
  });

  it('events already processed, or repeated in the batch, are duplicates: no inbox row, no decision', async () => {
    const store = new BatchStore();
    store.processed.add('E1');
    const { processor, decided, hooks } = setup({ store });
    await expect(processor.processBatch(messages(4, ['E0', 'E1', 'E0', 'E3']), hooks)).resolves.toBe(4);
    expect(store.transactions).toEqual([['E0', 'E3']]);
    expect(decided).toEqual(['E0', 'E3']);
  });

  it('the database failing: the first event goes alone with its retries, then the rest as a batch again', async () => {
    const store = new BatchStore([new Error('connection terminated')]);
    const { processor, hooks } = setup({ store, isTransient: () => true });
    await expect(processor.processBatch(messages(4), hooks)).resolves.toBe(4);
    expect(store.transactions).toEqual([['E0:match'], ['E1', 'E2', 'E3']]);
  });

  it('told to stop: returns how many from the first are handled, and handles no more', async () => {
    const store = new BatchStore();
    const { processor } = setup({ store, undecodable: ['E2'] });
    const n = await processor.processBatch(messages(5), {
      shouldStop: () => store.transactions.length >= 1,
      heartbeat: async () => undefined,
    });
    expect(n).toBe(2);
    expect(store.transactions).toEqual([['E0', 'E1']]);
  });
});

describe('MessageProcessor.processBatch: what a committed batch reports', () => {
  it("each event once: processed with its outcome and flow, duplicates (the store's, earlier ones, repeats) apart", async () => {
    class DuplicateE3 extends BatchStore {
      override async commitBatch(inputs: CommitInput[]): Promise<BatchCommitResult> {
        const r = await super.commitBatch(inputs);
        if (r.status !== 'committed') return r;
        return {
          status: 'committed',
          results: inputs.map((i) => (i.eventId === 'E3' ? 'duplicate' : 'committed')),
        };
      }
    }
    const store = new DuplicateE3();
    store.processed.add('E1');
    const { processor, hooks, events, sizes } = setup({
      store,
      decide: (id) => ({ outcome: id === 'E2' ? 'review' : 'match', effects: [] }),
    });
    const seen: unknown[] = [];
    const durations: number[] = [];
    events.on('message.processed', (e) => {
      seen.push(['processed', e.topic, e.outcome, e.flow]);
      durations.push(e.durationSeconds);
    });
    events.on('message.duplicate', (e) => seen.push(['duplicate', e.topic]));
    await expect(processor.processBatch(messages(5, ['E0', 'E1', 'E2', 'E3', 'E0']), hooks)).resolves.toBe(5);
    expect(seen).toEqual([
      ['processed', TOPIC, 'match', 'test-flow'],
      ['processed', TOPIC, 'review', 'test-flow'],
      ['duplicate', TOPIC],
      ['duplicate', TOPIC],
      ['duplicate', TOPIC],
    ]);
    expect(durations).toHaveLength(2);
    for (const d of durations) {
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(30);
    }
    expect(sizes).toEqual([5]);
  });
});

describe('MessageProcessor.processBatch: where a batch ends and what goes alone', () => {
  it('a lone message, or one left after an isolated event, takes the single-event path', async () => {
    const { processor, store, hooks } = setup({ undecodable: ['E1'] });
    await expect(processor.processBatch(messages(1), hooks)).resolves.toBe(1);
    expect(store.transactions).toEqual([['E0:match']]);
    store.transactions.length = 0;
    store.processed.clear();
    // E0 commits as a batch of one (it was cut from three), E1 is dead-lettered alone, E2 is the last one left.
    await expect(processor.processBatch(messages(3), hooks)).resolves.toBe(3);
    expect(store.transactions).toEqual([['E0'], [`dlq:${TOPIC}:1:101:dlq`], ['E2:match']]);
  });

  it('the first decision of a batch failing for good: it is dead-lettered alone, the rest commits as a batch', async () => {
    const { processor, store, decided, sizes, hooks } = setup({
      decide: (id) => {
        if (id === 'E0') throw new PermanentError('VALIDATION_FAILED', 'bqpCode: expected 10 digits');
        return { outcome: 'match', effects: [] };
      },
    });
    await expect(processor.processBatch(messages(3), hooks)).resolves.toBe(3);
    expect(store.transactions).toEqual([[`dlq:${TOPIC}:1:100:dlq`], ['E1', 'E2']]);
    // Nothing was committed by the first attempt, so no batch is reported for it.
    expect(sizes).toEqual([2]);
    // E0 once in the batch and once alone; E1 and E2 once in each batch they were part of.
    expect(decided).toEqual(['E0', 'E1', 'E2', 'E0', 'E1', 'E2']);
  });

  it('an event whose decision failed goes alone right after the batch before it, not into another batch first', async () => {
    const { processor, store, decided, sizes, hooks } = setup({
      decide: (id) => {
        if (id === 'E1') throw new PermanentError('VALIDATION_FAILED', 'bqpCode: expected 10 digits');
        return { outcome: 'match', effects: [] };
      },
    });
    await expect(processor.processBatch(messages(4), hooks)).resolves.toBe(4);
    expect(store.transactions).toEqual([['E0'], [`dlq:${TOPIC}:1:101:dlq`], ['E2', 'E3']]);
    expect(decided).toEqual(['E0', 'E1', 'E2', 'E3', 'E1', 'E2', 'E3']);
    expect(sizes).toEqual([1, 2]);
  });

  it('a conflict at the first event: nothing commits in that attempt, the event goes alone, no empty batch is reported', async () => {
    const store = new BatchStore([{ conflictAt: 0, conflict: { kind: 'guard_failed', memberId: 'M' } }]);
    const { processor, sizes, hooks } = setup({ store });
    await expect(processor.processBatch(messages(3), hooks)).resolves.toBe(3);
    expect(store.transactions).toEqual([['E0:match'], ['E1', 'E2']]);
    expect(sizes).toEqual([2]);
  });

  it('the database failing reports no batch for the failed attempt', async () => {
    const store = new BatchStore([new Error('connection terminated')]);
    const { processor, sizes, hooks } = setup({ store, isTransient: () => true });
    await expect(processor.processBatch(messages(4), hooks)).resolves.toBe(4);
    expect(store.transactions).toEqual([['E0:match'], ['E1', 'E2', 'E3']]);
    expect(sizes).toEqual([3]);
  });

  it('a batch of duplicates only opens no transaction and reports each duplicate', async () => {
    const store = new BatchStore();
    store.processed.add('E0').add('E1');
    const { processor, decided, sizes, hooks, events } = setup({ store });
    let duplicates = 0;
    events.on('message.duplicate', () => duplicates++);
    await expect(processor.processBatch(messages(3, ['E0', 'E1', 'E0']), hooks)).resolves.toBe(3);
    expect(store.attempts).toEqual([]);
    expect(store.transactions).toEqual([]);
    expect(decided).toEqual([]);
    expect(duplicates).toBe(3);
    expect(sizes).toEqual([3]);
  });

  it('the flow is given each event with its own message', async () => {
    const offsets: string[] = [];
    const events = new RuntimeEvents();
    const handler: FlowHandler<{ eventId: string }> = {
      name: 'test-flow',
      decide: async (_event, ctx) => {
        // Read without throwing: a decision that failed would send the event down the single-event path.
        offsets.push((ctx.message as InboundMessage | undefined)?.offset ?? 'none');
        return { outcome: 'match', effects: [] };
      },
    };
    const processor = new MessageProcessor({
      groupId: 'g',
      decoder: { decode: async <T>(_t: string, v: Buffer | null) => ({ eventId: v!.toString() }) as T },
      store: new BatchStore(),
      handlers: new Map([[TOPIC, handler as FlowHandler<never>]]),
      isTransient: () => false,
      logger: createLogger('silent'),
      events,
    });
    await expect(
      processor.processBatch(messages(3), { shouldStop: () => false, heartbeat: async () => undefined }),
    ).resolves.toBe(3);
    expect(offsets).toEqual(['100', '101', '102']);
  });

  it('told to stop while an isolated event waits to be retried: it is not counted as handled', async () => {
    const store = new BatchStore();
    let failures = 0;
    const { processor } = setup({
      store,
      isTransient: () => true,
      decide: (id) => {
        if (id === 'E1') {
          failures++;
          throw new Error('connection terminated');
        }
        return { outcome: 'match', effects: [] };
      },
    });
    // E0 commits as a batch; E1 goes alone, fails again, and the stop comes while it waits: 1 handled, not 2.
    const hooks = { shouldStop: () => failures >= 2, heartbeat: async () => undefined };
    await expect(processor.processBatch(messages(2), hooks)).resolves.toBe(1);
    expect(store.transactions).toEqual([['E0']]);
    expect(failures).toBe(2);
  });

  it('a lone message told to stop while it waits to be retried: none handled', async () => {
    const store = new BatchStore();
    let failed = false;
    const { processor } = setup({
      store,
      isTransient: () => true,
      decide: () => {
        failed = true;
        throw new Error('connection terminated');
      },
    });
    const hooks = { shouldStop: () => failed, heartbeat: async () => undefined };
    await expect(processor.processBatch(messages(1), hooks)).resolves.toBe(0);
    expect(store.transactions).toEqual([]);
  });
});
