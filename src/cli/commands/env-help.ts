/**
 * The environment variables each command reads, appended to its `--help` (README.md "Configuration" has the
 * defaults and meanings).
 */
const KAFKA = [
  'KAFKA_BROKERS',
  'KAFKA_CLIENT_ID',
  'KAFKA_SSL',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
];
const DB = ['DATABASE_URL', 'DATABASE_SSL'];
const REGISTRY = ['SCHEMA_REGISTRY_URL'];
const TOPICS = ['TOPIC_PREFIX', 'TOPIC_CHILD_REGISTRATION_SUBMITTED … TOPIC_REVIEW_CASE_CHANGED'];

/** Variables read by each command, by command path ('hgd import', 'dlq list' …). */
export const COMMAND_ENV: Record<string, string[]> = {
  run: [
    ...KAFKA,
    'KAFKA_GROUP_ID',
    'KAFKA_SESSION_TIMEOUT_MS',
    'KAFKA_CONCURRENCY',
    'KAFKA_TOPIC_PARTITIONS',
    ...REGISTRY,
    ...DB,
    ...TOPICS,
    'HTTP_PORT',
    'ARCHIVE_DIR',
    'ARCHIVE_RETENTION_YEARS',
    'BQP_CODE_PATTERN',
    'MATCH_PARAMETERS_FILE',
    'LOG_LEVEL',
  ],
  migrate: DB,
  'schemas register': [...REGISTRY, ...TOPICS],
  'schemas check': [...REGISTRY, ...TOPICS],
  'hgd import': DB,
  'hgd refresh-frequencies': DB,
  match: [...DB, 'MATCH_PARAMETERS_FILE'],
  'match estimate': [],
  'review list': [...DB, ...KAFKA, ...REGISTRY, ...TOPICS, 'LOG_LEVEL'],
  'review show': [...DB, ...KAFKA, ...REGISTRY, ...TOPICS, 'LOG_LEVEL'],
  'review resolve': [...DB, ...KAFKA, ...REGISTRY, ...TOPICS, 'LOG_LEVEL'],
  'dlq replay': [...KAFKA, ...REGISTRY, ...TOPICS],
  'dlq list': [...KAFKA, ...REGISTRY, ...TOPICS],
  lag: [...KAFKA, 'KAFKA_GROUP_ID', ...TOPICS],
  validate: TOPICS,
};

export function envHelp(command: string): string {
  const vars = COMMAND_ENV[command];
  if (!vars) throw new Error(`no environment help for ${command}`);
  if (vars.length === 0) return '\nEnvironment variables: none.\n';
  return `\nEnvironment variables read (defaults and meanings: README.md, "Configuration"):\n${vars
    .map((v) => `  ${v}`)
    .join('\n')}\n`;
}

/** Help text by command path, for `.addHelpText('after', ENV_HELP[...])`. */
export const ENV_HELP: Record<string, string> = Object.fromEntries(
  Object.keys(COMMAND_ENV).map((k) => [k, envHelp(k)]),
);
