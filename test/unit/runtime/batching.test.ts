import { describe, expect, it } from 'vitest';
import type { Effect } from '../../../src/domain/effects.js';
import {
  BatchSizer,
  coalesce,
  firstStale,
  noteRead,
  ReadLog,
  takeRun,
  withReadLog,
} from '../../../src/runtime/batching.js';

const msg = (bytes: number) => ({ key: null, value: Buffer.alloc(bytes) });
const change = (memberId: string, newCode: string, expectedOldCode: string | null = null): Effect => ({
  kind: 'changeCode',
  memberId,
  householdCode: null,
  expectedOldCode,
  newCode,
  sourceEventId: 'e',
  caseId: null,
  actor: 'AUTO',
  score: null,
  evidence: null,
});
const reads = (members: string[] = [], codes: string[] = []) => {
  const log = new ReadLog();
  for (const m of members) log.members.add(m);
  for (const c of codes) log.codes.add(c);
  return log;
};

/** A fetched batch cut run after run, as handleBatch takes them with fixed limits. */
function chunkBatch<M extends { key: Buffer | null; value: Buffer | null }>(
  ms: readonly M[],
  limits: { maxEvents: number; maxBytes: number },
): M[][] {
  const out: M[][] = [];
  for (let from = 0; from < ms.length; ) {
    const run = takeRun(ms, from, limits);
    out.push(run);
    from += run.length;
  }
  return out;
}

describe('takeRun, run after run', () => {
  it('cuts by count, in order', () => {
    const ms = [1, 2, 3, 4, 5].map((n) => ({ ...msg(1), n }));
    expect(chunkBatch(ms, { maxEvents: 2, maxBytes: 1000 }).map((r) => r.map((m) => m.n))).toEqual([
      [1, 2],
      [3, 4],
      [5],
    ]);
  });

  it('cuts by bytes (key and value); a message larger than the bound goes alone', () => {
    const ms = [msg(40), msg(40), msg(30), msg(500), msg(10)];
    expect(chunkBatch(ms, { maxEvents: 100, maxBytes: 100 }).map((r) => r.length)).toEqual([2, 1, 1, 1]);
    const keyed = [
      { key: Buffer.alloc(60), value: Buffer.alloc(30) },
      { key: Buffer.alloc(5), value: Buffer.alloc(5) },
    ];
    expect(chunkBatch(keyed, { maxEvents: 100, maxBytes: 95 }).map((r) => r.length)).toEqual([1, 1]);
  });

  it('no messages, no runs', () => {
    expect(chunkBatch([], { maxEvents: 5, maxBytes: 5 })).toEqual([]);
  });
});

describe('firstStale', () => {
  it('none when decisions touch different members and codes', () => {
    expect(
      firstStale([
        { effects: [change('M1', 'C1')], reads: reads(['M1'], ['C1']) },
        { effects: [change('M2', 'C2')], reads: reads(['M2'], ['C2']) },
      ]),
    ).toBe(-1);
  });

  it('a decision that read a member an earlier event changes', () => {
    expect(
      firstStale([
        { effects: [], reads: reads(['M9']) },
        { effects: [change('M1', 'C1', 'OLD')], reads: reads(['M1']) },
        { effects: [change('M2', 'C2')], reads: reads(['M2']) },
        { effects: [], reads: reads(['M1']) },
      ]),
    ).toBe(3);
  });

  it('a decision that looked up a code an earlier event gives or takes away', () => {
    expect(
      firstStale([
        { effects: [change('M1', 'C1', 'OLD')], reads: reads() },
        { effects: [], reads: reads([], ['C1']) },
      ]),
    ).toBe(1);
    expect(
      firstStale([
        { effects: [change('M1', 'C1', 'OLD')], reads: reads() },
        { effects: [], reads: reads([], ['OLD']) },
      ]),
    ).toBe(1);
  });

  it("an event's own change does not make itself stale; a later change does not affect an earlier read", () => {
    expect(
      firstStale([
        { effects: [], reads: reads(['M1'], ['C1']) },
        { effects: [change('M1', 'C1')], reads: reads(['M1'], ['C1']) },
      ]),
    ).toBe(-1);
  });
});

describe('read logs', () => {
  it('reads note into the log of the decision that made them, across awaits, side by side', async () => {
    const a = new ReadLog();
    const b = new ReadLog();
    const tick = () => new Promise((r) => setImmediate(r));
    await Promise.all([
      withReadLog(a, async () => {
        await tick();
        noteRead({ members: ['A1', undefined], codes: ['CA', null] });
      }),
      withReadLog(b, async () => {
        noteRead({ members: ['B1'] });
        await tick();
        noteRead({ codes: ['CB'] });
      }),
    ]);
    noteRead({ members: ['outside'] }); // no decision running: ignored
    expect([...a.members, ...a.codes]).toEqual(['A1', 'CA']);
    expect([...b.members, ...b.codes]).toEqual(['B1', 'CB']);
  });
});

describe('coalesce', () => {
  it('loads made in the same turn go in one call, each caller gets its own answer', async () => {
    const calls: string[][] = [];
    const load = coalesce(async (keys: string[]) => {
      calls.push(keys);
      return keys.map((k) => k.toUpperCase());
    });
    await expect(Promise.all([load('a'), load('b'), load('c')])).resolves.toEqual(['A', 'B', 'C']);
    await expect(load('d')).resolves.toBe('D');
    expect(calls).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('splits at maxBatch, and a failing call rejects only its callers', async () => {
    const load = coalesce(
      async (keys: number[]) => {
        if (keys.includes(3)) throw new Error('boom');
        return keys.map((k) => k * 10);
      },
      { maxBatch: 2 },
    );
    const results = await Promise.allSettled([load(1), load(2), load(3), load(4)]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : 'failed'))).toEqual([
      10,
      20,
      'failed',
      'failed',
    ]);
  });

  it('an answer of the wrong length rejects instead of handing out wrong values', async () => {
    const load = coalesce(async (keys: number[]) => keys.slice(1));
    await expect(Promise.all([load(1), load(2)])).rejects.toThrow(/answered 1 values for 2 keys/);
  });
});

describe('takeRun at its bounds', () => {
  it('a run may hold exactly maxBytes; one byte more starts the next', () => {
    const sizes = (runs: { value: Buffer | null }[][]) => runs.map((r) => r.map((m) => m.value?.length ?? 0));
    expect(sizes(chunkBatch([msg(60), msg(40), msg(1)], { maxEvents: 10, maxBytes: 100 }))).toEqual([
      [60, 40],
      [1],
    ]);
    expect(sizes(chunkBatch([msg(60), msg(41)], { maxEvents: 10, maxBytes: 100 }))).toEqual([[60], [41]]);
  });

  it('an oversized first message makes a run of one, with no empty run before it', () => {
    const runs = chunkBatch([msg(500), msg(1)], { maxEvents: 10, maxBytes: 100 });
    expect(runs.map((r) => r.length)).toEqual([1, 1]);
  });

  it('counts the key of a message whose value is null (a tombstone)', () => {
    const tomb = { key: Buffer.alloc(60), value: null };
    const runs = chunkBatch([tomb, tomb], { maxEvents: 10, maxBytes: 100 });
    expect(runs.map((r) => r.length)).toEqual([1, 1]);
  });
});

describe('coalesce: when it calls loadMany', () => {
  it('a single load in its turn is answered', async () => {
    const calls: string[][] = [];
    const load = coalesce(async (keys: string[]) => (calls.push(keys), keys.map((k) => k.toUpperCase())));
    expect(await load('a')).toBe('A');
    expect(calls).toEqual([['a']]);
  });

  it('loads in different turns go in different calls; a full last part makes no empty call', async () => {
    const calls: string[][] = [];
    const load = coalesce(async (keys: string[]) => (calls.push(keys), keys), { maxBatch: 2 });
    expect(await Promise.all([load('a'), load('b')])).toEqual(['a', 'b']);
    expect(await Promise.all([load('c'), load('d'), load('e'), load('f')])).toEqual(['c', 'd', 'e', 'f']);
    expect(calls).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'f'],
    ]);
  });
});

describe('BatchSizer: micro-batches that take about BATCH_MAX_MS', () => {
  const limits = { maxEvents: 500, maxBytes: 1 << 20, maxMs: 2000 };

  it('starts small; after a slow batch, as many events as fit in maxMs; never more than maxEvents', () => {
    const s = new BatchSizer(limits);
    expect(s.maxEvents).toBe(BatchSizer.START_EVENTS);
    expect(new BatchSizer({ ...limits, maxEvents: 20 }).maxEvents).toBe(20);
    s.observe(500, 6000); // 12 ms per event: 2,000 ms hold 166
    expect(s.maxEvents).toBe(166);
    s.observe(166, 166); // 1 ms per event now: the average (6.5 ms) fits 307
    expect(s.maxEvents).toBe(307);
    for (let i = 0; i < 20; i++) s.observe(300, 30); // fast: back to the bound, not beyond
    expect(s.maxEvents).toBe(500);
  });

  it('exactly maxMs per batch is kept; never fewer than one event; no bound without maxMs', () => {
    const s = new BatchSizer(limits);
    s.observe(100, 2000); // 20 ms per event: exactly 100 fit
    expect(s.maxEvents).toBe(100);
    s.observe(0, 5); // nothing handled: nothing learnt (not an infinite time per event)
    expect(s.maxEvents).toBe(100);
    s.observe(1, 60_000); // one event took a minute (a retry): still one at a time, never none
    expect(s.maxEvents).toBe(1);
    const unbounded = new BatchSizer({ maxEvents: 500, maxBytes: 1 << 20, maxMs: 0 });
    unbounded.observe(500, 60_000);
    expect(unbounded.maxEvents).toBe(500);
  });
});
