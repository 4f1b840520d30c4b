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
      'test/unit/runtime/processor.test.ts',
    ],
    environment: 'node',
    testTimeout: 60_000,
  },
});
