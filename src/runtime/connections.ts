/**
 * Every command builds its connections here, from the one Config: the same TLS (CA, client certificate, server
 * name), credentials and timeouts for `run`, `migrate`, `hgd …`, `match`, `review`, `dlq`, `lag`, `schemas` and
 * `retention`. Secrets stay in these objects; messages carry URLs through redactUrl only.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { Knex } from 'knex';
import { createDb, type DbOptions } from '../../connectors/db/knex.js';
import type { CodecOptions } from '../../connectors/registry/codec.js';
import type { TopicBinding } from '../../connectors/registry/bindings.js';
import type { RegistryClientOptions } from '../../connectors/registry/registry-client.js';
import { ConfigError, DATABASE_URL_MISSING, type Config, type TlsFiles } from './config.js';

function read(path: string, variable: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError([
      `${variable}: cannot read '${path}': ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
    ]);
  }
}

/** Node TLS options from TLS files; certificates are always verified (rejectUnauthorized). */
export function tlsOptions(files: TlsFiles | null, prefix: string): ConnectionOptions {
  const o: ConnectionOptions = { rejectUnauthorized: true };
  if (!files) return o;
  if (files.caFile) o.ca = read(files.caFile, `${prefix}_CA_FILE`);
  if (files.certFile) o.cert = read(files.certFile, `${prefix}_CERT_FILE`);
  if (files.keyFile) o.key = read(files.keyFile, `${prefix}_KEY_FILE`);
  if (files.servername) o.servername = files.servername;
  return o;
}

/** PostgreSQL options from the config (TLS), with per-command overrides such as the pool size. */
export function dbOptions(config: Config, extra: Omit<DbOptions, 'ssl'> = {}): DbOptions {
  return { ssl: config.databaseSsl ? tlsOptions(config.databaseTls, 'DATABASE_SSL') : false, ...extra };
}

/** The runtime role's connection (DATABASE_URL); a ConfigError naming the variable when it is not set. */
export function runtimeDb(config: Config, extra: Omit<DbOptions, 'ssl'> = {}): Knex {
  if (!config.databaseUrl) throw new ConfigError([DATABASE_URL_MISSING]);
  return createDb(config.databaseUrl, dbOptions(config, extra));
}

/**
 * The connection member search reads through: HGD_READ_URL (a read replica) when set, else null and the caller
 * searches through its DATABASE_URL connection. Same role and TLS settings as DATABASE_URL.
 */
export function hgdSearchDb(config: Config, extra: Omit<DbOptions, 'ssl'> = {}): Knex | null {
  return config.hgdReadUrl ? createDb(config.hgdReadUrl, dbOptions(config, extra)) : null;
}

/** Registry client options: basic auth, TLS, timeout. */
export function registryOptions(config: Config): Omit<RegistryClientOptions, 'registryUrl'> {
  const tls = config.schemaRegistryTls ? tlsOptions(config.schemaRegistryTls, 'SCHEMA_REGISTRY_SSL') : null;
  return {
    timeoutMs: config.schemaRegistryTimeoutMs,
    basicAuth: config.schemaRegistryAuth,
    tls: tls
      ? {
          ...(typeof tls.ca === 'string' ? { ca: tls.ca } : {}),
          ...(typeof tls.cert === 'string' ? { cert: tls.cert } : {}),
          ...(typeof tls.key === 'string' ? { key: tls.key } : {}),
          ...(tls.servername ? { servername: tls.servername } : {}),
        }
      : null,
  };
}

/** AvroCodec options for the config's registry and these bindings. */
export function codecOptions(config: Config, bindings: TopicBinding[]): CodecOptions {
  return { registryUrl: config.schemaRegistryUrl, bindings, registry: registryOptions(config) };
}
