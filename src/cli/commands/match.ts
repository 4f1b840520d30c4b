import { createReadStream, createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { runtimeDb } from '../../runtime/connections.js';
import { scrubText } from '../../runtime/logger.js';
import { matchBatch } from '../../../connectors/hgd/batch-match.js';
import { loadMatchModel } from '../../../connectors/hgd/matcher.js';
import { estimateParameters } from '../../matching/estimate.js';
import { memberFromLine, queryFromLine, resultToLine } from '../../matching/lines.js';
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
    .action(async (opts: { file?: string; out?: string; parameters?: string; evidence: boolean }) => {
      const config = loadConfig();
      const knex = runtimeDb(config);
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
        for await (const { query, result } of matchBatch(knex, queries, model)) {
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
      'estimate m/u parameters and thresholds from labelled data (members + queries + truth JSON lines); ' +
        'see src/matching/estimate.ts for the method',
    )
    .requiredOption('--members <members.jsonl>', 'HGD members the queries were drawn from')
    .requiredOption('--queries <queries.jsonl>', 'labelled queries')
    .requiredOption('--truth <truth.jsonl>', 'lines {query_id, member_id|null}')
    .option('--base <parameters.json>', 'starting parameters (levels, veto rules)')
    .option('--out <parameters.json>', 'where to write the estimate (default: stdout)')
    .option('--max-wrong-per-10k <n>', 'wrong auto-matches allowed on the labelled set', '0.25')
    .action(
      (opts: {
        members: string;
        queries: string;
        truth: string;
        base?: string;
        out?: string;
        maxWrongPer10k: string;
      }) => {
        const members = readJsonLines<MemberRecord>(opts.members, memberFromLine);
        const queries = readJsonLines<PersonQuery>(opts.queries, queryFromLine);
        const truth = new Map<string, string | null>();
        for (const line of readFileSync(opts.truth, 'utf8').split('\n')) {
          if (line.trim() === '') continue;
          const t = JSON.parse(line) as { query_id: string; member_id: string | null };
          truth.set(t.query_id, t.member_id);
        }
        const report = estimateParameters({
          base: loadParameters(opts.base),
          members,
          labelled: queries
            .filter((q) => truth.has(q.queryId ?? ''))
            .map((q) => ({ query: q, memberId: truth.get(q.queryId ?? '') ?? null })),
          maxWrongPer10k: Number(opts.maxWrongPer10k),
        });
        const json = `${JSON.stringify(report.parameters, null, 2)}\n`;
        if (opts.out) writeFileSync(opts.out, json);
        else process.stdout.write(json);
        process.stderr.write(
          `estimated from ${report.truePairs} true pairs and ${report.randomPairs} random pairs; ` +
            `thresholds ${JSON.stringify({ match: report.parameters.thresholds.match, margin: report.parameters.thresholds.margin, review: report.parameters.thresholds.review })}; ` +
            `training recall ${report.training.recall.toFixed(4)}, wrong per 10k ${report.training.wrongPer10k}\n`,
        );
      },
    );
}
