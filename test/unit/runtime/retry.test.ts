import { describe, expect, it } from 'vitest';
import { backoffDelay, retry } from '../../../src/runtime/retry.js';

describe('backoffDelay', () => {
  it('doubles per attempt within [half, full] of the step, capped at maxMs', () => {
    const b = { initialMs: 100, maxMs: 1000 };
    expect(backoffDelay(1, b, () => 0)).toBe(50);
    expect(backoffDelay(1, b, () => 1)).toBe(100);
    expect(backoffDelay(3, b, () => 1)).toBe(400);
    expect(backoffDelay(10, b, () => 1)).toBe(1000);
    expect(backoffDelay(10, b, () => 0)).toBe(500);
  });
});

describe('retry', () => {
  const fast = { backoff: { initialMs: 1, maxMs: 1 } };

  it('returns the first success and reports each failure before waiting', async () => {
    const seen: number[] = [];
    let n = 0;
    const r = await retry(
      async () => {
        if (++n < 3) throw new Error(`fail ${n}`);
        return 'ok';
      },
      { ...fast, onRetry: (_e, attempt) => seen.push(attempt) },
    );
    expect(r).toBe('ok');
    expect(seen).toEqual([1, 2]);
  });

  it('bails out at once on an error the caller says retrying cannot heal', async () => {
    let n = 0;
    const permanent = new Error('bad input');
    await expect(
      retry(
        async () => {
          n++;
          throw permanent;
        },
        { ...fast, bail: (e) => e === permanent },
      ),
    ).rejects.toBe(permanent);
    expect(n).toBe(1);
  });

  it('gives up waiting when told to stop, and heartbeats while it waits', async () => {
    let beats = 0;
    let stop = false;
    const r = await retry(
      async () => {
        throw new Error('down');
      },
      {
        backoff: { initialMs: 50, maxMs: 50 },
        heartbeat: async () => {
          beats++;
          stop = true;
        },
        shouldStop: () => stop,
        sleep: async () => undefined,
      },
    );
    expect(r).toBe('stopped');
    expect(beats).toBe(1);
  });
});
