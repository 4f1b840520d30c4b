import { defineConfig } from 'vitest/config';

// The unit tests that exercise the mutated core (src/matching, src/flows, src/domain, the processor), for Stryker
// (stryker.config.mjs). The CLI, console and ops unit tests start processes or read files and would only slow each
// mutant down without covering it.
export default defineConfig({
  test: {
    include: [
      'test/unit/matching/**/*.test.ts',
      'test/unit/flows/**/*.test.ts',
      'test/unit/domain/**/*.test.ts',
      'test/unit/runtime/processor*.test.ts',
      'test/unit/runtime/batching.test.ts',
    ],
    // A property check over 60,000 pairs (about 30 s): every mutant of the scorer would run it. Its claim (the early
    // exit never changes a listed score) is checked by the unit suite; the mutants it would kill are killed by the
    // fast tests or listed as survivors in docs/mutation-testing.md.
    exclude: ['test/unit/matching/score-pruning.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
