/**
 * Wires the operator console (src/runtime/http/) to the database, the review service and the metrics.
 * app.ts calls this once; the console replaces the ops server's listener and serves /healthz, /readyz and
 * /metrics too.
 */
import type { Knex } from 'knex';
import { ConsoleReviewAdapter, type ReviewResolver } from './http/console-review.js';
import { OperatorStore } from '../../connectors/db/operators.js';
import { outboxBacklog } from '../../connectors/db/outbox.js';
import { OidcLogin } from './http/auth/oidc.js';
import { loadConsoleConfig, type ConsoleConfig } from './http/config.js';
import type { StatusReport } from './http/pages.js';
import { ConsoleServer } from './http/server.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

export interface ConsoleDeps {
  config: Config;
  knex: Knex;
  logger: Logger;
  metrics: Metrics;
  readiness: () => Promise<{ ready: boolean; checks: Record<string, string> }>;
  review: ReviewResolver;
  onResolved?: () => void;
  /** Defaults to process.env (HTTP_HOST, CONSOLE_*, OIDC_*). */
  console?: ConsoleConfig;
}

export function createConsole(d: ConsoleDeps): ConsoleServer {
  const cfg = d.console ?? loadConsoleConfig();
  const status = async (): Promise<StatusReport> => {
    const [readiness, lag, dead, reasons, outbox] = await Promise.all([
      d.readiness(),
      d.metrics.lag.get(),
      d
        .knex('bridge.outbox')
        .where('topic', 'like', '%.dlq')
        .groupBy('topic')
        .orderBy('topic')
        .select('topic', d.knex.raw('count(*)::int as count')) as Promise<{ topic: string; count: number }[]>,
      d.metrics.deadLetters.get(),
      outboxBacklog(d.knex),
    ]);
    return {
      readiness,
      lag: lag.values
        .map((v) => ({ topic: String(v.labels.topic), partition: Number(v.labels.partition), lag: v.value }))
        .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition),
      deadLetters: dead,
      deadLetterReasons: reasons.values
        .filter((v) => v.value > 0)
        .map((v) => ({
          topic: String(v.labels.topic),
          errorCode: String(v.labels.error_code),
          count: v.value,
        })),
      outbox,
    };
  };
  return new ConsoleServer({
    config: cfg,
    port: d.config.httpPort,
    logger: d.logger,
    metrics: d.metrics,
    readiness: d.readiness,
    review: new ConsoleReviewAdapter(d.knex, d.review),
    identity: new OperatorStore(d.knex),
    oidc: cfg.oidc ? new OidcLogin(cfg.oidc) : null,
    status,
    ...(d.onResolved ? { onResolved: d.onResolved } : {}),
  });
}
