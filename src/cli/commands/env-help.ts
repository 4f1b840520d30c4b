/**
 * The environment variables each command reads, appended to its `--help` (README.md "Configuration" has the
 * defaults and meanings).
 */
const KAFKA = [
  'KAFKA_BROKERS',
  'KAFKA_CLIENT_ID',
  'KAFKA_SSL',
  'KAFKA_SSL_CA_FILE, KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE, KAFKA_SSL_SERVERNAME',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
];
const DB = [
  'DATABASE_URL',
  'DATABASE_SSL',
  'DATABASE_SSL_CA_FILE, DATABASE_SSL_CERT_FILE, DATABASE_SSL_KEY_FILE, DATABASE_SSL_SERVERNAME',
  'VSS_PROFILE',
];
const OWNER_DB = ['DATABASE_OWNER_URL', 'DATABASE_RUNTIME_ROLE', ...DB];
const REGISTRY = [
  'SCHEMA_REGISTRY_URL',
  'SCHEMA_REGISTRY_USERNAME, SCHEMA_REGISTRY_PASSWORD',
  'SCHEMA_REGISTRY_SSL_CA_FILE, SCHEMA_REGISTRY_SSL_CERT_FILE, SCHEMA_REGISTRY_SSL_KEY_FILE, SCHEMA_REGISTRY_SSL_SERVERNAME',
  'SCHEMA_REGISTRY_TIMEOUT_MS',
];
const CONSOLE = [
  'HTTP_HOST',
  'CONSOLE_PUBLIC_URL',
  'CONSOLE_TLS_CERT, CONSOLE_TLS_KEY',
  'CONSOLE_SESSION_TTL_MINUTES',
  'CONSOLE_COOKIE_SECRET',
  'CONSOLE_LOGIN_MAX_PER_MINUTE, CONSOLE_RESOLVE_MAX_PER_MINUTE',
  'OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_ROLE_CLAIM, OIDC_ROLE_MAP, OIDC_AUDIENCE, OIDC_REDIRECT_URL, OIDC_SCOPES',
];
const RETENTION = [
  'RETENTION_INBOX_DAYS, RETENTION_OUTBOX_DAYS, RETENTION_DEAD_LETTER_DAYS, RETENTION_REVIEW_DAYS',
];
const CDC = [
  'CONNECT_URL (or CONNECT_PORT)',
  'CDC_CONNECTOR, CDC_TOPIC_PREFIX, CDC_SLOT, CDC_PUBLICATION, CDC_GROUP_ID',
  'CDC_DATABASE_USER, CDC_DATABASE_PASSWORD, CDC_DATABASE_HOST, CDC_DATABASE_PORT, CDC_DATABASE_NAME, CDC_DATABASE_SSLMODE',
  'CDC_MAX_DELAY_SECONDS',
];
const TOPICS = ['TOPIC_PREFIX', 'TOPIC_CHILD_REGISTRATION_SUBMITTED … TOPIC_REVIEW_CASE_CHANGED'];

/** Variables read by each command, by command path ('hgd import', 'dlq list' …). */
export const COMMAND_ENV: Record<string, string[]> = {
  run: [
    ...KAFKA,
    'KAFKA_CLIENT',
    'KAFKA_GROUP_ID',
    'KAFKA_SESSION_TIMEOUT_MS',
    'KAFKA_HEARTBEAT_INTERVAL_MS',
    'KAFKA_REBALANCE_TIMEOUT_MS',
    'KAFKA_MAX_MESSAGE_BYTES',
    'KAFKA_CONCURRENCY',
    'KAFKA_TOPIC_PARTITIONS',
    'BATCH_MAX_EVENTS, BATCH_MAX_BYTES, BATCH_LINGER_MS',
    'OUTBOX_BATCH_SIZE',
    ...REGISTRY,
    ...DB,
    ...TOPICS,
    'HTTP_PORT',
    ...CONSOLE,
    ...RETENTION,
    'ARCHIVE_DIR',
    'ARCHIVE_RETENTION_YEARS',
    'BQP_CODE_PATTERN',
    'MATCH_PARAMETERS_FILE',
    'LOG_LEVEL',
  ],
  migrate: OWNER_DB,
  'schemas register': [...REGISTRY, ...TOPICS],
  'schemas check': [...REGISTRY, ...TOPICS],
  'hgd import': OWNER_DB,
  'hgd refresh-frequencies': OWNER_DB,
  match: [...DB, 'MATCH_PARAMETERS_FILE'],
  'match estimate': [],
  'review list': DB,
  'review show': DB,
  'review resolve': [...DB, ...KAFKA, ...REGISTRY, ...TOPICS, 'LOG_LEVEL'],
  'dlq replay': [...KAFKA, ...REGISTRY, ...TOPICS],
  'dlq list': [...KAFKA, ...REGISTRY, ...TOPICS],
  lag: [...KAFKA, 'KAFKA_GROUP_ID', ...TOPICS],
  'hgd show': DB,
  'retention run': [...DB, ...RETENTION],
  'operators add': DB,
  'operators disable': DB,
  'operators list': DB,
  'operators token': DB,
  validate: TOPICS,
  'hgd verify-index': OWNER_DB,
  'cdc setup': [...OWNER_DB, ...KAFKA, ...CDC],
  'cdc follow': [...OWNER_DB, ...KAFKA, ...CDC, 'LOG_LEVEL'],
  'cdc status': [...DB, ...KAFKA, ...CDC],
  'cdc resnapshot': [...DB, ...CDC],
  'cdc remove': [...DB, ...CDC],
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
