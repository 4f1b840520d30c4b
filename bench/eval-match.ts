/**
 * `npm run eval:match [-- --members 200000 --queries 5000 --seed 20261125 [--db]]`
 * Generates a seeded HGD and declarations (a seed different from the one the parameters were estimated on), matches
 * every query and prints the metrics of issue 4, exiting non-zero when a bound is missed.
 * Default: in-memory candidate source (the same blocking keys as Postgres); `--db` imports into the configured
 * database (DATABASE_URL) and matches through Postgres.
 */
import { parseArgs } from 'node:util';
import { Readable } from 'node:stream';
import { createDb } from '../connectors/db/knex.js';
import { migrateLatest } from '../connectors/db/migrate.js';
import { matchBatch } from '../connectors/hgd/batch-match.js';
import { importMembers, refreshNameFrequencies } from '../connectors/hgd/import.js';
import { loadMatchModel } from '../connectors/hgd/matcher.js';
import { computeNameFrequencies } from '../src/matching/frequencies.js';
import { InMemoryCandidateSource } from '../src/matching/in-memory-source.js';
import { memberToLine } from '../src/matching/lines.js';
import { matchPerson } from '../src/matching/match.js';
import { defaultParameters } from '../src/matching/parameters.js';
import type { MatchResult } from '../src/matching/types.js';
import { checkBounds, evaluate, formatMetrics, type EvalCase } from './evaluate.js';
import { generateHgd, type GeneratedPerson } from './generator/households.js';
import { generateQueries } from './generator/queries.js';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '200000' },
    queries: { type: 'string', default: '5000' },
    seed: { type: 'string', default: '20261125' },
    db: { type: 'boolean', default: false },
  },
});
const N = Number(values.members);
const Q = Number(values.queries);
const seed = Number(values.seed);

const t0 = Date.now();
const people: GeneratedPerson[] = [...generateHgd({ seed, members: N })];
const { queries, truth } = generateQueries(people, { seed: seed + 1, count: Q });
process.stderr.write(`generated ${people.length} members, ${queries.length} queries (seed ${seed})\n`);

const results: MatchResult[] = [];
if (values.db) {
  const knex = createDb(process.env['DATABASE_URL'] ?? 'postgres://vss:vss@127.0.0.1:5432/vss');
  try {
    await migrateLatest(knex);
    const lines = Readable.from(people.map((p) => `${memberToLine(p.member)}\n`));
    const s = await importMembers(knex, lines, { truncate: true });
    await refreshNameFrequencies(knex);
    process.stderr.write(`imported ${s.imported} members at ${s.rowsPerSecond} rows/s\n`);
    const model = await loadMatchModel(knex);
    for await (const { result } of matchBatch(knex, queries, model)) results.push(result);
  } finally {
    await knex.destroy();
  }
} else {
  const source = new InMemoryCandidateSource(people.map((p) => p.member));
  const model = {
    parameters: defaultParameters(),
    frequencies: computeNameFrequencies(people.map((p) => p.member.fullName)),
  };
  for (const q of queries) results.push(await matchPerson(q, source, model));
}
const cases: EvalCase[] = queries.map((query, i) => ({ query, truth: truth[i]!, result: results[i]! }));
const { metrics } = evaluate(cases);
process.stdout.write(
  `HGD members ${N}, queries ${Q}, seed ${seed}, source ${values.db ? 'postgres' : 'in-memory'}, parameters ${defaultParameters().version}\n`,
);
process.stdout.write(`${formatMetrics(metrics)}\n`);
const refusals = new Map<string, number>();
for (const c of cases) {
  if (c.result.decision !== 'review' || c.truth.memberId === null) continue;
  const top = c.result.candidates[0]?.memberId === c.truth.memberId ? 'top' : 'not-top';
  const k = `${c.result.refusal ?? '?'}/${top}`;
  refusals.set(k, (refusals.get(k) ?? 0) + 1);
}
process.stdout.write(
  `reviews of present people by refusal: ${JSON.stringify(Object.fromEntries(refusals))}\n`,
);
const failures = checkBounds(metrics);
process.stdout.write(
  failures.length === 0 ? 'bounds: all met\n' : `bounds MISSED:\n  ${failures.join('\n  ')}\n`,
);
process.stderr.write(`${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
process.exitCode = failures.length === 0 ? 0 : 1;
if (process.env['EVAL_DEBUG']) {
  const { wrong } = evaluate(cases);
  const byId = new Map(people.map((p) => [p.member.memberId, p.member]));
  for (const w of wrong) {
    process.stderr.write(
      `WRONG ${JSON.stringify(w.query)} truth=${JSON.stringify(w.truth)} true=${JSON.stringify(byId.get(w.truth.memberId ?? ''))}\n  got ${JSON.stringify(w.result.best?.member)}\n  ${JSON.stringify(w.result.best?.evidence.map((e) => `${e.field}:${e.level}:${e.weight}`))} ${w.result.candidates.map((c) => c.score)}\n`,
    );
  }
}
