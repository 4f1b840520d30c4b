import { defineConfig } from 'vitest/config';

// kafkajs 2.2.4 sets negative timeouts, which Node 24 reports as TimeoutNegativeWarning (and treats as 1 ms, as
// Node 20 did silently); bin/vss-bridge.mjs drops the same warning.
const execArgv = ['--disable-warning=TimeoutNegativeWarning'];

// Two projects: fast pure-logic tests, and integration tests that talk to the real
// local stack (Kafka, schema registry, PostgreSQL) brought up by `scripts/stack up`.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // A few unit tests start the CLI as a process; on 2 loaded cores that can take seconds.
          testTimeout: 30_000,
          // Projects run as ordered groups: unit, then integration, then security, then chaos alone.
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // 2 cores: the broker, registry and Postgres share them with the tests.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
          globalSetup: ['test/support/global-setup.ts'],
          execArgv,
        },
      },
      {
        // test/security: each attack of the hardening issue played against the real stack (and against our own
        // TLS PostgreSQL and Kafka on other ports), plus the fuzz test. After the integration group (it starts a
        // broker and a database of its own, heavy on 2 cores), before chaos.
        test: {
          name: 'security',
          include: ['test/security/**/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 240_000,
          maxWorkers: 2,
          sequence: { groupOrder: 2 },
          globalSetup: ['test/support/global-setup.ts'],
          execArgv,
        },
      },
      {
        // Tests that kill processes and restart PostgreSQL or the broker: run alone, after the others.
        test: {
          name: 'chaos',
          include: ['test/chaos/**/*.test.ts'],
          environment: 'node',
          testTimeout: 900_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          maxWorkers: 1,
          sequence: { groupOrder: 3 },
          globalSetup: ['test/support/global-setup.ts'],
          execArgv,
        },
      },
    ],
  },
});
