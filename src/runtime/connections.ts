/**
 * Every command builds its connections here, from the one Config: the same TLS, credentials and timeouts for
 * `run`, `migrate`, `hgd …`, `match`, `review`, `dlq`, `lag` and `retention`.
 */
import type { Knex } from 'knex';
import { createDb, type DbOptions } from '../../connectors/db/knex.js';
import { ConfigError, DATABASE_URL_MISSING, type Config } from './config.js';

/** PostgreSQL options from the config (TLS), with per-command overrides such as the pool size. */
export function dbOptions(config: Config, extra: Omit<DbOptions, 'ssl'> = {}): DbOptions {
  return { ssl: config.databaseSsl, ...extra };
}

/** The runtime role's connection (DATABASE_URL); a ConfigError naming the variable when it is not set. */
export function runtimeDb(config: Config, extra: Omit<DbOptions, 'ssl'> = {}): Knex {
  if (!config.databaseUrl) throw new ConfigError([DATABASE_URL_MISSING]);
  return createDb(config.databaseUrl, dbOptions(config, extra));
}
