/**
 * `npm run bench:recovery`: how long a two-instance group stops processing when one instance is killed with
 * `kill -9` and started again, with the settings the adapter used before (30 s sessions) and its defaults now.
 * Prints a table and, last, one JSON line per run.
 */
import os from 'node:os';
import { DEFAULTS } from '../src/runtime/config.js';
import { runRecovery, type RecoverySettings } from './recovery/run-recovery.js';

const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const events = Number(process.env.RECOVERY_EVENTS ?? 6000);
const runs: RecoverySettings[] = [
  {
    label: 'before (session 30 s, heartbeat 3 s)',
    sessionTimeoutMs: 30_000,
    heartbeatIntervalMs: 3000,
    rebalanceTimeoutMs: 30_000,
  },
  {
    label: 'now (defaults)',
    sessionTimeoutMs: Number(DEFAULTS.KAFKA_SESSION_TIMEOUT_MS),
    heartbeatIntervalMs: Number(DEFAULTS.KAFKA_HEARTBEAT_INTERVAL_MS),
    rebalanceTimeoutMs: Number(DEFAULTS.KAFKA_REBALANCE_TIMEOUT_MS),
  },
];
const reports = [];
for (const r of runs) reports.push(await runRecovery(r, { brokers, events, members: 20_000 }));
process.stdout.write(
  `machine: ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB; broker ${brokers}; ${events} events\n`,
);
process.stdout.write(
  '| settings | longest pause (group) | first commit after restart | steady longest gap | drained in |\n|---|---:|---:|---:|---:|\n',
);
for (const r of reports) {
  process.stdout.write(
    `| ${r.label} | ${(r.longestPauseMs / 1000).toFixed(1)} s | ${r.firstCommitAfterRestartMs === null ? '—' : `${(r.firstCommitAfterRestartMs / 1000).toFixed(1)} s`} | ${(r.steadyLongestGapMs / 1000).toFixed(1)} s | ${r.drainedSeconds.toFixed(0)} s |\n`,
  );
}
for (const r of reports) process.stdout.write(`${JSON.stringify(r)}\n`);
process.exit(0);
