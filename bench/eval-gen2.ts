/**
 * `npm run eval:gen2 -- --members 1000000 --queries 10000 [--source db|memory] [--seed 7301]`
 * Evaluates the matcher on the second, independent generator (`bench/generator2/`), which the parameters were never
 * estimated on. `--source db` (default) goes through the code paths of `vss-bridge hgd import`, `hgd
 * refresh-frequencies` and `vss-bridge match` against PostgreSQL (a database of its own, `EVAL_DATABASE_URL`,
 * default `vss_match_eval` on the local stack, created when missing); `memory` uses the in-memory source with the
 * same blocking keys; `--load direct` fills the database with `bench/direct-load.ts` instead of the import (the same
 * rows and keys; for 5M members). Blocking recall (the true member among the blocked records, before scoring) is measured
 * separately from decision quality. The data files are written to bench/out/gen2-<members>/ (git-ignored).
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import knexFactory from 'knex';
import { createDb } from '../connectors/db/knex.js';
import { migrateLatest } from '../connectors/db/migrate.js';
import { matchBatch } from '../connectors/hgd/batch-match.js';
import { importMembers, refreshNameFrequencies } from '../connectors/hgd/import.js';
import { loadMatchModel } from '../connectors/hgd/matcher.js';
import { findCandidatesBatch } from '../connectors/hgd/repository.js';
import { queryBlockingKeys } from '../src/matching/blocking.js';
import { computeNameFrequencies } from '../src/matching/frequencies.js';
import { InMemoryCandidateSource } from '../src/matching/in-memory-source.js';
import { memberToLine } from '../src/matching/lines.js';
import { scoreCandidates } from '../src/matching/match.js';
import { loadParameters } from '../src/matching/parameters.js';
import { preparePerson } from '../src/matching/prepare.js';
import type { MatchModel, MatchResult, MemberRecord } from '../src/matching/types.js';
import {
  cpuSince,
  formatCpuPer1000,
  readCpu,
  withApplicationName,
  type CpuSpent,
} from './bench-match-cpu.js';
import { directLoad } from './direct-load.js';
import { checkBounds, evaluate, formatMetrics, type EvalCase } from './evaluate.js';
import { generateMembers2, generateQueries2, writeQueryFiles, type Gen2Person } from './generator2/index.js';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '100000' },
    queries: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '7301' },
    source: { type: 'string', default: 'db' },
    parameters: { type: 'string' },
    'skip-import': { type: 'boolean', default: false },
    /** `import` (default): the code path of `vss-bridge hgd import`; `direct`: `bench/direct-load.ts` (5M members). */
    load: { type: 'string', default: 'import' },
    /** Write every decision (query id, decision, refusal, candidates with scores) here, to compare two versions. */
    'decisions-out': { type: 'string' },
  },
});
const N = Number(values.members);
const Q = Number(values.queries);
const seed = Number(values.seed);
const t0 = Date.now();
const people: Gen2Person[] = [...generateMembers2(seed, N)];
const { queries, truth } = generateQueries2(people, seed + 1, Q);
const dir = `bench/out/gen2-${N}`;
writeQueryFiles(dir, queries, truth);
process.stderr.write(`generated ${people.length} members, ${queries.length} queries (seed ${seed})\n`);

const results: MatchResult[] = [];
const blocked: MemberRecord[][] = [];
let qps = 0;
let cpu: CpuSpent | null = null;
let model: MatchModel;
if (values.source === 'db') {
  const url = process.env['EVAL_DATABASE_URL'] ?? 'postgres://vss:vss@127.0.0.1:5432/vss_match_eval';
  const admin = knexFactory({ client: 'pg', connection: url.replace(/\/[^/]+$/, '/vss') });
  const dbName = url.slice(url.lastIndexOf('/') + 1);
  const exists = (await admin.raw('select 1 from pg_database where datname = ?', [dbName])) as {
    rows: unknown[];
  };
  if (exists.rows.length === 0) await admin.raw(`create database "${dbName}"`);
  await admin.destroy();
  const knex = createDb(withApplicationName(url, 'vss-eval-gen2'));
  try {
    await migrateLatest(knex);
    if (!values['skip-import'] && values.load === 'direct') {
      const s = await directLoad(
        knex,
        (function* () {
          for (const p of people) yield p.member;
        })(),
      );
      await refreshNameFrequencies(knex);
      process.stderr.write(
        `loaded ${s.members} members, ${s.keys} keys directly in ${s.seconds.toFixed(0)} s\n`,
      );
    } else if (!values['skip-import']) {
      const lines = Readable.from(
        (function* () {
          for (const p of people) yield `${memberToLine(p.member)}\n`;
        })(),
      );
      const s = await importMembers(knex, lines, { truncate: true, batchSize: 5000 });
      await refreshNameFrequencies(knex);
      process.stderr.write(`imported ${s.imported} members at ${s.rowsPerSecond} rows/s\n`);
    }
    model = await loadMatchModel(knex, values.parameters);
    const cpuStart = await readCpu(knex);
    const started = Date.now();
    for await (const { result } of matchBatch(knex, queries, model)) results.push(result);
    qps = queries.length / ((Date.now() - started) / 1000);
    cpu = await cpuSince(knex, cpuStart);
    for (let i = 0; i < queries.length; i += 256) {
      const chunk = queries.slice(i, i + 256).map((q) => queryBlockingKeys(preparePerson(q)));
      blocked.push(...(await findCandidatesBatch(knex, chunk)));
    }
  } finally {
    await knex.destroy();
  }
} else {
  const source = new InMemoryCandidateSource(people.map((p) => p.member));
  model = {
    parameters: loadParameters(values.parameters),
    frequencies: computeNameFrequencies(people.map((p) => p.member.fullName)),
  };
  const started = Date.now();
  for (const q of queries) {
    const prepared = preparePerson(q);
    const found = source.findCandidatesSync(queryBlockingKeys(prepared));
    blocked.push(found);
    results.push(scoreCandidates(prepared, found, model));
  }
  qps = queries.length / ((Date.now() - started) / 1000);
}

const cases: EvalCase[] = queries.map((query, i) => ({
  query,
  truth: { queryId: truth[i]!.queryId, memberId: truth[i]!.memberId, tags: truth[i]!.tags },
  result: results[i]!,
}));
const { metrics, wrong } = evaluate(cases);
let present = 0;
let kept = 0;
const lostTags = new Map<string, number>();
truth.forEach((t, i) => {
  if (t.memberId === null) return;
  present++;
  if (blocked[i]!.some((m) => m.memberId === t.memberId)) kept++;
  else for (const tag of t.tags.length ? t.tags : ['clean']) lostTags.set(tag, (lostTags.get(tag) ?? 0) + 1);
});
const refusals = new Map<string, number>();
cases.forEach((c) => {
  if (c.result.decision === 'review' && c.truth.memberId !== null) {
    const k = c.result.refusal ?? '?';
    refusals.set(k, (refusals.get(k) ?? 0) + 1);
  }
});
// Projection to a national HGD: the same queries and Bayes factors with the prior of 90M members (score − log2(90M/N)).
const shift = Math.log2(90_000_000 / N);
let autoAt90 = 0;
let expWrongAt90 = 0;
for (const c of cases) {
  if (c.result.decision !== 'match' || !c.result.best) continue;
  const rescored = c.result.candidates.map((x) => ({ score: x.score - shift }));
  const top = rescored[0]!.score;
  let den = 2 ** -top;
  for (const x of rescored) den += 2 ** (x.score - top);
  const p = 1 / den;
  const namesakes = (c.result.best.namesakes ?? 0) * (90_000_000 / N);
  if (
    p >= model.parameters.thresholds.minMatchProbability &&
    namesakes <= model.parameters.thresholds.maxNamesakes
  ) {
    autoAt90++;
    expWrongAt90 += 1 - p;
  }
}
const blockingRecall = present > 0 ? kept / present : 1;
console.log(
  `generator2, HGD members ${N}, queries ${Q}, seed ${seed}, source ${values.source}` +
    `${values.source === 'db' ? ` (${values['skip-import'] ? 'loaded before' : `load: ${values.load}`})` : ''}, parameters ${model.parameters.version}; ` +
    `machine ${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
);
console.log(formatMetrics(metrics));
console.log(
  `blocking recall (true member blocked)              ${blockingRecall.toFixed(4)} (${present - kept} lost)`,
);
console.log(
  `batch queries/s                                    ${Math.round(qps)} (load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ')})`,
);
if (cpu)
  console.log(`batch CPU                                          ${formatCpuPer1000(cpu, queries.length)}`);
console.log(
  `reviews of present people by refusal               ${JSON.stringify(Object.fromEntries(refusals))}`,
);
console.log(
  `blocking losses by tag                             ${JSON.stringify(Object.fromEntries(lostTags))}`,
);
console.log(
  `projection at 90M members (same queries): auto-matches of those made ${autoAt90}/${metrics.autoMatches}, ` +
    `model-expected wrong ${((expWrongAt90 / Q) * 10_000).toFixed(2)} per 10k`,
);
const failures = checkBounds(metrics);
if (blockingRecall < 0.995) failures.push(`blocking recall ${blockingRecall.toFixed(4)} < 0.995`);
console.log(failures.length === 0 ? 'bounds: all met' : `bounds MISSED:\n  ${failures.join('\n  ')}`);
if (values['decisions-out']) {
  writeFileSync(
    values['decisions-out'],
    cases
      .map(
        (c) =>
          `${JSON.stringify({
            q: c.truth.queryId,
            d: c.result.decision,
            r: c.result.refusal ?? null,
            n: c.result.best?.namesakes ?? c.result.candidates[0]?.namesakes ?? null,
            c: c.result.candidates.map((x) => [x.memberId, x.score, x.probability]),
          })}\n`,
      )
      .join(''),
  );
}
if (process.env['EVAL_DEBUG']) {
  const byId = new Map(people.map((p) => [p.member.memberId, p.member]));
  for (const w of wrong.slice(0, 20)) {
    process.stderr.write(
      `WRONG ${JSON.stringify(w.query)} tags=${w.truth.tags} true=${w.truth.memberId}\n  got ${JSON.stringify(byId.get(w.result.best?.memberId ?? ''))}\n  ${w.result.best?.score} p=${w.result.best?.probability} ns=${w.result.best?.namesakes} ${JSON.stringify(w.result.best?.evidence.filter((e) => e.level !== 'missing').map((e) => `${e.field}:${e.level}:${e.weight}`))}\n`,
    );
  }
}
process.stderr.write(`${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
