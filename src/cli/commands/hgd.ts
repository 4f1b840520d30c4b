import type { Command } from 'commander';
import { createDb } from '../../../connectors/db/knex.js';
import { importMembers, refreshNameFrequencies } from '../../../connectors/hgd/import.js';
import { loadConfig } from '../../runtime/config.js';
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
      const knex = createDb(config.databaseUrl, { ssl: config.databaseSsl });
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
      const knex = createDb(config.databaseUrl, { ssl: config.databaseSsl });
      try {
        const f = await refreshNameFrequencies(knex);
        process.stderr.write(`name frequencies: ${f.tokens} tokens over ${f.members} members\n`);
      } finally {
        await knex.destroy();
      }
    });
}
