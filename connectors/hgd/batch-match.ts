import type { Knex } from 'knex';
import { queryBlockingKeys } from '../../src/matching/blocking.js';
import { scoreCandidates } from '../../src/matching/match.js';
import { preparePerson } from '../../src/matching/prepare.js';
import type { MatchModel, MatchResult, PersonQuery } from '../../src/matching/types.js';
import { findCandidatesBatch } from './repository.js';

/**
 * Batch matching: blocks a chunk of queries (one statement, `findCandidatesBatch`) and scores them, with several
 * chunks in flight so Postgres and Node work at the same time.
 */
export async function* matchBatch(
  knex: Knex,
  queries: AsyncIterable<PersonQuery> | Iterable<PersonQuery>,
  model: MatchModel,
  opts: { chunkSize?: number; concurrency?: number } = {},
): AsyncGenerator<{ query: PersonQuery; result: MatchResult }> {
  const chunkSize = opts.chunkSize ?? 128;
  const concurrency = opts.concurrency ?? 3;
  const inFlight: Array<Promise<Array<{ query: PersonQuery; result: MatchResult }>>> = [];
  const run = async (chunk: PersonQuery[]) => {
    const prepared = chunk.map(preparePerson);
    // One blocking statement per chunk (few round trips); several chunks in flight keep Postgres busy while Node
    // scores.
    const candidates = await findCandidatesBatch(knex, prepared.map(queryBlockingKeys));
    return chunk.map((query, i) => ({ query, result: scoreCandidates(prepared[i]!, candidates[i]!, model) }));
  };
  let chunk: PersonQuery[] = [];
  for await (const q of queries) {
    chunk.push(q);
    if (chunk.length >= chunkSize) {
      inFlight.push(run(chunk));
      chunk = [];
      if (inFlight.length >= concurrency) yield* await inFlight.shift()!;
    }
  }
  if (chunk.length > 0) inFlight.push(run(chunk));
  while (inFlight.length > 0) yield* await inFlight.shift()!;
}
