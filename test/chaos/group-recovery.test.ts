import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/runtime/config.js';
import { runRecovery, type RecoverySettings } from '../../bench/recovery/run-recovery.js';
import { STACK } from '../support/stack.js';

/**
 * After kill -9 the restarted instance joins under a new member id, and the group's rebalance waits for the dead
 * member's session to expire (no static membership in kafkajs): the pause is bounded by the session timeout, not by
 * the restart or the backlog. On top of the session comes one micro-batch: the group commits only when a
 * transaction does, so after the rebalance the first commit comes when the first micro-batch is done. How long
 * that takes on this machine at this moment is the steady state's own longest gap between commits, measured
 * before the kill (at least 1 s), and the new generation's join and sync take their own fraction of a second. The
 * surviving member stops after the transaction in hand as soon as any of its partitions hears of the rebalance
 * (`GroupGeneration`); before, it first worked through every batch it had fetched.
 *
 * Events (6,000 generated, the 5,073 valid ones produced): a first 1,000, then 300 a second while the instances run, so they keep
 * arriving after the restart however fast the machine is; the harness fails a run in which the kill or the restart
 * did not happen, or events stopped arriving before the restart (a quiet machine once drained a fixed backlog
 * before the kill, and the run measured nothing).
 */
const JOIN_AND_SYNC_MS = 500;

async function recover(settings: RecoverySettings) {
  const r = await runRecovery(settings, {
    brokers: STACK.kafkaBrokers.join(','),
    events: 6000,
    members: 5000,
    log: () => undefined,
  });
  process.stderr.write(`group recovery: ${JSON.stringify(r)}\n`);
  expect(r.firstCommitAfterRestartMs).not.toBeNull();
  expect(r.errorLogLines).toBe(0);
  expect(r.longestPauseMs).toBeLessThanOrEqual(
    settings.sessionTimeoutMs + Math.max(1000, r.steadyLongestGapMs) + JOIN_AND_SYNC_MS,
  );
  // The dead member's partitions: its session, the hand-over, and their first micro-batch (about BATCH_MAX_MS at
  // most; the backlog that waited makes it a full one). A survivor that delayed the rebalance would show here.
  expect(r.longestPartitionPauseMs).toBeGreaterThan(0);
  expect(r.longestPartitionPauseMs).toBeLessThanOrEqual(
    settings.sessionTimeoutMs +
      Math.max(Number(DEFAULTS.BATCH_MAX_MS), r.steadyLongestGapMs) +
      JOIN_AND_SYNC_MS,
  );
  return r;
}

describe('a crashed instance does not stall its group', () => {
  it("with the default settings, kill -9 of one of two instances and its restart: the group pauses no longer than the dead member's session and one micro-batch, and nothing logs at error level", async () => {
    await recover({
      label: 'defaults',
      sessionTimeoutMs: Number(DEFAULTS.KAFKA_SESSION_TIMEOUT_MS),
      heartbeatIntervalMs: Number(DEFAULTS.KAFKA_HEARTBEAT_INTERVAL_MS),
      rebalanceTimeoutMs: Number(DEFAULTS.KAFKA_REBALANCE_TIMEOUT_MS),
    });
  });

  it('with a 3 s session (where the broker allows it), the pause shrinks with the session', async () => {
    await recover({
      label: '3 s session',
      sessionTimeoutMs: 3000,
      heartbeatIntervalMs: 300,
      rebalanceTimeoutMs: 10000,
    });
  });
});
