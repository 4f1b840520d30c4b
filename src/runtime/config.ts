import { existsSync } from 'node:fs';
import { redactUrl } from './redact.js';

/**
 * One typed configuration object, read from environment variables and validated once at start.
 * Addresses default to the local stack (`scripts/stack up`); its credentials only with VSS_PROFILE=local.
 * Every key is documented in README.md.
 */
import type { InputTopic, OutputTopic } from '../domain/effects.js';

/** The configured (prefixed) name of every topic, by the role the core knows it under. */
export type TopicNames = Record<InputTopic | OutputTopic, string>;

export interface KafkaSasl {
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  username: string;
  password: string;
}

/** TLS material by file (PEM) and the server name to check, for one connection. */
export interface TlsFiles {
  /** CA bundle the server certificate must chain to (default: the system's CAs). */
  caFile: string | null;
  /** Client certificate and its key, when the server asks for one. */
  certFile: string | null;
  keyFile: string | null;
  /** The name the server certificate must carry, when it differs from the host connected to. */
  servername: string | null;
}

export interface Config {
  kafka: {
    brokers: string[];
    clientId: string;
    groupId: string;
    /** How long the group waits for a silent member before reassigning its partitions. */
    sessionTimeoutMs: number;
    /** How often the consumer tells the group it is alive (well below the session timeout). */
    heartbeatIntervalMs: number;
    /** How long the group waits for live members to rejoin during a rebalance. */
    rebalanceTimeoutMs: number;
    /** The largest record the brokers accept (message.max.bytes); larger outputs are parked, dead letters truncated. */
    maxMessageBytes: number;
    /** Partitions processed at the same time (order within a partition is always kept). */
    concurrency: number;
    /** Partitions of the topics the adapter creates when they are missing. */
    topicPartitions: number;
    /** Micro-batches: the most events and input bytes of one partition committed in one transaction. */
    batchMaxEvents: number;
    batchMaxBytes: number;
    /** About how long one micro-batch may take: the next one's size is scaled from the time per event (0: no bound). */
    batchMaxMs: number;
    /** How long a fetch may wait for a fuller batch; 0: hand over whatever is there at once. */
    batchLingerMs: number;
    /** Outbox rows the relay publishes per broker request (and marks sent in one statement). */
    outboxBatchSize: number;
    ssl: boolean;
    /** TLS files when `ssl` (KAFKA_SSL_CA_FILE …); setting any of them turns `ssl` on. */
    tls: TlsFiles | null;
    sasl: KafkaSasl | null;
    /**
     * The client library of the consumer group and the producer (KAFKA_CLIENT): `kafkajs` (default) or `confluent`
     * (@confluentinc/kafka-javascript on librdkafka, an optional native package; docs/adr/0005-kafka-client.md).
     * Optional so that configurations built by hand keep meaning kafkajs.
     */
    client?: KafkaClientName;
  };
  /** The registry's URL without credentials (user:password in SCHEMA_REGISTRY_URL move to schemaRegistryAuth). */
  schemaRegistryUrl: string;
  schemaRegistryAuth: { username: string; password: string } | null;
  /** TLS files for an https registry. */
  schemaRegistryTls: TlsFiles | null;
  /** Timeout of every registry call. */
  schemaRegistryTimeoutMs: number;
  /** `local` only with VSS_PROFILE=local: the one case where the local stack's credentials are defaults. */
  profile: 'local' | 'default';
  /**
   * The runtime role's connection: every command except `migrate` (see docs/database-roles.md). Empty when
   * DATABASE_URL is unset outside the local profile; `runtimeDb` then refuses with DATABASE_URL_MISSING.
   */
  databaseUrl: string;
  /** The owner role's connection, for `vss-bridge migrate` (and HGD bulk loads); null when not configured. */
  databaseOwnerUrl: string | null;
  /**
   * HGD_READ_URL: where member search (candidate blocking, name frequencies) reads, e.g. a streaming read replica
   * of the HGD database; null = DATABASE_URL. Writes (the guarded code change, inbox, outbox) always go to
   * DATABASE_URL.
   */
  hgdReadUrl: string | null;
  /** The role `migrate` grants the runtime privileges to (DATABASE_RUNTIME_ROLE, else DATABASE_URL's user). */
  databaseRuntimeRole: string;
  databaseSsl: boolean;
  /** TLS files when `databaseSsl` (DATABASE_SSL_CA_FILE …); setting any of them turns `databaseSsl` on. */
  databaseTls: TlsFiles | null;
  topicPrefix: string;
  topics: TopicNames;
  logLevel: LogLevel;
  /** Level of the one-shot commands (review, match …): LOG_LEVEL when set, else warn (they print their own output). */
  cliLogLevel: LogLevel;
  /** MATCH_PARAMETERS_FILE: the matcher's m/u parameters and thresholds; null = the shipped defaults. */
  matchParametersFile: string | null;
  httpPort: number;
  archiveDir: string;
  archiveRetentionYears: number;
  /** Retention periods of the retention job, in days (docs/retention.md). */
  retention: { inboxDays: number; outboxDays: number; deadLetterDays: number; reviewDays: number };
  /** Optional regex a BQP-issued BHXH code must match (unpublished, so off by default; docs/contracts.md). */
  bqpCodePattern: RegExp | null;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The unprefixed default topic names of docs/contracts.md. */
export const DEFAULT_TOPICS: TopicNames = {
  childRegistrationSubmitted: 'vssid.child-registration.submitted',
  adultRegistrationSubmitted: 'vssid.adult-registration.submitted',
  codeLookupFailed: 'vssid.code-lookup.failed',
  registrationDecided: 'vssid.registration.decided',
  defenceCodeMappingDecided: 'defence.code-mapping.decided',
  vssidCodeMappingDecided: 'vssid.code-mapping.decided',
  reviewCaseChanged: 'bridge.review-case.changed',
};

/** Environment variable that overrides each topic name (before the prefix is applied). */
export const TOPIC_ENV: Record<keyof TopicNames, string> = {
  childRegistrationSubmitted: 'TOPIC_CHILD_REGISTRATION_SUBMITTED',
  adultRegistrationSubmitted: 'TOPIC_ADULT_REGISTRATION_SUBMITTED',
  codeLookupFailed: 'TOPIC_CODE_LOOKUP_FAILED',
  registrationDecided: 'TOPIC_REGISTRATION_DECIDED',
  defenceCodeMappingDecided: 'TOPIC_DEFENCE_CODE_MAPPING_DECIDED',
  vssidCodeMappingDecided: 'TOPIC_VSSID_CODE_MAPPING_DECIDED',
  reviewCaseChanged: 'TOPIC_REVIEW_CASE_CHANGED',
};

export const KAFKA_CLIENTS = ['kafkajs', 'confluent'] as const;
export type KafkaClientName = (typeof KAFKA_CLIENTS)[number];

export const DEFAULTS = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  KAFKA_CLIENT: 'kafkajs',
  KAFKA_CLIENT_ID: 'vss-bridge',
  KAFKA_GROUP_ID: 'vss-bridge',
  KAFKA_SESSION_TIMEOUT_MS: '6000',
  KAFKA_HEARTBEAT_INTERVAL_MS: '600',
  KAFKA_REBALANCE_TIMEOUT_MS: '10000',
  KAFKA_MAX_MESSAGE_BYTES: '1000000',
  KAFKA_CONCURRENCY: '3',
  KAFKA_TOPIC_PARTITIONS: '3',
  BATCH_MAX_EVENTS: '500',
  BATCH_MAX_BYTES: '1048576',
  BATCH_MAX_MS: '2000',
  BATCH_LINGER_MS: '0',
  OUTBOX_BATCH_SIZE: '1000',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081',
  LOG_LEVEL: 'info',
  HTTP_PORT: '9400',
  ARCHIVE_DIR: './.stack/archive',
  ARCHIVE_RETENTION_YEARS: '10',
  SCHEMA_REGISTRY_TIMEOUT_MS: '10000',
  RETENTION_INBOX_DAYS: '90',
  RETENTION_OUTBOX_DAYS: '30',
  RETENTION_DEAD_LETTER_DAYS: '30',
  RETENTION_REVIEW_DAYS: '365',
} as const;

/**
 * Credentials of the local stack (`scripts/stack up`), used as defaults only when VSS_PROFILE=local. Anywhere else
 * a missing DATABASE_URL is an error: a deployment never falls back to well-known passwords.
 */
export const LOCAL_PROFILE = {
  DATABASE_URL: 'postgres://vss_runtime:vss_runtime@127.0.0.1:5432/vss',
  DATABASE_OWNER_URL: 'postgres://vss:vss@127.0.0.1:5432/vss',
} as const;

const ROLE_RE = /^[a-z_][a-z0-9_]{0,62}$/;

/** The one-line refusal of a command that needs the database when DATABASE_URL is not set. */
export const DATABASE_URL_MISSING =
  "DATABASE_URL: required (set it to the runtime role's postgres:// URL; the local stack's credentials apply only with VSS_PROFILE=local)";

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly retriable = false;
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const TOPIC_RE = /^[A-Za-z0-9._-]{1,249}$/;
const HOST_PORT_RE = /^[A-Za-z0-9.-]+:\d{1,5}$/;

function bool(raw: string | undefined, name: string, problems: string[]): boolean {
  if (raw === undefined || raw === '') return false;
  if (/^(1|true|yes)$/i.test(raw)) return true;
  if (/^(0|false|no)$/i.test(raw)) return false;
  problems.push(`${name}: expected true or false, got '${raw}'`);
  return false;
}

function int(raw: string, name: string, min: number, max: number, problems: string[]): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) {
    problems.push(`${name}: expected an integer between ${min} and ${max}, got '${raw}'`);
    return min;
  }
  return n;
}

/** Reads and validates the configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const get = (k: keyof typeof DEFAULTS): string => {
    const v = env[k];
    return v === undefined || v === '' ? DEFAULTS[k] : v;
  };

  const brokersRaw = get('KAFKA_BROKERS');
  const brokers = brokersRaw.split(',').map((b) => b.trim());
  for (const b of brokers) {
    const port = Number(b.split(':').pop());
    if (!HOST_PORT_RE.test(b) || port < 1 || port > 65535) {
      problems.push(`KAFKA_BROKERS: expected host:port[,host:port...], got '${brokersRaw}'`);
      break;
    }
  }

  const kafkaClient = get('KAFKA_CLIENT') as KafkaClientName;
  if (!KAFKA_CLIENTS.includes(kafkaClient))
    problems.push(`KAFKA_CLIENT: expected ${KAFKA_CLIENTS.join('|')}, got '${kafkaClient}'`);

  const registry = get('SCHEMA_REGISTRY_URL');
  if (!isHttpUrl(registry))
    problems.push(`SCHEMA_REGISTRY_URL: expected an http(s) URL, got '${redactUrl(registry)}'`);

  const profileRaw = env.VSS_PROFILE ?? '';
  if (profileRaw !== '' && profileRaw !== 'local')
    problems.push(`VSS_PROFILE: expected 'local' or unset, got '${profileRaw}'`);
  const profile = profileRaw === 'local' ? 'local' : 'default';
  const dbUrl = (name: keyof typeof LOCAL_PROFILE): string | null => {
    const v = env[name];
    if (v !== undefined && v !== '') {
      if (!isPostgresUrl(v))
        problems.push(`${name}: expected postgres://user:password@host:port/database, got '${redactUrl(v)}'`);
      return v;
    }
    return profile === 'local' ? LOCAL_PROFILE[name] : null;
  };
  // Missing is not a problem here: commands that never touch the database (schemas, lag) run without it; the
  // ones that do refuse at once with DATABASE_URL_MISSING (src/runtime/connections.ts).
  const databaseUrl = dbUrl('DATABASE_URL') ?? '';
  const databaseOwnerUrl = dbUrl('DATABASE_OWNER_URL');
  const hgdReadUrlRaw = env.HGD_READ_URL ?? '';
  if (hgdReadUrlRaw !== '' && !isPostgresUrl(hgdReadUrlRaw))
    problems.push(
      `HGD_READ_URL: expected postgres://user:password@host:port/database, got '${redactUrl(hgdReadUrlRaw)}'`,
    );
  const hgdReadUrl = hgdReadUrlRaw === '' ? null : hgdReadUrlRaw;
  let databaseRuntimeRole = env.DATABASE_RUNTIME_ROLE ?? '';
  if (databaseRuntimeRole === '') {
    try {
      databaseRuntimeRole = decodeURIComponent(new URL(databaseUrl).username);
    } catch {
      databaseRuntimeRole = '';
    }
  }
  if (databaseRuntimeRole !== '' && !ROLE_RE.test(databaseRuntimeRole))
    problems.push(
      `DATABASE_RUNTIME_ROLE: expected a lower-case PostgreSQL role name, got '${databaseRuntimeRole}'`,
    );

  const logLevel = get('LOG_LEVEL');
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problems.push(`LOG_LEVEL: expected one of ${LOG_LEVELS.join('|')}, got '${logLevel}'`);
  }

  const topicPrefix = env.TOPIC_PREFIX ?? '';
  const prefixOk = topicPrefix === '' || /^[A-Za-z0-9._-]+$/.test(topicPrefix);
  if (!prefixOk)
    problems.push(`TOPIC_PREFIX: expected letters, digits, '.', '_' or '-', got '${topicPrefix}'`);
  const topics = {} as TopicNames;
  for (const key of Object.keys(DEFAULT_TOPICS) as (keyof TopicNames)[]) {
    const name = env[TOPIC_ENV[key]] || DEFAULT_TOPICS[key];
    const full = topicPrefix + name;
    if (prefixOk && !TOPIC_RE.test(full))
      problems.push(`${TOPIC_ENV[key]}: not a valid Kafka topic name: '${full}'`);
    topics[key] = full;
  }

  const tlsFiles = (prefix: string): TlsFiles | null => {
    const file = (suffix: string): string | null => {
      const name = `${prefix}_${suffix}`;
      const v = env[name];
      if (v === undefined || v === '') return null;
      if (!existsSync(v)) problems.push(`${name}: no such file: '${v}'`);
      return v;
    };
    const t: TlsFiles = {
      caFile: file('CA_FILE'),
      certFile: file('CERT_FILE'),
      keyFile: file('KEY_FILE'),
      servername: env[`${prefix}_SERVERNAME`] || null,
    };
    if ((t.certFile === null) !== (t.keyFile === null))
      problems.push(`${prefix}_CERT_FILE/${prefix}_KEY_FILE: set both or neither`);
    return t.caFile || t.certFile || t.keyFile || t.servername ? t : null;
  };
  const kafkaTls = tlsFiles('KAFKA_SSL');
  const kafkaSsl = bool(env.KAFKA_SSL, 'KAFKA_SSL', problems) || kafkaTls !== null;
  const databaseTls = tlsFiles('DATABASE_SSL');
  const databaseSsl = bool(env.DATABASE_SSL, 'DATABASE_SSL', problems) || databaseTls !== null;
  const registryTls = tlsFiles('SCHEMA_REGISTRY_SSL');
  let registryUrl = registry;
  let schemaRegistryAuth: Config['schemaRegistryAuth'] = null;
  try {
    const u = new URL(registry);
    if (u.username) {
      schemaRegistryAuth = {
        username: decodeURIComponent(u.username),
        password: decodeURIComponent(u.password),
      };
      u.username = '';
      u.password = '';
      registryUrl = u.toString();
    }
    if (registryTls && u.protocol !== 'https:')
      problems.push('SCHEMA_REGISTRY_SSL_*: set, but SCHEMA_REGISTRY_URL is not https://');
  } catch {
    /* reported above */
  }
  if (env.SCHEMA_REGISTRY_USERNAME) {
    schemaRegistryAuth = {
      username: env.SCHEMA_REGISTRY_USERNAME,
      password: env.SCHEMA_REGISTRY_PASSWORD ?? '',
    };
  }

  let sasl: KafkaSasl | null = null;
  const mech = env.KAFKA_SASL_MECHANISM;
  if (mech) {
    if (mech !== 'plain' && mech !== 'scram-sha-256' && mech !== 'scram-sha-512') {
      problems.push(`KAFKA_SASL_MECHANISM: expected plain|scram-sha-256|scram-sha-512, got '${mech}'`);
    } else if (!env.KAFKA_SASL_USERNAME || !env.KAFKA_SASL_PASSWORD) {
      problems.push('KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD: required when KAFKA_SASL_MECHANISM is set');
    } else if (mech === 'plain' && !kafkaSsl) {
      problems.push(
        'KAFKA_SASL_MECHANISM: plain sends the password in clear; allowed only with KAFKA_SSL=true',
      );
    } else {
      sasl = { mechanism: mech, username: env.KAFKA_SASL_USERNAME, password: env.KAFKA_SASL_PASSWORD };
    }
  }

  let bqpCodePattern: RegExp | null = null;
  if (env.BQP_CODE_PATTERN) {
    try {
      bqpCodePattern = new RegExp(env.BQP_CODE_PATTERN);
    } catch {
      problems.push(`BQP_CODE_PATTERN: not a valid regular expression: '${env.BQP_CODE_PATTERN}'`);
    }
  }

  const config: Config = {
    kafka: {
      brokers,
      clientId: get('KAFKA_CLIENT_ID'),
      groupId: get('KAFKA_GROUP_ID'),
      sessionTimeoutMs: int(
        get('KAFKA_SESSION_TIMEOUT_MS'),
        'KAFKA_SESSION_TIMEOUT_MS',
        1000,
        300_000,
        problems,
      ),
      heartbeatIntervalMs: int(
        get('KAFKA_HEARTBEAT_INTERVAL_MS'),
        'KAFKA_HEARTBEAT_INTERVAL_MS',
        100,
        60_000,
        problems,
      ),
      maxMessageBytes: int(
        get('KAFKA_MAX_MESSAGE_BYTES'),
        'KAFKA_MAX_MESSAGE_BYTES',
        10_000,
        100_000_000,
        problems,
      ),
      rebalanceTimeoutMs: int(
        get('KAFKA_REBALANCE_TIMEOUT_MS'),
        'KAFKA_REBALANCE_TIMEOUT_MS',
        1000,
        300_000,
        problems,
      ),
      concurrency: int(get('KAFKA_CONCURRENCY'), 'KAFKA_CONCURRENCY', 1, 64, problems),
      topicPartitions: int(get('KAFKA_TOPIC_PARTITIONS'), 'KAFKA_TOPIC_PARTITIONS', 1, 1000, problems),
      batchMaxEvents: int(get('BATCH_MAX_EVENTS'), 'BATCH_MAX_EVENTS', 1, 10_000, problems),
      batchMaxBytes: int(get('BATCH_MAX_BYTES'), 'BATCH_MAX_BYTES', 1024, 100_000_000, problems),
      batchMaxMs: int(get('BATCH_MAX_MS'), 'BATCH_MAX_MS', 0, 600_000, problems),
      batchLingerMs: int(get('BATCH_LINGER_MS'), 'BATCH_LINGER_MS', 0, 10_000, problems),
      outboxBatchSize: int(get('OUTBOX_BATCH_SIZE'), 'OUTBOX_BATCH_SIZE', 1, 10_000, problems),
      ssl: kafkaSsl,
      tls: kafkaTls,
      sasl,
      client: kafkaClient,
    },
    schemaRegistryUrl: registryUrl.replace(/\/+$/, ''),
    schemaRegistryAuth,
    schemaRegistryTls: registryTls,
    schemaRegistryTimeoutMs: int(
      get('SCHEMA_REGISTRY_TIMEOUT_MS'),
      'SCHEMA_REGISTRY_TIMEOUT_MS',
      100,
      600_000,
      problems,
    ),
    profile,
    databaseUrl,
    databaseOwnerUrl,
    hgdReadUrl,
    databaseRuntimeRole,
    databaseSsl,
    databaseTls,
    topicPrefix,
    topics,
    logLevel: logLevel as LogLevel,
    cliLogLevel: (env.LOG_LEVEL ? logLevel : 'warn') as LogLevel,
    matchParametersFile: env.MATCH_PARAMETERS_FILE || null,
    httpPort: int(get('HTTP_PORT'), 'HTTP_PORT', 0, 65535, problems),
    archiveDir: get('ARCHIVE_DIR'),
    archiveRetentionYears: int(get('ARCHIVE_RETENTION_YEARS'), 'ARCHIVE_RETENTION_YEARS', 1, 200, problems),
    retention: {
      inboxDays: int(get('RETENTION_INBOX_DAYS'), 'RETENTION_INBOX_DAYS', 1, 36_500, problems),
      outboxDays: int(get('RETENTION_OUTBOX_DAYS'), 'RETENTION_OUTBOX_DAYS', 1, 36_500, problems),
      deadLetterDays: int(
        get('RETENTION_DEAD_LETTER_DAYS'),
        'RETENTION_DEAD_LETTER_DAYS',
        1,
        36_500,
        problems,
      ),
      reviewDays: int(get('RETENTION_REVIEW_DAYS'), 'RETENTION_REVIEW_DAYS', 1, 36_500, problems),
    },
    bqpCodePattern,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

function isPostgresUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (
      (u.protocol === 'postgres:' || u.protocol === 'postgresql:') &&
      u.hostname !== '' &&
      u.pathname.length > 1
    );
  } catch {
    return false;
  }
}

/** A connection string without its password, for messages and logs. */
export { redactUrl } from './redact.js';
