import type { Command } from 'commander';
import { createDb } from '../../../connectors/db/knex.js';
import { dbOptions } from '../../runtime/connections.js';
import { importMembers, refreshNameFrequencies } from '../../../connectors/hgd/import.js';
import { ConfigError, loadConfig, type Config } from '../../runtime/config.js';

/**
 * The HGD bulk load and the frequency refresh write tables the runtime role may only read (hgd.members beyond
 * the code columns, hgd_match): they run as the owner role, like `migrate`.
 */
function ownerUrl(config: Config): string {
  if (!config.databaseOwnerUrl)
    throw new ConfigError([
      'DATABASE_OWNER_URL: required by `vss-bridge hgd` (a bulk load writes tables the runtime role may only read)',
    ]);
  return config.databaseOwnerUrl;
}
import { progressMeter } from './match.js';

export function register(program: Command): void {
  const hgd = program.command('hgd').description('HGD household data: bulk import and name frequencies');

  hgd
    .command('import')
    .description(
      'import HGD members from JSON lines (idempotent on member_id; bad lines go to the reject file)',
    )
    .requiredOption(
      '--file <members.jsonl>',
      'member lines, one JSON object per line (docs/batch-formats.md)',
    )
    .option('--truncate', 'empty the HGD tables and search keys first')
    .option('--rejects <file>', 'reject file (default: <file>.rejects.jsonl)')
    .option('--no-refresh', 'do not refresh name frequencies after the import')
    .action(async (opts: { file: string; truncate?: boolean; rejects?: string; refresh: boolean }) => {
      const config = loadConfig();
      const knex = createDb(ownerUrl(config), dbOptions(config));
      try {
        const meter = progressMeter('imported');
        const rejectsPath = opts.rejects ?? `${opts.file}.rejects.jsonl`;
        const s = await importMembers(knex, opts.file, {
          truncate: opts.truncate === true,
          rejectsPath,
          onProgress: (p) => meter.tick(p.imported, `rejected ${p.rejected}`),
        });
        meter.done();
        process.stderr.write(
          `lines ${s.lines}: imported ${s.imported} (new ${s.inserted}, updated ${s.updated}, unchanged ${s.unchanged}), ` +
            `rejected ${s.rejected}${s.rejected > 0 ? ` → ${rejectsPath}` : ''}; search keys ${s.keys}; ` +
            `${(s.elapsedMs / 1000).toFixed(1)} s, ${s.rowsPerSecond} rows/s\n`,
        );
        if (opts.refresh) {
          const f = await refreshNameFrequencies(knex);
          process.stderr.write(`name frequencies: ${f.tokens} tokens over ${f.members} members\n`);
        }
      } finally {
        await knex.destroy();
      }
    });

  hgd
    .command('refresh-frequencies')
    .description('recompute family/given name frequencies from HGD (term-frequency adjustment)')
    .action(async () => {
      const config = loadConfig();
      const knex = createDb(ownerUrl(config), dbOptions(config));
      try {
        const f = await refreshNameFrequencies(knex);
        process.stderr.write(`name frequencies: ${f.tokens} tokens over ${f.members} members\n`);
      } finally {
        await knex.destroy();
      }
    });
}
