/**
 * `node --import tsx bench/generator2/files.ts --members 100000 --queries 10000 --seed 7601`: the independent
 * generator's HGD members, declarations and truth as files in the member and query line formats
 * (`bench/out/gen2-files-<members>-s<seed>/`), the same people and queries `npm run eval:gen2` draws with these
 * arguments, so a reference matcher (`bench/febrl4/splink_febrl4.py <dir>`) runs on the very data.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { memberToLine } from '../../src/matching/lines.js';
import { generateMembers2, generateQueries2, writeQueryFiles, type Gen2Person } from './index.js';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '100000' },
    queries: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '7601' },
  },
});
const N = Number(values.members);
const seed = Number(values.seed);
const people: Gen2Person[] = [...generateMembers2(seed, N)];
const { queries, truth } = generateQueries2(people, seed + 1, Number(values.queries));
const dir = `bench/out/gen2-files-${N}-s${seed}`;
writeQueryFiles(dir, queries, truth);
const out = createWriteStream(`${dir}/members.jsonl`);
for (const p of people) if (!out.write(`${memberToLine(p.member)}\n`)) await once(out, 'drain');
out.end();
await once(out, 'finish');
process.stderr.write(`${dir}: ${people.length} members, ${queries.length} queries (seed ${seed})\n`);
