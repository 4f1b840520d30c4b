import type { Command } from 'commander';
import { startApp } from '../../runtime/app.js';
import { ConfigError, loadConfig, redactUrl } from '../../runtime/config.js';
import { StartupError } from '../../runtime/startup.js';
import { dbOptions } from '../../runtime/connections.js';
import { destination as pinoDestination } from 'pino';
import { createLogger } from '../../runtime/logger.js';
import { safeError } from '../../runtime/processor.js';

export function register(program: Command): void {
  program
    .command('run')
    .description('run the adapter: consume the VssID topics, decide, publish (the main job)')
    .action(async () => {
      const config = loadConfig();
      // The service logs JSON lines to stdout; stderr is left for a fatal start-up message.
      const logger = createLogger(config.logLevel, pinoDestination({ dest: 1, sync: false }));
      // Signals are trapped before start-up, so a SIGTERM during start-up still ends in a clean stop.
      let app: Awaited<ReturnType<typeof startApp>> | null = null;
      let shuttingDown = false;
      const shutdown = (signal: string) => {
        if (shuttingDown) return;
        shuttingDown = true;
        logger.info({ signal }, 'shutting down: finishing in-flight work, committing, disconnecting');
        const force = setTimeout(() => {
          logger.error('shutdown took longer than 30 s; exiting');
          process.exit(1);
        }, 30_000);
        force.unref();
        if (!app) return; // start-up will see the flag and stop
        app
          .stop()
          .then(() => {
            logger.info('stopped');
            logger.flush();
            process.exit(0);
          })
          .catch((e: unknown) => {
            logger.error({ err: safeError(e) }, 'shutdown failed');
            process.exit(1);
          });
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
      app = await startApp(config, logger);
      if (shuttingDown) {
        shuttingDown = false;
        shutdown('signal during start-up');
      }
      await new Promise<never>(() => undefined);
    });

  program
    .command('migrate')
    .description(
      'apply database migrations (schemas hgd, hgd_match and bridge) as the owner role (DATABASE_OWNER_URL), ' +
        "then grant the runtime role (DATABASE_RUNTIME_ROLE, default DATABASE_URL's user) its privileges",
    )
    .action(async () => {
      const { createDb } = await import('../../../connectors/db/knex.js');
      const { migrateLatest } = await import('../../../connectors/db/migrate.js');
      const config = loadConfig();
      if (!config.databaseOwnerUrl) {
        throw new ConfigError([
          'DATABASE_OWNER_URL: required by `vss-bridge migrate` (the owner role runs migrations; the runtime role cannot)',
        ]);
      }
      const knex = createDb(config.databaseOwnerUrl, dbOptions(config, { poolMax: 2 }));
      try {
        const applied = await migrateLatest(knex, { runtimeRole: config.databaseRuntimeRole });
        process.stdout.write(
          (applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n') +
            `runtime role ${config.databaseRuntimeRole}: privileges granted\n`,
        );
      } catch (e) {
        throw new StartupError(
          `DATABASE_OWNER_URL: migration on ${redactUrl(config.databaseOwnerUrl)} failed: ${(e as Error).message}`,
        );
      } finally {
        await knex.destroy();
      }
    });
}
