import { availableParallelism } from 'node:os';
import { createReadStream, createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { hgdSearchDb, runtimeDb } from '../../runtime/connections.js';
import { scrubText } from '../../runtime/logger.js';
import { matchBatch } from '../../../connectors/hgd/batch-match.js';
import { loadMatchModel } from '../../../connectors/hgd/matcher.js';
import {
  findCandidatesBatch,
  loadNameFrequencies,
  sampleMembers,
} from '../../../connectors/hgd/repository.js';
import { estimationBlockingKeys } from '../../matching/blocking.js';
import { estimateParameters } from '../../matching/estimate.js';
import { preparePerson } from '../../matching/prepare.js';
import { queryFromLine, resultToLine } from '../../matching/lines.js';
import { loadParameters } from '../../matching/parameters.js';
import type { MemberRecord, PersonQuery } from '../../matching/types.js';
import { loadConfig } from '../../runtime/config.js';

/** A one-line progress meter on stderr (only when stderr is a terminal, or forced). */
export function progressMeter(
  label: string,
  force = false,
): { tick(n: number, extra?: string): void; done(): void } {
  const started = Date.now();
  const tty = process.stderr.isTTY || force;
  let last = 0;
  return {
    tick(n, extra = '') {
      const now = Date.now();
      if (!tty || now - last < 200) return;
      last = now;
      const rate = n / Math.max((now - started) / 1000, 0.001);
      process.stderr.write(
        `\r${label}: ${n.toLocaleString('en')} (${Math.round(rate).toLocaleString('en')}/s) ${extra}   `,
      );
    },
    done() {
      if (tty) process.stderr.write('\n');
    },
  };
}

async function* readQueries(
  file: string | undefined,
  onBad: (line: number, reason: string) => void,
): AsyncGenerator<PersonQuery> {
  const rl = createInterface({
    input: file ? createReadStream(file, 'utf8') : process.stdin,
    crlfDelay: Infinity,
  });
  let n = 0;
  for await (const line of rl) {
    n++;
    if (line.trim() === '') continue;
    const q = queryFromLine(line);
    if (q.ok) yield q.value;
    else onBad(n, q.reason);
  }
}

function readJsonLines<T>(
  file: string,
  parse: (l: string) => { ok: true; value: T } | { ok: false; reason: string },
): T[] {
  const out: T[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const r = parse(line);
    if (r.ok) out.push(r.value);
  }
  return out;
}

interface MatchOptions {
  file?: string;
  out?: string;
  parameters?: string;
  evidence: boolean;
  workers?: string;
}

export function register(program: Command): void {
  const match = program
    .command('match')
    .description('match declared identities (JSON lines) against HGD members; results as JSON lines')
    .option('--file <queries.jsonl>', 'queries (default: stdin)')
    .option('--out <results.jsonl>', 'results (default: stdout)')
    .option(
      '--parameters <file>',
      'match parameters JSON (default: the shipped src/matching/data/parameters.json)',
    )
    .option('--no-evidence', 'omit per-field evidence from result lines')
    .option(
      '--workers <n>',
      'worker threads that block and score chunks of queries (default: one per core, at most 4; 0: none)',
    )
    .action(async (opts: MatchOptions) => {
      const config = loadConfig();
      // Batch matching only reads: from the read replica when HGD_READ_URL is set.
      const knex = hgdSearchDb(config) ?? runtimeDb(config);
      try {
        const model = await loadMatchModel(knex, opts.parameters);
        if (model.frequencies.total === 0) {
          process.stderr.write(
            'warning: no name frequencies yet; run `vss-bridge hgd refresh-frequencies`\n',
          );
        }
        const out: NodeJS.WritableStream = opts.out ? createWriteStream(opts.out) : process.stdout;
        const counts = { match: 0, review: 0, no_match: 0, bad: 0 };
        const meter = progressMeter('matched');
        let n = 0;
        const started = Date.now();
        const queries = readQueries(opts.file, (line, reason) => {
          counts.bad++;
          process.stderr.write(`\nline ${line}: ${scrubText(reason)}\n`);
        });
        const workers =
          opts.workers !== undefined ? Number(opts.workers) : Math.min(4, availableParallelism());
        for await (const { query, result } of matchBatch(knex, queries, model, { workers })) {
          counts[result.decision]++;
          if (!out.write(`${resultToLine(query.queryId ?? '', result, opts.evidence)}\n`)) {
            await new Promise<void>((r) => out.once('drain', () => r()));
          }
          meter.tick(++n);
        }
        meter.done();
        if (out !== process.stdout) await new Promise<void>((r) => out.end(() => r()));
        const secs = (Date.now() - started) / 1000;
        process.stderr.write(
          `queries ${n}: match ${counts.match}, review ${counts.review}, no_match ${counts.no_match}, bad lines ${counts.bad}; ` +
            `${secs.toFixed(1)} s, ${Math.round(n / Math.max(secs, 0.001))} queries/s\n`,
        );
      } finally {
        await knex.destroy();
      }
    });

  match
    .command('estimate')
    .description(
      'estimate match parameters on the loaded HGD: u from random member pairs, m by EM over the candidate pairs ' +
        'of unlabelled declarations; writes a parameters file with its provenance (method: src/matching/estimate.ts)',
    )
    .requiredOption(
      '--queries <queries.jsonl>',
      'unlabelled declarations (query lines), e.g. a past month of them',
    )
    .option(
      '--base <parameters.json>',
      'starting parameters (levels, decision rule; default: the shipped ones)',
    )
    .option('--to <parameters.json>', 'where to write the estimate (default: stdout)')
    .option('--sample <n>', 'HGD members sampled for the random pairs', '50000')
    .option('--u-pairs <n>', 'random member pairs for u', '400000')
    .option('--label <text>', 'which data this is (kept in the provenance)')
    .action(
      async (opts: {
        queries: string;
        base?: string;
        to?: string;
        sample: string;
        uPairs: string;
        label?: string;
      }) => {
        const config = loadConfig();
        const knex = runtimeDb(config);
        try {
          const frequencies = await loadNameFrequencies(knex);
          if (frequencies.total === 0)
            throw new Error('no name frequencies yet: run `vss-bridge hgd refresh-frequencies`');
          const members = await sampleMembers(knex, Number(opts.sample));
          const queries = readJsonLines<PersonQuery>(opts.queries, queryFromLine);
          const candidates: Array<{ query: PersonQuery; members: MemberRecord[] }> = [];
          for (let i = 0; i < queries.length; i += 256) {
            const chunk = queries.slice(i, i + 256);
            const found = await findCandidatesBatch(
              knex,
              chunk.map((q) => estimationBlockingKeys(preparePerson(q))),
            );
            chunk.forEach((query, j) => candidates.push({ query, members: found[j]! }));
          }
          const report = estimateParameters({
            base: loadParameters(opts.base),
            members,
            frequencies,
            candidates,
            hgdMembers: frequencies.total,
            uPairs: Number(opts.uPairs),
            ...(opts.label !== undefined ? { label: opts.label } : {}),
          });
          const json = `${JSON.stringify(report.parameters, null, 2)}\n`;
          if (opts.to) writeFileSync(opts.to, json);
          else process.stdout.write(json);
          process.stderr.write(
            `u from ${report.uPairs} random member pairs (sample of ${members.length}); m by EM over ` +
              `${report.emPairs} candidate pairs of ${queries.length} declarations, ${report.iterations} iterations, ` +
              `match share λ ${report.lambda.toFixed(4)}\n`,
          );
        } finally {
          await knex.destroy();
        }
      },
    );
}
