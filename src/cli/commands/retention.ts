import type { Command } from 'commander';
import { runRetention } from '../../../connectors/db/retention.js';
import { loadConfig } from '../../runtime/config.js';
import { runtimeDb } from '../../runtime/connections.js';

/** `vss-bridge retention run`: delete or anonymise personal data past its retention (docs/retention.md). */
export function register(program: Command): void {
  const retention = program
    .command('retention')
    .description(
      'retention of personal data in inbox, outbox, dead letters, review cases and archive records',
    );

  retention
    .command('run')
    .description('delete or anonymise what is past its retention period and report the counts')
    .option('--dry-run', 'count what would be deleted or anonymised, change nothing')
    .option('--json', 'print the report as JSON')
    .action(async (o: { dryRun?: boolean; json?: boolean }) => {
      const config = loadConfig();
      const knex = runtimeDb(config, { poolMax: 2 });
      try {
        const r = await runRetention(knex, config.retention, { dryRun: o.dryRun === true });
        if (o.json) process.stdout.write(`${JSON.stringify(r)}\n`);
        else
          process.stdout.write(
            `${r.dryRun ? 'would delete' : 'deleted'}: inbox ${r.inboxDeleted}, outbox ${r.outboxDeleted}, ` +
              `dead-letter copies ${r.deadLettersDeleted}, archive records ${r.archiveRecordsDeleted}; ` +
              `${r.dryRun ? 'would anonymise' : 'anonymised'}: review cases ${r.reviewCasesAnonymised}\n`,
          );
      } finally {
        await knex.destroy();
      }
    });
}
