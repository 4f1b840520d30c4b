import type { Command } from 'commander';
import { createDb } from '../../../connectors/db/knex.js';
import { dbOptions } from '../../runtime/connections.js';
import {
  importMembers,
  refreshNameFrequencies,
  type ImportProgress,
} from '../../../connectors/hgd/import.js';
import type { ImportCpu } from '../../../connectors/hgd/import-cpu.js';
import { loadConfig, type Config } from '../../runtime/config.js';
import { ownerDatabaseUrl } from '../connection-errors.js';

/**
 * The HGD bulk load and the frequency refresh write tables the runtime role may only read (hgd.members beyond
 * the code columns, hgd_match): they run as the owner role, like `migrate`.
 */
const ownerUrl = (config: Config, command: string) =>
  ownerDatabaseUrl(config, command, 'it writes tables the runtime role may only read');

export function register(program: Command): void {
  const hgd = program.command('hgd').description('HGD household data: bulk import and name frequencies');

  hgd
    .command('import')
    .description(
      'import HGD members from JSON lines with COPY (idempotent on member_id; bad lines go to the reject file)',
    )
    .requiredOption(
      '--file <members.jsonl>',
      'member lines, one JSON object per line (docs/batch-formats.md)',
    )
    .option('--truncate', 'empty the HGD tables and search keys first (in the same transaction)')
    .option('--rejects <file>', 'reject file (default: <file>.rejects.jsonl)')
    .option('--no-refresh', 'do not refresh name frequencies after the import')
    .option(
      '--workers <n>',
      'worker threads that parse lines and compute search keys (default: CPUs, at most 4)',
    )
    .option(
      '--progress-every <seconds>',
      'seconds between progress lines when stderr is not a terminal (job logs)',
      '5',
    )
    .action(
      async (opts: {
        file: string;
        truncate?: boolean;
        rejects?: string;
        refresh: boolean;
        workers?: string;
        progressEvery: string;
      }) => {
        const config = loadConfig();
        const knex = createDb(ownerUrl(config, 'hgd import'), dbOptions(config));
        const meter = importMeter(Number(opts.progressEvery) * 1000);
        try {
          const rejectsPath = opts.rejects ?? `${opts.file}.rejects.jsonl`;
          const s = await importMembers(knex, opts.file, {
            truncate: opts.truncate === true,
            rejectsPath,
            refreshFrequencies: opts.refresh,
            ...(opts.workers !== undefined ? { workers: Number(opts.workers) } : {}),
            onProgress: (p) => meter.update(p),
            measureCpu: true,
          });
          meter.done();
          process.stderr.write(
            `lines ${s.lines}: imported ${s.imported} (new ${s.inserted}, updated ${s.updated}, unchanged ${s.unchanged}` +
              `${s.superseded > 0 ? `; ${s.superseded} lines replaced by a later line for the same member_id` : ''}), ` +
              `rejected ${s.rejected}${s.rejected > 0 ? ` → ${rejectsPath}` : ''}; search keys written ${s.keys}; ` +
              `${opts.refresh ? 'name frequencies refreshed; ' : ''}` +
              `${(s.elapsedMs / 1000).toFixed(1)} s, ${s.rowsPerSecond} rows/s\n`,
          );
          if (s.cpu) process.stderr.write(`${cpuLine(s.cpu, s.lines)}\n`);
        } finally {
          meter.done();
          await knex.destroy();
        }
      },
    );

  hgd
    .command('refresh-frequencies')
    .description('recompute family/given name frequencies from HGD (term-frequency adjustment)')
    .action(async () => {
      const config = loadConfig();
      const knex = createDb(ownerUrl(config, 'hgd refresh-frequencies'), dbOptions(config));
      try {
        const f = await refreshNameFrequencies(knex);
        process.stderr.write(`name frequencies: ${f.tokens} tokens over ${f.members} members\n`);
      } finally {
        await knex.destroy();
      }
    });
}

/** CPU spent by the import, also per million lines (the load-independent figure to compare runs by). */
function cpuLine(cpu: ImportCpu, lines: number): string {
  const total = cpu.nodeSeconds + (cpu.postgresSeconds ?? 0);
  const perMillion = lines > 0 ? (total / lines) * 1e6 : 0;
  return `CPU: node ${cpu.nodeSeconds.toFixed(1)} s, PostgreSQL ${
    cpu.postgresSeconds === null
      ? 'not measurable (server not on this machine)'
      : `${cpu.postgresSeconds.toFixed(1)} s`
  } (backend + parallel workers); ${total.toFixed(1)} CPU-s, ${perMillion.toFixed(1)} CPU-s per million lines`;
}

const PHASE_TEXT: Record<ImportProgress['phase'], string> = {
  reading: 'reading and staging lines',
  merging: 'merging members',
  keys: 'writing search keys',
  indexing: 'building search-key indexes',
  frequencies: 'refreshing name frequencies',
  vacuum: 'vacuum and analyze',
  done: 'done',
};

/**
 * Progress of `hgd import` on stderr: redrawn in place on a terminal; otherwise one line every `everyMs` (job logs
 * keep every line), also during the merge steps, which report nothing for a while. Counts only, never a value.
 */
function importMeter(everyMs: number): { update(p: ImportProgress): void; done(): void } {
  const tty = Boolean(process.stderr.isTTY);
  let last: ImportProgress | null = null;
  let stopped = false;
  const line = (p: ImportProgress) => {
    const secs = p.elapsedMs / 1000;
    const rate = secs > 0 ? Math.round(p.staged / secs) : 0;
    return (
      `import: ${PHASE_TEXT[p.phase]}; lines ${p.lines.toLocaleString('en')}, staged ${p.staged.toLocaleString('en')}` +
      ` (${rate.toLocaleString('en')}/s), rejected ${p.rejected}; ${secs.toFixed(0)} s`
    );
  };
  const started = Date.now();
  const timer = setInterval(
    () => {
      if (last === null) return;
      const p = { ...last, elapsedMs: Date.now() - started };
      process.stderr.write(tty ? `\r${line(p)}   ` : `${line(p)}\n`);
    },
    tty ? 250 : Math.max(100, everyMs),
  );
  timer.unref();
  return {
    update(p) {
      last = p;
    },
    done() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      if (tty && last !== null) process.stderr.write('\n');
    },
  };
}
