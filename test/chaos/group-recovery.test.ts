import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/runtime/config.js';
import { runRecovery } from '../../bench/recovery/run-recovery.js';
import { STACK } from '../support/stack.js';

describe('a crashed instance does not stall its group', () => {
  it('kill -9 of one of two instances and its restart: the group pauses at most 5 s, and nothing logs at error level', async () => {
    const r = await runRecovery(
      {
        label: 'defaults',
        sessionTimeoutMs: Number(DEFAULTS.KAFKA_SESSION_TIMEOUT_MS),
        heartbeatIntervalMs: Number(DEFAULTS.KAFKA_HEARTBEAT_INTERVAL_MS),
        rebalanceTimeoutMs: Number(DEFAULTS.KAFKA_REBALANCE_TIMEOUT_MS),
      },
      { brokers: STACK.kafkaBrokers.join(','), events: 2500, members: 5000, log: () => undefined },
    );
    process.stderr.write(`group recovery: ${JSON.stringify(r)}\n`);
    expect(r.longestPauseMs).toBeLessThanOrEqual(5000);
    expect(r.firstCommitAfterRestartMs).not.toBeNull();
    expect(r.errorLogLines).toBe(0);
  });
});
