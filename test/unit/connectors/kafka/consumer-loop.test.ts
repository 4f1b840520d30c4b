import { describe, expect, it, vi } from 'vitest';
import { GroupGeneration, handleBatch, type BatchDeps } from '../../../../connectors/kafka/consumer-loop.js';
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
    let seen: InboundMessage[] = [];
    const { d, handled } = deps({ shouldStop: () => seen.length >= 1 });
    seen = handled;
    await handleBatch(batch([1, 2, 3]), d);
    expect(handled).toHaveLength(1);
  });

  it('never commits for a stale batch (the partition belongs to another member now)', async () => {
    const { d, commits } = deps({ isStale: () => true });
    await handleBatch(batch([1, 2]), d);
    expect(commits).toEqual([]);
  });
});

/** A rebalance error as kafkajs throws it from a heartbeat. */
const rebalancing = () =>
  Object.assign(new Error('The group is rebalancing, so a rejoin is needed'), {
    type: 'REBALANCE_IN_PROGRESS',
  });

/** A handler whose micro-batches (two messages each) wait for `open()` before their transaction commits. */
function slowBatches() {
  const transactions: string[][] = [];
  const started: string[][] = [];
  let release: (() => void)[] = [];
  const handler: MessageHandler = {
    processWithRetry: async () => ({ status: 'processed', outcome: 'match' }),
    processBatch: async (msgs, hooks) => {
      if (hooks.shouldStop()) return 0;
      started.push(msgs.map((m) => m.offset));
      await new Promise<void>((r) => release.push(r));
      transactions.push(msgs.map((m) => m.offset));
      return msgs.length;
    },
  };
  const open = () => {
    const r = release;
    release = [];
    r.forEach((f) => f());
  };
  return { handler, transactions, started, open };
}

describe('handleBatch and the group generation: a rebalance stops every partition at once', () => {
  const limits = { maxEvents: 2, maxBytes: 1 << 20 };

  it('heartbeats at the given interval during a slow micro-batch; a rebalance answer stops after the transaction in hand', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const gen = new GroupGeneration();
      const slow = slowBatches();
      let beats = 0;
      const heartbeat = gen.watch(async () => {
        beats++;
        if (beats >= 2) throw rebalancing();
      });
      const { d, commits } = deps({
        handler: slow.handler,
        heartbeat,
        heartbeatEveryMs: 300,
        shouldStop: () => gen.mustRejoin,
        batch: limits,
      });
      const done = handleBatch(batch([1, 2, 3, 4, 5, 6]), d);
      await vi.waitFor(() => expect(slow.started).toHaveLength(1));
      vi.advanceTimersByTime(300);
      await vi.waitFor(() => expect(beats).toBe(1));
      expect(gen.mustRejoin).toBe(false); // a heartbeat that succeeds changes nothing
      vi.advanceTimersByTime(300);
      await vi.waitFor(() => expect(gen.mustRejoin).toBe(true));
      slow.open();
      // Without the stop, [3, 4] and [5, 6] would follow: the member would rejoin only after its whole backlog.
      await expect(done).resolves.toEqual({ handled: 2, committed: '3' });
      expect(slow.transactions).toEqual([['1', '2']]);
      expect(commits).toEqual(['3']);
    } finally {
      vi.useRealTimers();
    }
  });

  it("one partition's failed heartbeat stops the others after their transaction, and batches queued behind them handle nothing", async () => {
    const gen = new GroupGeneration();
    const slow = slowBatches();
    let fail = false;
    const heartbeat = gen.watch(async () => {
      if (fail) throw rebalancing();
    });
    const part = (partition: number, offsets: number[]) => {
      const { d, commits } = deps({
        handler: slow.handler,
        heartbeat,
        shouldStop: () => gen.mustRejoin,
        batch: limits,
      });
      return { run: () => handleBatch({ ...batch(offsets), partition }, d), commits };
    };
    const p0 = part(0, [1, 2, 3, 4]);
    const p1 = part(1, [11, 12, 13, 14]);
    const running = [p0.run(), p1.run()];
    await vi.waitFor(() => expect(slow.started).toHaveLength(2));
    fail = true;
    await expect(heartbeat()).rejects.toThrow('rebalancing');
    slow.open();
    await expect(Promise.all(running)).resolves.toEqual([
      { handled: 2, committed: '3' },
      { handled: 2, committed: '13' },
    ]);
    // A batch the member had fetched but not started (kafkajs queues them behind its workers).
    const p2 = part(2, [21, 22]);
    await expect(p2.run()).resolves.toEqual({ handled: 0, committed: null });
    expect(p2.commits).toEqual([]);
    expect(slow.transactions).toEqual([
      ['1', '2'],
      ['11', '12'],
    ]);
    // Joined again: work goes on.
    gen.joined();
    fail = false;
    const again = part(2, [21, 22]).run();
    await vi.waitFor(() => expect(slow.started).toHaveLength(3));
    slow.open();
    await expect(again).resolves.toEqual({ handled: 2, committed: '23' });
  });

  it('no heartbeat is sent once the batch has returned (its timer is cleared, also when the handler throws)', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      let beats = 0;
      const heartbeat = async () => void beats++;
      const { d } = deps({ heartbeat, heartbeatEveryMs: 100 });
      await handleBatch(batch([1, 2]), d);
      const failing: MessageHandler = {
        processWithRetry: async () => {
          throw new Error('bug');
        },
      };
      const { d: d2 } = deps({ heartbeat, heartbeatEveryMs: 100, handler: failing });
      await expect(handleBatch(batch([1]), d2)).rejects.toThrow('bug');
      beats = 0;
      vi.advanceTimersByTime(10_000);
      expect(beats).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('only answers that ask the member to rejoin count; other heartbeat failures are passed on and change nothing', async () => {
    const gen = new GroupGeneration();
    const down = gen.watch(async () => {
      throw Object.assign(new Error('Connection timeout'), { type: 'NETWORK' });
    });
    await expect(down()).rejects.toThrow('Connection timeout');
    expect(gen.mustRejoin).toBe(false);
    for (const type of [
      'REBALANCE_IN_PROGRESS',
      'ILLEGAL_GENERATION',
      'UNKNOWN_MEMBER_ID',
      'NOT_COORDINATOR_FOR_GROUP',
    ]) {
      const g = new GroupGeneration();
      await expect(
        g.watch(async () => {
          throw Object.assign(new Error(type), { type });
        })(),
      ).rejects.toThrow(type);
      expect(g.mustRejoin, type).toBe(true);
    }
  });
});

describe('handleBatch with a BatchSizer', () => {
  it('cuts each micro-batch at the size the sizer gives at that moment, and tells it how long each fully handled one took', async () => {
    const sizes: number[] = [];
    const observed: number[] = [];
    let next = 3;
    const sizer = {
      get maxEvents() {
        return next;
      },
      observe: (events: number, ms: number) => {
        observed.push(events);
        expect(ms).toBeGreaterThanOrEqual(0);
        next = 1 + (next % 2); // 3, then 2, then 1, 2, 1 …
      },
    };
    const handler: MessageHandler = {
      processWithRetry: async () => {
        sizes.push(1);
        return { status: 'processed', outcome: 'match' };
      },
      processBatch: async (msgs) => {
        sizes.push(msgs.length);
        return msgs.length;
      },
    };
    const { d, resolved } = deps({ handler, sizer, batch: { maxEvents: 500, maxBytes: 1 << 20 } });
    await expect(handleBatch(batch([1, 2, 3, 4, 5, 6, 7, 8]), d)).resolves.toEqual({
      handled: 8,
      committed: '9',
    });
    expect(sizes).toEqual([3, 2, 1, 2]);
    expect(observed).toEqual([3, 2, 1, 2]);
    expect(resolved).toHaveLength(8);
  });

  it('a micro-batch cut short (told to stop) teaches the sizer nothing', async () => {
    const observed: number[] = [];
    const sizer = { maxEvents: 2, observe: (events: number) => void observed.push(events) };
    const handler: MessageHandler = {
      processWithRetry: async () => ({ status: 'processed', outcome: 'match' }),
      processBatch: async () => 1,
    };
    const { d } = deps({ handler, sizer, batch: { maxEvents: 2, maxBytes: 1 << 20 } });
    await expect(handleBatch(batch([1, 2, 3]), d)).resolves.toEqual({ handled: 1, committed: '2' });
    expect(observed).toEqual([]);
  });
});
