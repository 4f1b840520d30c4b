/**
 * The layering of docs/architecture.md, enforced by eslint (`no-restricted-imports`) and pinned by
 * test/unit/architecture/layering.test.ts:
 *   core    src/domain, src/matching, src/ports, src/flows: no client library, no connector, no runtime, no CLI;
 *   edges   connectors/: may use the core's types and ports, never a flow (use cases belong to the core);
 *   runtime src/runtime (composition root, processor, relay) and src/cli wire the two.
 */
const CLIENT_LIBRARIES = ['kafkajs', 'knex', 'pg', 'avsc', '@kafkajs/*', 'prom-client', 'pino', 'commander'];

const core = (extra = []) => ({
  patterns: [
    { group: CLIENT_LIBRARIES, message: 'the core reaches the outside world only through src/ports' },
    { group: ['**/connectors/**'], message: 'the core never imports a connector (see docs/architecture.md)' },
    { group: ['**/runtime/**', '**/cli/**'], message: 'the core never imports the runtime or the CLI' },
    ...extra,
  ],
});

export const layering = [
  {
    files: ['src/domain/**/*.ts', 'src/matching/**/*.ts', 'src/ports/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        core([{ group: ['**/flows/**'], message: 'domain, matching and ports sit below the flows' }]),
      ],
    },
  },
  {
    files: ['src/flows/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', core()] },
  },
  {
    files: ['connectors/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/flows/**'], message: 'connectors implement ports; use cases live in src/flows' },
            { group: ['**/cli/**'], message: 'connectors never import the CLI' },
          ],
        },
      ],
    },
  },
];
