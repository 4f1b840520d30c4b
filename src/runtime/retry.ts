/**
 * The one retry policy of the process (the consumer's processing and the outbox relay): exponential backoff with
 * jitter, a bail-out for errors that retrying cannot heal, a stop signal checked while waiting, and a heartbeat so a
 * long wait does not cost the consumer its group membership.
 */
export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 200, maxMs: 30_000 };

/** Delay before attempt `attempt + 1`: exponential in the attempt, capped, with "equal jitter" (half fixed). */
export function backoffDelay(attempt: number, b: Backoff, random: () => number = Math.random): number {
  const delay = Math.min(b.maxMs, b.initialMs * 2 ** Math.min(Math.max(attempt - 1, 0), 16));
  return delay / 2 + random() * (delay / 2);
}

export interface RetryOptions {
  backoff?: Backoff;
  /** Errors for which retrying is pointless: rethrown at once. */
  bail?: (e: unknown) => boolean;
  /** Called before each wait (logging, metrics). */
  onRetry?: (e: unknown, attempt: number, delayMs: number) => void;
  shouldStop?: () => boolean;
  heartbeat?: () => Promise<void>;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Runs `fn` until it returns; 'stopped' when `shouldStop` turned true while waiting. */
export async function retry<T>(
  fn: (attempt: number) => Promise<T>,
  opts: RetryOptions = {},
): Promise<T | 'stopped'> {
  const backoff = opts.backoff ?? DEFAULT_BACKOFF;
  const sleep = opts.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (opts.bail?.(e)) throw e;
      const delay = backoffDelay(attempt, backoff, opts.random);
      opts.onRetry?.(e, attempt, delay);
      const until = Date.now() + delay;
      for (;;) {
        if (opts.shouldStop?.()) return 'stopped';
        const left = until - Date.now();
        if (left <= 0) break;
        await opts.heartbeat?.().catch(() => undefined);
        await sleep(Math.min(1000, left));
      }
      if (opts.shouldStop?.()) return 'stopped';
    }
  }
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}
