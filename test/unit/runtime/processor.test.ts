import { describe, expect, it } from 'vitest';
import type { Conflict, Decision, Effect, EmitEffect } from '../../../src/domain/effects.js';
import { PermanentError, TransientError } from '../../../src/domain/errors.js';
import type { BatchCommitResult, CommitResult, EventStore } from '../../../src/ports/event-store.js';
import type { DecideContext, FlowHandler } from '../../../src/ports/flow.js';
import type { Decoder, InboundMessage } from '../../../src/ports/inbound.js';
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
