import { describe, expect, it } from 'vitest';
import type { Conflict, Decision, Effect, EmitEffect } from '../../../src/domain/effects.js';
import { PermanentError, TransientError } from '../../../src/domain/errors.js';
import type { BatchCommitResult, CommitResult, EventStore } from '../../../src/ports/event-store.js';
import type { DecideContext, FlowHandler } from '../../../src/ports/flow.js';
import type { Decoder, InboundMessage } from '../../../src/ports/inbound.js';
import { deterministicUuid } from '../../../src/domain/ids.js';
import { RuntimeEvents } from '../../../src/runtime/events.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { MessageProcessor, traceparentOf } from '../../../src/runtime/processor.js';

const TOPIC = 'in.topic';
const TRACE = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

function message(over: Partial<InboundMessage> = {}): InboundMessage {
  return {
    topic: TOPIC,
    partition: 0,
    offset: '7',
    key: Buffer.from('k'),
    value: Buffer.from('v'),
    headers: { traceparent: TRACE },
    ...over,
  };
}

/** An in-memory EventStore recording every commit; `script` answers commits in turn (default: committed). */
class MemoryStore implements EventStore {
  readonly commits: {
    eventId: string;
    outcome: string;
    effects: Effect[];
    traceparent?: string | undefined;
  }[] = [];
  readonly processed = new Set<string>();
  constructor(private readonly script: (CommitResult | Error)[] = []) {}
  async isProcessed(id: string) {
    return this.processed.has(id);
  }
  async processedAmong(ids: string[]) {
    return new Set(ids.filter((id) => this.processed.has(id)));
  }
  async commitBatch(): Promise<BatchCommitResult> {
    throw new Error('not used by these tests');
  }
  async commit(input: Parameters<EventStore['commit']>[0]): Promise<CommitResult> {
    const next = this.script.shift();
    if (next instanceof Error) throw next;
    if (next && next.status !== 'committed') return next;
    this.commits.push(input);
    this.processed.add(input.eventId);
    return { status: 'committed', outcome: input.outcome };
  }
}

function setup(opts: {
  decode?: Decoder['decode'];
  decide?: (ctx: DecideContext) => Promise<Decision>;
  store?: MemoryStore;
  isTransient?: (e: unknown) => boolean;
  maxUnexpectedAttempts?: number;
}) {
  const events = new RuntimeEvents();
  const seen: { retry: number; dlq: string[]; conflict: string[] } = { retry: 0, dlq: [], conflict: [] };
  events.on('message.retry', () => seen.retry++);
  events.on('message.dlq', (e) => seen.dlq.push(e.errorCode));
  events.on('message.conflict', (e) => seen.conflict.push(e.conflict));
  const contexts: DecideContext[] = [];
  const handler: FlowHandler<{ eventId: string }> = {
    name: 'test-flow',
    decide: async (_event, ctx) => {
      contexts.push(ctx);
      return opts.decide ? opts.decide(ctx) : { outcome: 'match', effects: [] };
    },
  };
  const store = opts.store ?? new MemoryStore();
  const processor = new MessageProcessor({
    groupId: 'g',
    decoder: { decode: opts.decode ?? (async <T>() => ({ eventId: 'E-1' }) as T) },
    store,
    handlers: new Map([[TOPIC, handler as FlowHandler<never>]]),
    isTransient: opts.isTransient ?? (() => false),
    logger: createLogger('silent'),
    events,
    backoff: { initialMs: 1, maxMs: 2 },
    ...(opts.maxUnexpectedAttempts ? { maxUnexpectedAttempts: opts.maxUnexpectedAttempts } : {}),
  });
  return { processor, store, seen, contexts };
}

const deadLetter = (store: MemoryStore) => {
  const c = store.commits.find((x) => x.outcome === 'dlq');
  return (c?.effects[0] as EmitEffect | undefined)?.record as
    | {
        errorCode: string;
        attempts: number;
        headers: { key: string; value: Buffer | null }[];
        originalValue: Buffer;
      }
    | undefined;
};

describe('MessageProcessor', () => {
  it('processes a message: flow decision committed with the inbox row, the trace context passed on', async () => {
    const { processor, store } = setup({});
    await expect(processor.processWithRetry(message())).resolves.toEqual({
      status: 'processed',
      outcome: 'match',
    });
    expect(store.commits).toHaveLength(1);
    expect(store.commits[0]).toMatchObject({ eventId: 'E-1', outcome: 'match', traceparent: TRACE });
  });

  it('an undecodable message is dead-lettered at once with the decoder code and the original bytes', async () => {
    const { processor, store, seen } = setup({
      decode: async () => {
        throw new PermanentError('DECODE_FAILED', 'magic byte 7, expected 0');
      },
    });
    await expect(processor.processWithRetry(message())).resolves.toMatchObject({ status: 'dead-lettered' });
    expect(seen).toMatchObject({ retry: 0, dlq: ['DECODE_FAILED'] });
    expect(deadLetter(store)).toMatchObject({ errorCode: 'DECODE_FAILED', attempts: 1 });
    expect(deadLetter(store)!.originalValue.toString()).toBe('v');
    expect(store.commits[0]!.eventId).toBe(`dlq:${TOPIC}:0:7`);
  });

  it('a permanent error from any later step (the store) is dead-lettered with its own code, not retried', async () => {
    const store = new MemoryStore([new PermanentError('VALIDATION_FAILED', 'person.fullName: empty')]);
    const { processor, seen } = setup({ store });
    await expect(processor.processWithRetry(message())).resolves.toMatchObject({ status: 'dead-lettered' });
    expect(seen).toMatchObject({ retry: 0, dlq: ['VALIDATION_FAILED'] });
  });

  it('a transient error is retried until it heals; nothing is dead-lettered', async () => {
    const store = new MemoryStore([new TransientError('db down'), new TransientError('db down')]);
    const { processor, seen } = setup({ store, maxUnexpectedAttempts: 2 });
    await expect(processor.processWithRetry(message())).resolves.toMatchObject({ status: 'processed' });
    expect(seen.retry).toBe(2);
    expect(seen.dlq).toEqual([]);
  });

  it('errors the classifier calls transient are never counted toward dead-lettering', async () => {
    const flaky = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const store = new MemoryStore([flaky, flaky, flaky, flaky]);
    const { processor, seen } = setup({ store, maxUnexpectedAttempts: 2, isTransient: (e) => e === flaky });
    await expect(processor.processWithRetry(message())).resolves.toMatchObject({ status: 'processed' });
    expect(seen).toMatchObject({ retry: 4, dlq: [] });
  });

  it('an unexpected error is retried a bounded number of times, then dead-lettered as UNEXPECTED', async () => {
    let calls = 0;
    const { processor, store, seen } = setup({
      maxUnexpectedAttempts: 3,
      decide: async () => {
        calls++;
        throw new TypeError('x is undefined');
      },
    });
    await expect(processor.processWithRetry(message())).resolves.toMatchObject({ status: 'dead-lettered' });
    expect(calls).toBe(3);
    expect(seen).toMatchObject({ retry: 2, dlq: ['UNEXPECTED'] });
    expect(deadLetter(store)).toMatchObject({ errorCode: 'UNEXPECTED', attempts: 3 });
  });

  it('a conflict in the store makes the flow decide again, told of the conflict', async () => {
    const conflict: Conflict = { kind: 'guard_failed', memberId: 'M-1' };
    const store = new MemoryStore([{ status: 'conflict', conflict }]);
    const { processor, contexts, seen } = setup({
      store,
      decide: async (ctx) => ({ outcome: ctx.conflict ? 'review' : 'match', effects: [] }),
    });
    await expect(processor.processWithRetry(message())).resolves.toEqual({
      status: 'processed',
      outcome: 'review',
    });
    expect(contexts.map((c) => c.conflict)).toEqual([undefined, conflict]);
    expect(seen.conflict).toEqual(['guard_failed']);
    expect(store.commits).toHaveLength(1);
  });

  it('a second conflict after the flow was told of one is a bug: retried as unexpected, then dead-lettered', async () => {
    const conflict: Conflict = { kind: 'code_in_use', memberId: 'M-1', code: '9700000001' };
    const store = new MemoryStore(
      Array.from({ length: 6 }, () => ({ status: 'conflict' as const, conflict })),
    );
    const { processor, seen } = setup({ store, maxUnexpectedAttempts: 3 });
    await expect(processor.processWithRetry(message())).resolves.toMatchObject({ status: 'dead-lettered' });
    expect(seen.dlq).toEqual(['UNEXPECTED']);
  });

  it('a redelivered event already in the inbox is a duplicate: the flow is not asked', async () => {
    const store = new MemoryStore();
    store.processed.add('E-1');
    const { processor, contexts } = setup({ store });
    await expect(processor.processWithRetry(message())).resolves.toEqual({
      status: 'duplicate',
      outcome: 'duplicate',
    });
    expect(contexts).toHaveLength(0);
  });

  it('returns "stopped" when told to stop while waiting to retry, and commits nothing', async () => {
    const store = new MemoryStore([new TransientError('down'), new TransientError('down')]);
    const { processor } = setup({ store });
    let asked = 0;
    const r = await processor.processWithRetry(message(), {
      shouldStop: () => ++asked > 0,
      heartbeat: async () => undefined,
    });
    expect(r).toBe('stopped');
    expect(store.commits).toHaveLength(0);
  });

  it('a dead letter keeps every header value in order, repeated keys included', async () => {
    const { processor, store } = setup({
      decode: async () => {
        throw new PermanentError('DECODE_FAILED', 'bad');
      },
    });
    await processor.processWithRetry(message({ headers: { a: ['1', Buffer.from('2')], b: 'x' } }));
    const headers = deadLetter(store)!.headers.map((h) => [h.key, h.value?.toString()]);
    expect(headers).toEqual([
      ['a', '1'],
      ['a', '2'],
      ['b', 'x'],
    ]);
  });
});

describe('MessageProcessor: how it retries', () => {
  function withSleep(backoff: { initialMs: number; maxMs: number } | undefined) {
    const events = new RuntimeEvents();
    const retries: unknown[] = [];
    events.on('message.retry', (e) => retries.push(e));
    const slept: number[] = [];
    const store = new MemoryStore([new TransientError('db down'), new TransientError('db down')]);
    const handler: FlowHandler<{ eventId: string }> = {
      name: 'test-flow',
      decide: async () => ({ outcome: 'match', effects: [] }),
    };
    const processor = new MessageProcessor({
      groupId: 'g',
      decoder: { decode: async <T>() => ({ eventId: 'E-1' }) as T },
      store,
      handlers: new Map([[TOPIC, handler as FlowHandler<never>]]),
      isTransient: () => false,
      logger: createLogger('silent'),
      events,
      ...(backoff ? { backoff } : {}),
      sleep: async (ms) => {
        slept.push(ms);
        await new Promise((r) => setTimeout(r, ms));
      },
    });
    return { processor, slept, retries };
  }

  it('waits between attempts with the configured backoff, through the given sleep', async () => {
    const { processor, slept, retries } = withSleep({ initialMs: 10, maxMs: 40 });
    await expect(processor.processWithRetry(message())).resolves.toMatchObject({ status: 'processed' });
    // Equal jitter: half the delay is fixed. Attempt 1 waits 5–10 ms, attempt 2 10–20 ms (a timer firing a little
    // early adds a short wait for the rest).
    expect(slept[0]).toBeGreaterThanOrEqual(4);
    expect(slept[0]).toBeLessThanOrEqual(10);
    expect(Math.max(...slept)).toBeLessThanOrEqual(20);
    expect(slept.filter((ms) => ms >= 9)).not.toHaveLength(0);
    expect(retries).toEqual([
      { topic: TOPIC, partition: 0, attempt: 1, errorClass: 'TransientError' },
      { topic: TOPIC, partition: 0, attempt: 2, errorClass: 'TransientError' },
    ]);
  });

  it('without a configured backoff the default one applies (first wait 100–200 ms)', async () => {
    const { processor, slept } = withSleep(undefined);
    await expect(processor.processWithRetry(message())).resolves.toMatchObject({ status: 'processed' });
    expect(slept[0]).toBeGreaterThanOrEqual(100);
    expect(slept[0]).toBeLessThanOrEqual(200);
  });

  it('a repeated conflict is dead-lettered as such: its class and the conflict kind are in the dead letter', async () => {
    const conflict: Conflict = { kind: 'code_in_use', memberId: 'M-1', code: '9700000001' };
    const store = new MemoryStore(
      Array.from({ length: 2 }, () => ({ status: 'conflict' as const, conflict })),
    );
    const { processor } = setup({ store, maxUnexpectedAttempts: 1 });
    await expect(processor.processWithRetry(message())).resolves.toMatchObject({ status: 'dead-lettered' });
    const record = deadLetter(store) as unknown as { errorClass: string; errorMessage: string };
    expect(record.errorClass).toBe('RepeatedConflictError');
    expect(record.errorMessage).toContain('code_in_use');
    expect(record.errorMessage).not.toContain('9700000001');
  });

  it("the dead letter's id is the dead-letter name of its source position", async () => {
    const { processor, store } = setup({
      decode: async () => {
        throw new PermanentError('DECODE_FAILED', 'bad');
      },
    });
    await processor.processWithRetry(message());
    const c = store.commits.find((x) => x.outcome === 'dlq')!;
    expect((c.effects[0] as EmitEffect).messageId).toBe(deterministicUuid('dead-letter', TOPIC, '0', '7'));
  });
});

describe('traceparentOf', () => {
  it.each([
    [TRACE, TRACE],
    [Buffer.from(TRACE), TRACE],
    [[TRACE, 'other'], TRACE],
    [`${TRACE}\r\nX-Injected: 1`, undefined],
    ['00-00000000000000000000000000000000-b7ad6b7169203331-01', undefined],
    ['ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', undefined],
    ['not a trace', undefined],
    [undefined, undefined],
  ])('%s → %s', (input, expected) => {
    expect(traceparentOf(input as never)).toBe(expected);
  });
});
