import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Settings of the HGD change feed (docs/cdc.md): where Kafka Connect answers, the connector's names, and the
 * replication role Debezium connects as. Read from the environment; the defaults are the local stack's.
 */
export interface CdcConfig {
  connectUrl: string;
  connectorName: string;
  topicPrefix: string;
  slotName: string;
  publication: string;
  /** The follower's Kafka consumer group (its committed offsets are informational: the inbox is in PostgreSQL). */
  groupId: string;
  database: { host: string; port: string; name: string; user: string; password: string; sslmode: string };
  /** Alert when the connector or its task is not RUNNING, or the feed has not caught up for this long. */
  maxDelaySeconds: number;
}

export function membersTopic(c: Pick<CdcConfig, 'topicPrefix'>): string {
  return `${c.topicPrefix}.hgd.members`;
}
export function householdsTopic(c: Pick<CdcConfig, 'topicPrefix'>): string {
  return `${c.topicPrefix}.hgd.households`;
}

/**
 * `databaseUrl` names the HGD database Debezium reads (host, port, database); the replication role's credentials
 * come from CDC_DATABASE_USER / CDC_DATABASE_PASSWORD, never from the adapter's own roles.
 */
export function loadCdcConfig(env: NodeJS.ProcessEnv, databaseUrl: string | undefined): CdcConfig {
  const u = new URL(databaseUrl ?? 'postgres://127.0.0.1:5432/vss');
  const port = env.CONNECT_PORT ?? '8083';
  return {
    connectUrl: (env.CONNECT_URL ?? `http://127.0.0.1:${port}`).replace(/\/+$/, ''),
    connectorName: env.CDC_CONNECTOR ?? 'vss-hgd',
    topicPrefix: env.CDC_TOPIC_PREFIX ?? 'vss-hgd',
    slotName: env.CDC_SLOT ?? 'vss_hgd',
    publication: env.CDC_PUBLICATION ?? 'vss_hgd',
    groupId: env.CDC_GROUP_ID ?? 'vss-bridge-hgd-index',
    database: {
      host: env.CDC_DATABASE_HOST ?? u.hostname,
      port: env.CDC_DATABASE_PORT ?? (u.port || '5432'),
      name: env.CDC_DATABASE_NAME ?? decodeURIComponent(u.pathname.replace(/^\//, '')),
      user: env.CDC_DATABASE_USER ?? 'vss_cdc',
      password: env.CDC_DATABASE_PASSWORD ?? 'vss_cdc',
      sslmode: env.CDC_DATABASE_SSLMODE ?? 'disable',
    },
    maxDelaySeconds: Number(env.CDC_MAX_DELAY_SECONDS ?? 60),
  };
}

const TEMPLATE = fileURLToPath(new URL('../../ops/connect/hgd-postgres.json', import.meta.url));

/** The connector configuration (ops/connect/hgd-postgres.json) with this feed's names filled in. */
export function connectorConfig(c: CdcConfig): Record<string, string> {
  const values: Record<string, string> = {
    CDC_DATABASE_HOST: c.database.host,
    CDC_DATABASE_PORT: c.database.port,
    CDC_DATABASE_USER: c.database.user,
    CDC_DATABASE_PASSWORD: c.database.password,
    CDC_DATABASE_NAME: c.database.name,
    CDC_DATABASE_SSLMODE: c.database.sslmode,
    CDC_TOPIC_PREFIX: c.topicPrefix,
    CDC_PUBLICATION: c.publication,
    CDC_SLOT: c.slotName,
  };
  const raw = JSON.parse(readFileSync(TEMPLATE, 'utf8')) as Record<string, string>;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw))
    out[k] = v.replace(/\$\{(\w+)\}/g, (_, name: string) => {
      const val = values[name];
      if (val === undefined) throw new Error(`connector template: unknown placeholder ${name}`);
      return val;
    });
  return out;
}
