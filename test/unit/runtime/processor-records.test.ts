import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Effect, EmitEffect } from '../../../src/domain/effects.js';
import { PermanentError } from '../../../src/domain/errors.js';
import type { BatchCommitResult, CommitResult, EventStore } from '../../../src/ports/event-store.js';
import type { FlowHandler } from '../../../src/ports/flow.js';
import type { InboundMessage } from '../../../src/ports/inbound.js';
import { RuntimeEvents } from '../../../src/runtime/events.js';
import { createLogger } from '../../../src/runtime/logger.js';
import {
  headerList,
  MessageProcessor,
  RepeatedConflictError,
  safeError,
  traceparentOf,
} from '../../../src/runtime/processor.js';

// What the processor writes and tells others (dead-letter records, the trace context passed on, events for the
// metrics), through its public methods with an in-memory EventStore.

const TOPIC = 'in.topic';
const TRACE = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

const message = (over: Partial<InboundMessage> = {}): InboundMessage => ({
  topic: TOPIC,
  partition: 3,
  offset: '41',
  key: Buffer.from('key-1'),
  value: Buffer.from('value'),
  headers: {},
  ...over,
});

interface Committed {
  eventId: string;
  outcome: string;
  effects: Effect[];
  traceparent?: string | undefined;
}

class MemoryStore implements EventStore {
  readonly commits: Committed[] = [];
  constructor(
    private readonly answer: (input: Committed) => CommitResult = (i) => ({
      status: 'committed',
      outcome: i.outcome,
    }),
    private readonly processed = new Set<string>(),
  ) {}
  async isProcessed(id: string) {
    return this.processed.has(id);
  }
  async processedAmong(ids: string[]) {
    return new Set(ids.filter((id) => this.processed.has(id)));
  }
  async commitBatch(): Promise<BatchCommitResult> {
    throw new Error('not used by these tests: they process one message at a time');
  }
  async commit(input: Committed): Promise<CommitResult> {
    const r = this.answer(input);
    if (r.status === 'committed') this.commits.push(input);
    return r;
  }
}

function processorWith(
  store: EventStore,
  opts: { maxDeadLetterValueBytes?: number; dlqTopicOf?: (t: string) => string; decode?: () => unknown } = {},
) {
  const events = new RuntimeEvents();
  const seen: { dlq: unknown[]; processed: unknown[]; duplicate: unknown[] } = {
    dlq: [],
    processed: [],
    duplicate: [],
  };
  events.on('message.dlq', (e) => seen.dlq.push(e));
  events.on('message.processed', (e) => seen.processed.push(e));
  events.on('message.duplicate', (e) => seen.duplicate.push(e));
  const handler: FlowHandler<{ eventId: string }> = {
    name: 'the-flow',
    decide: async () => ({ outcome: 'match', effects: [] }),
  };
  const processor = new MessageProcessor({
    groupId: 'group-1',
    decoder: { decode: async <T>() => (opts.decode?.() ?? { eventId: 'E-1' }) as T },
    store,
    handlers: new Map([[TOPIC, handler as FlowHandler<never>]]),
    isTransient: () => false,
    logger: createLogger('silent'),
    events,
    backoff: { initialMs: 1, maxMs: 1 },
    ...(opts.maxDeadLetterValueBytes !== undefined
      ? { maxDeadLetterValueBytes: opts.maxDeadLetterValueBytes }
      : {}),
    ...(opts.dlqTopicOf ? { dlqTopicOf: opts.dlqTopicOf } : {}),
  });
  return { processor, seen };
}

const dlqEmit = (store: MemoryStore) =>
  store.commits.find((c) => c.outcome === 'dlq')?.effects[0] as EmitEffect;
const dlqRecord = (store: MemoryStore) => dlqEmit(store).record as Record<string, unknown>;

describe('dead-letter record', () => {
  it('keeps the source, the original bytes with size and SHA-256, the error and the attempts', async () => {
    const store = new MemoryStore();
    const { processor, seen } = processorWith(store);
    const m = message({ headers: { a: 'x' } });
    const r = await processor.deadLetter(
      m,
      new PermanentError('DECODE_FAILED', 'bad magic byte'),
      'DECODE_FAILED',
      2,
    );
    expect(r).toEqual({ status: 'dead-lettered', outcome: 'dlq' });
    expect(store.commits).toHaveLength(1);
    expect(store.commits[0]!.eventId).toBe(`dlq:${TOPIC}:3:41`);
    const e = dlqEmit(store);
    expect(e).toMatchObject({ kind: 'emit', topic: { raw: `${TOPIC}.dlq` }, key: 'key-1' });
    expect(e.messageId).toBe((e.record as { eventId: string }).eventId);
    expect(dlqRecord(store)).toMatchObject({
      sourceTopic: TOPIC,
      sourcePartition: 3,
      sourceOffset: 41,
      consumerGroup: 'group-1',
      originalKey: Buffer.from('key-1'),
      originalValue: Buffer.from('value'),
      originalValueSize: 5,
      originalValueSha256: createHash('sha256').update('value').digest('hex'),
      originalValueTruncated: false,
      headers: [{ key: 'a', value: Buffer.from('x') }],
      errorClass: 'PermanentError',
      errorCode: 'DECODE_FAILED',
      errorMessage: 'bad magic byte',
      attempts: 2,
    });
    expect(seen.dlq).toEqual([{ topic: TOPIC, errorCode: 'DECODE_FAILED' }]);
  });

  it('the same source position always gets the same dead-letter id; another offset another one', async () => {
    const store = new MemoryStore();
    const { processor } = processorWith(store);
    await processor.deadLetter(message(), new Error('x'), 'UNEXPECTED', 1);
    await processor.deadLetter(message(), new Error('y'), 'UNEXPECTED', 1);
    await processor.deadLetter(message({ offset: '42' }), new Error('x'), 'UNEXPECTED', 1);
    const ids = store.commits.map((c) => (c.effects[0] as EmitEffect).messageId);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
  });

  it.each([
    ['shorter than the limit', 9, false],
    ['exactly the limit', 10, false],
    ['one byte over', 11, true],
  ])('a value %s is %s', async (_l, size, truncated) => {
    const store = new MemoryStore();
    const { processor } = processorWith(store, { maxDeadLetterValueBytes: 10 });
    const value = Buffer.alloc(size, 7);
    await processor.deadLetter(message({ value }), new Error('x'), 'UNEXPECTED', 1);
    const r = dlqRecord(store);
    expect(r.originalValueTruncated).toBe(truncated);
    expect((r.originalValue as Buffer).length).toBe(Math.min(size, 10));
    expect(r.originalValueSize).toBe(size);
    expect(r.originalValueSha256).toBe(createHash('sha256').update(value).digest('hex'));
  });

  it('the default limit keeps 900,000 bytes', async () => {
    const store = new MemoryStore();
    const { processor } = processorWith(store);
    await processor.deadLetter(message({ value: Buffer.alloc(900_001) }), new Error('x'), 'UNEXPECTED', 1);
    expect((dlqRecord(store).originalValue as Buffer).length).toBe(900_000);
    expect(dlqRecord(store).originalValueTruncated).toBe(true);
  });

  it('a null value and a null key: no size, no hash, an empty key', async () => {
    const store = new MemoryStore();
    const { processor } = processorWith(store);
    await processor.deadLetter(message({ value: null, key: null }), new Error('x'), 'UNEXPECTED', 1);
    expect(dlqRecord(store)).toMatchObject({
      originalValue: null,
      originalValueSize: null,
      originalValueSha256: null,
      originalValueTruncated: false,
      originalKey: null,
    });
    expect(dlqEmit(store).key).toBe('');
  });

  it('the dead-letter topic can be configured', async () => {
    const store = new MemoryStore();
    const { processor } = processorWith(store, { dlqTopicOf: (t) => `dead.${t}` });
    await processor.deadLetter(message(), new Error('x'), 'UNEXPECTED', 1);
    expect(dlqEmit(store).topic).toEqual({ raw: `dead.${TOPIC}` });
  });

  it('a dead letter already written (its inbox row exists) is a duplicate and emits nothing', async () => {
    const store = new MemoryStore(() => ({ status: 'duplicate', outcome: 'duplicate' }));
    const { processor, seen } = processorWith(store);
    await expect(processor.deadLetter(message(), new Error('x'), 'UNEXPECTED', 1)).resolves.toEqual({
      status: 'duplicate',
      outcome: 'dlq',
    });
    expect(seen.dlq).toEqual([]);
  });

  it('a conflict while writing a dead letter is a bug', async () => {
    const store = new MemoryStore(() => ({
      status: 'conflict',
      conflict: { kind: 'guard_failed', memberId: 'M' },
    }));
    const { processor } = processorWith(store);
    await expect(processor.deadLetter(message(), new Error('x'), 'UNEXPECTED', 1)).rejects.toBeInstanceOf(
      RepeatedConflictError,
    );
  });

  it('the error message is scrubbed of personal data before it leaves', async () => {
    const store = new MemoryStore();
    const { processor } = processorWith(store);
    await processor.deadLetter(
      message(),
      new Error('duplicate key: id_number=001085012345'),
      'UNEXPECTED',
      1,
    );
    expect(String(dlqRecord(store).errorMessage)).not.toContain('001085012345');
  });
});

describe('processing events for the metrics', () => {
  it('a processed message reports its topic, outcome, flow and a positive duration', async () => {
    const store = new MemoryStore();
    const { processor, seen } = processorWith(store);
    await expect(processor.process(message())).resolves.toEqual({ status: 'processed', outcome: 'match' });
    expect(seen.processed).toHaveLength(1);
    const e = seen.processed[0] as { topic: string; outcome: string; flow: string; durationSeconds: number };
    expect(e).toMatchObject({ topic: TOPIC, outcome: 'match', flow: 'the-flow' });
    expect(e.durationSeconds).toBeGreaterThan(0);
    expect(e.durationSeconds).toBeLessThan(60);
  });

  it('a duplicate found by the store (a concurrent first copy) is reported as a duplicate, not processed', async () => {
    const store = new MemoryStore(() => ({ status: 'duplicate', outcome: 'duplicate' }));
    const { processor, seen } = processorWith(store);
    await expect(processor.process(message())).resolves.toEqual({
      status: 'duplicate',
      outcome: 'duplicate',
    });
    expect(seen.duplicate).toEqual([{ topic: TOPIC }]);
    expect(seen.processed).toEqual([]);
  });

  it('an event already in the inbox is reported as a duplicate, not processed', async () => {
    const store = new MemoryStore(undefined, new Set(['E-1']));
    const { processor, seen } = processorWith(store);
    await expect(processor.process(message())).resolves.toEqual({
      status: 'duplicate',
      outcome: 'duplicate',
    });
    expect(seen.duplicate).toEqual([{ topic: TOPIC }]);
    expect(seen.processed).toEqual([]);
    expect(store.commits).toEqual([]);
  });

  it('a message on a topic no flow handles is dead-lettered as INVALID_REQUEST', async () => {
    const store = new MemoryStore();
    const { processor } = processorWith(store);
    await expect(processor.process(message({ topic: 'other' }))).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
    await expect(processor.processWithRetry(message({ topic: 'other' }))).resolves.toEqual({
      status: 'dead-lettered',
      outcome: 'dlq',
    });
    expect(dlqRecord(store)).toMatchObject({ errorCode: 'INVALID_REQUEST', sourceTopic: 'other' });
  });

  it('the trace context goes to the store only when it is valid', async () => {
    const store = new MemoryStore();
    const { processor } = processorWith(store, { decode: () => ({ eventId: `E-${store.commits.length}` }) });
    await processor.process(message({ headers: { traceparent: TRACE } }));
    await processor.process(message({ headers: { traceparent: 'garbage' } }));
    expect(store.commits.map((c) => c.traceparent)).toEqual([TRACE, undefined]);
  });
});

describe('traceparentOf', () => {
  it.each<[string, InboundMessage['headers'][string], string | undefined]>([
    ['a valid string', TRACE, TRACE],
    ['a valid Buffer', Buffer.from(TRACE), TRACE],
    ['the first of repeated values', [TRACE, 'x'], TRACE],
    ['absent', undefined, undefined],
    ['an empty list', [], undefined],
    ['junk before', `x${TRACE}`, undefined],
    ['junk after', `${TRACE}x`, undefined],
    ['upper case', TRACE.toUpperCase(), undefined],
    ['version ff', `ff${TRACE.slice(2)}`, undefined],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-b7ad6b7169203331-01`, undefined],
    ['an all-zero parent id', `00-0af7651916cd43dd8448eb211c80319c-${'0'.repeat(16)}-01`, undefined],
    [
      'a trace id with zeros only at the start',
      `00-${'0'.repeat(31)}1-b7ad6b7169203331-01`,
      `00-${'0'.repeat(31)}1-b7ad6b7169203331-01`,
    ],
    [
      'a trace id with zeros only at the end',
      `00-1${'0'.repeat(31)}-b7ad6b7169203331-01`,
      `00-1${'0'.repeat(31)}-b7ad6b7169203331-01`,
    ],
    [
      'a parent id with zeros only at the end',
      `00-0af7651916cd43dd8448eb211c80319c-1${'0'.repeat(15)}-01`,
      `00-0af7651916cd43dd8448eb211c80319c-1${'0'.repeat(15)}-01`,
    ],
    [
      'a parent id with zeros only at the start',
      `00-0af7651916cd43dd8448eb211c80319c-${'0'.repeat(15)}1-01`,
      `00-0af7651916cd43dd8448eb211c80319c-${'0'.repeat(15)}1-01`,
    ],
    ['a short trace id', '00-0af7651916cd43dd8448eb211c8031-b7ad6b7169203331-01', undefined],
  ])('%s', (_l, v, expected) => {
    expect(traceparentOf(v)).toBe(expected);
  });
});

describe('safeError', () => {
  it('an error with a string code keeps class, code and message', () => {
    const e = Object.assign(new TypeError('boom'), { code: 'E_BOOM' });
    expect(safeError(e)).toEqual({ type: 'TypeError', code: 'E_BOOM', message: 'boom' });
  });
  it('a non-string code is left out', () => {
    expect(safeError(Object.assign(new Error('boom'), { code: 42 }))).toEqual({
      type: 'Error',
      message: 'boom',
    });
  });
  it('a thrown non-error is described by its type', () => {
    expect(safeError('text')).toEqual({ type: 'string', message: 'text' });
    expect(safeError(7)).toEqual({ type: 'number', message: '7' });
  });
  it('messages are scrubbed and bounded', () => {
    expect(safeError(new Error('id 001085012345')).message).not.toContain('001085012345');
    expect(safeError(new Error('x'.repeat(1000))).message.length).toBeLessThanOrEqual(301);
  });
});

describe('headerList', () => {
  it('every value in order, repeated keys and missing values included', () => {
    expect(headerList({ a: 'x', b: [Buffer.from('1'), '2'], c: undefined })).toEqual([
      { key: 'a', value: Buffer.from('x') },
      { key: 'b', value: Buffer.from('1') },
      { key: 'b', value: Buffer.from('2') },
      { key: 'c', value: null },
    ]);
  });
});
