/**
 * `npm run gen:hgd -- --members 200000 --queries 5000 --seed 1 --out bench/out`
 * Writes members.jsonl, queries.jsonl and truth.jsonl ({query_id, member_id|null, tags}).
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { memberToLine, queryToLine } from '../../src/matching/lines.js';
import { generateHgd, type GeneratedPerson } from './households.js';
import { generateQueries } from './queries.js';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '200000' },
    queries: { type: 'string', default: '5000' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: 'bench/out' },
  },
});
mkdirSync(values.out, { recursive: true });
const write = async (name: string, lines: Iterable<string>) => {
  const s = createWriteStream(join(values.out, name));
  for (const l of lines) if (!s.write(`${l}\n`)) await new Promise<void>((r) => s.once('drain', () => r()));
  await new Promise<void>((r) => s.end(() => r()));
};
const people: GeneratedPerson[] = [
  ...generateHgd({ seed: Number(values.seed), members: Number(values.members) }),
];
const { queries, truth } = generateQueries(people, {
  seed: Number(values.seed) + 1,
  count: Number(values.queries),
});
await write(
  'members.jsonl',
  (function* () {
    for (const p of people) yield memberToLine(p.member);
  })(),
);
await write('queries.jsonl', queries.map(queryToLine));
await write(
  'truth.jsonl',
  truth.map((t) => JSON.stringify({ query_id: t.queryId, member_id: t.memberId, tags: t.tags })),
);
process.stderr.write(`wrote ${people.length} members, ${queries.length} queries to ${values.out}\n`);
