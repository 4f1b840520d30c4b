/**
 * Every command names the variable behind a service it could not reach, as `run` does at start
 * (src/runtime/app.ts): one line, `VARIABLE: cannot reach … at <where, password hidden>: <reason>`, exit 2.
 * The error is classified by where it comes from: kafkajs errors → KAFKA_BROKERS, our registry client's
 * TransientError → SCHEMA_REGISTRY_URL, a network or login error of the PostgreSQL driver (or knex's pool
 * timeout) → DATABASE_URL, or DATABASE_OWNER_URL for a command that connects as the owner (`ownerDatabaseUrl`).
 * Anything else is left as it is.
 */
import { TransientError } from '../domain/errors.js';
import { ConfigError, loadConfig, redactUrl, type Config } from '../runtime/config.js';
import { StartupError } from '../runtime/startup.js';

const NET_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ECONNRESET',
  'EHOSTUNREACH',
]);

/** The variable whose database this process connects to: set by `ownerDatabaseUrl`. */
let databaseVariable: 'DATABASE_URL' | 'DATABASE_OWNER_URL' = 'DATABASE_URL';

/**
 * The owner role's URL, for the commands that write what the runtime role may only read (`hgd import`, the change
 * feed's follower, …): refuses without DATABASE_OWNER_URL, saying why `command` needs it, and makes a connection
 * failure name DATABASE_OWNER_URL.
 */
export function ownerDatabaseUrl(config: Config, command: string, why: string): string {
  if (!config.databaseOwnerUrl)
    throw new ConfigError([`DATABASE_OWNER_URL: required by \`vss-bridge ${command}\` (${why})`]);
  databaseVariable = 'DATABASE_OWNER_URL';
  return config.databaseOwnerUrl;
}

function reason(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length > 0) return reason(e.errors[0]);
  const err = e as { code?: string; message?: string };
  const msg = (err.message ?? String(e)).split('\n')[0]!;
  return err.code && !msg.includes(err.code) ? `${err.code}: ${msg}` : msg;
}

function codes(e: unknown, depth = 0): string[] {
  if (typeof e !== 'object' || e === null || depth > 4) return [];
  const x = e as { code?: unknown; cause?: unknown; errors?: unknown[]; originalError?: unknown };
  return [
    ...(typeof x.code === 'string' ? [x.code] : []),
    ...codes(x.cause, depth + 1),
    ...codes(x.originalError, depth + 1),
    ...(Array.isArray(x.errors) ? x.errors.flatMap((c) => codes(c, depth + 1)) : []),
  ];
}

function isKafkaError(e: unknown): boolean {
  return e instanceof Error && e.name.startsWith('KafkaJS');
}

function isDatabaseError(e: unknown): boolean {
  if (!(e instanceof Error) || isKafkaError(e) || e instanceof TransientError) return false;
  const cs = codes(e);
  // SQLSTATE classes 08 (connection), 28 (authorisation), 3D (no such database).
  if (cs.some((c) => NET_CODES.has(c) || /^(08|28|3D)[0-9A-Z]{3}$/.test(c))) return true;
  return /Knex: Timeout acquiring a connection|Connection terminated|password authentication failed/.test(
    e.message,
  );
}

/** The StartupError naming the variable behind `e`, or null when `e` is not a connection problem. */
export function namedConnectionError(e: unknown, env: NodeJS.ProcessEnv = process.env): StartupError | null {
  let config;
  try {
    config = loadConfig(env);
  } catch {
    return null;
  }
  if (isKafkaError(e)) {
    return new StartupError(
      `KAFKA_BROKERS: cannot reach Kafka at ${config.kafka.brokers.join(',')}: ${reason(e)}`,
      {
        cause: e,
      },
    );
  }
  if (e instanceof TransientError && /schema registry/.test(e.message)) {
    return new StartupError(
      `SCHEMA_REGISTRY_URL: cannot reach the schema registry at ${config.schemaRegistryUrl}: ${reason(e)}`,
      { cause: e },
    );
  }
  if (isDatabaseError(e)) {
    const url =
      databaseVariable === 'DATABASE_OWNER_URL' && config.databaseOwnerUrl
        ? config.databaseOwnerUrl
        : config.databaseUrl;
    return new StartupError(`${databaseVariable}: cannot connect to ${redactUrl(url)}: ${reason(e)}`, {
      cause: e,
    });
  }
  return null;
}
