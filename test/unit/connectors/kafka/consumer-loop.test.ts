import { describe, expect, it } from 'vitest';
import { handleBatch, type BatchDeps } from '../../../../connectors/kafka/consumer-loop.js';
import type { InboundMessage, MessageHandler } from '../../../../src/ports/inbound.js';

const batch = (offsets: number[]) => ({
  topic: 'in',
  partition: 2,
  messages: offsets.map((o) => ({
    offset: String(o),
    key: null,
    value: Buffer.from(String(o)),
    headers: { h: ['1', '2'] },
  })),
});

function deps(over: Partial<BatchDeps> & { answers?: ('ok' | 'stopped')[] } = {}) {
  const handled: InboundMessage[] = [];
  const resolved: string[] = [];
  const commits: string[] = [];
  const answers = over.answers ?? [];
  const handler: MessageHandler = {
    processWithRetry: async (msg) => {
      handled.push(msg);
      return answers.shift() === 'stopped' ? 'stopped' : { status: 'processed', outcome: 'match' };
    },
  };
  const d: BatchDeps = {
    handler,
    resolveOffset: (o) => resolved.push(o),
    heartbeat: async () => undefined,
    shouldStop: () => false,
    isStale: () => false,
    commit: async (o) => void commits.push(o),
    commitEveryMs: 1_000_000,
    ...over,
  };
  return { d, handled, resolved, commits };
}

describe('handleBatch', () => {
  it('handles messages in order, resolves each offset, commits last + 1 once at the end', async () => {
    const { d, handled, resolved, commits } = deps();
    await expect(handleBatch(batch([5, 6, 7]), d)).resolves.toEqual({ handled: 3, committed: '8' });
    expect(handled.map((m) => m.offset)).toEqual(['5', '6', '7']);
    expect(resolved).toEqual(['5', '6', '7']);
    expect(commits).toEqual(['8']);
    expect(handled[0]!.headers).toEqual({ h: ['1', '2'] }); // repeated header values kept
  });

  it('commits along the way when the interval has passed', async () => {
    let t = 0;
    const { d, commits } = deps({ commitEveryMs: 10, now: () => (t += 6) });
    await handleBatch(batch([1, 2, 3, 4]), d);
    expect(commits).toEqual(['3', '5']);
  });

  it('a message whose handling was stopped is neither resolved nor committed; earlier ones are', async () => {
    const { d, resolved, commits } = deps({ answers: ['ok', 'stopped'] });
    await expect(handleBatch(batch([10, 11, 12]), d)).resolves.toEqual({ handled: 1, committed: '11' });
    expect(resolved).toEqual(['10']);
    expect(commits).toEqual(['11']);
  });

  it('stops taking new messages when told to stop', async () => {
    let n = 0;
    const { d, handled } = deps({ shouldStop: () => n++ >= 1 });
    await handleBatch(batch([1, 2, 3]), d);
    expect(handled).toHaveLength(1);
  });

  it('never commits for a stale batch (the partition belongs to another member now)', async () => {
    const { d, commits } = deps({ isStale: () => true });
    await handleBatch(batch([1, 2]), d);
    expect(commits).toEqual([]);
  });
});
