// Mutation testing of the core (`npm run test:mutation`, see docs/mutation-testing.md). One area per run:
// MUTATION_AREA=matching|flows|domain|processor picks the files to mutate; scripts/mutation runs them in turn.
// The machine's 2 cores are shared, so at most 2 test processes, and each mutant runs only the tests that cover it.
const areas = {
  matching: ['src/matching/**/*.ts'],
  flows: ['src/flows/**/*.ts'],
  domain: ['src/domain/**/*.ts'],
  processor: ['src/runtime/processor.ts', 'src/runtime/batching.ts'],
};
const area = process.env.MUTATION_AREA ?? 'matching';
if (!(area in areas)) throw new Error(`MUTATION_AREA must be one of ${Object.keys(areas).join(', ')}`);
// A part of an area (MUTATION_PART=name MUTATION_FILES=a.ts,b.ts): its own reports, summed by scripts/mutation-summary.mjs.
const name = process.env.MUTATION_PART ? `${area}-${process.env.MUTATION_PART}` : area;
const mutate = process.env.MUTATION_FILES ? process.env.MUTATION_FILES.split(',') : areas[area];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  plugins: [
    '@stryker-mutator/vitest-runner',
    './scripts/stryker/ignore-logging.mjs',
    './scripts/stryker/ignore-operator-text.mjs',
    './scripts/stryker/ignore-error-text.mjs',
  ],
  ignorers: ['logging', 'operator-text', 'error-text'],
  mutate,
  coverageAnalysis: 'perTest',
  // Static mutants (module-level values evaluated once at import: reason-code tables, regexes, parameter files) would
  // each re-run the whole suite; on shared cores that is half of a run's time. They are reported as Ignored.
  ignoreStatic: true,
  concurrency: Number(process.env.MUTATION_CONCURRENCY ?? 2),
  timeoutMS: 20_000,
  // Kept out of git (.cache/ is ignored): `--incremental` reuses the last run's results for unchanged code and tests.
  incrementalFile: `.cache/stryker/${name}-incremental.json`,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: `.cache/stryker/${name}.json` },
  htmlReporter: { fileName: `.cache/stryker/${name}.html` },
  tempDirName: `.cache/stryker/tmp-${name}`,
  cleanTempDir: true,
  // The vitest runner runs inside the sandbox; only the files the tests need are copied.
  ignorePatterns: [
    '.stack',
    'bench/out',
    'coverage',
    '.cache',
    'docs',
    'ops',
    'test/e2e',
    'test/chaos',
    'test/security',
  ],
  thresholds: { high: 90, low: 80, break: null },
};
