import type { Admin } from 'kafkajs';
import type { Knex } from 'knex';
import { loadCdcConfig } from '../../connectors/cdc/config.js';
import { CdcMonitor } from '../../connectors/cdc/health.js';
import type { Config } from './config.js';
import type { ReadinessCheck } from './http.js';
import type { Metrics } from './metrics.js';

/**
 * The HGD change feed as one more readiness check (and so on the status page and in /metrics: app.ts refreshes
 * readiness every 5 s), when CDC_ENABLED=true. The follower itself runs as `vss-bridge cdc follow` (it writes the
 * search index, which the adapter's runtime role may only read).
 */
export function cdcReadiness(
  config: Config,
  knex: Knex,
  admin: Admin,
  metrics: Metrics,
  env: NodeJS.ProcessEnv = process.env,
): ReadinessCheck[] {
  if (env.CDC_ENABLED !== 'true') return [];
  const monitor = new CdcMonitor(knex, admin, loadCdcConfig(env, config.databaseUrl), metrics.cdc);
  return [{ name: 'hgd-change-feed', check: () => monitor.check() }];
}
