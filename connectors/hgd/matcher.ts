import type { Knex } from 'knex';
import { matchPerson } from '../../src/matching/match.js';
import { loadParameters } from '../../src/matching/parameters.js';
import type { MatchModel } from '../../src/matching/types.js';
import type { FindPerson } from '../../src/ports/hgd.js';
import type { RuntimeEvents } from '../../src/runtime/events.js';
import { assertIndexScheme } from './index-scheme.js';
import { loadNameFrequencies, postgresCandidateSource } from './repository.js';

/**
 * Loads the match model: parameters (file or shipped defaults) and the name frequencies last refreshed in HGD. Refuses
 * (`IndexSchemeError`) a search index built with another version's blocking keys.
 */
export async function loadMatchModel(knex: Knex, parametersPath?: string): Promise<MatchModel> {
  await assertIndexScheme(knex);
  return { parameters: loadParameters(parametersPath), frequencies: await loadNameFrequencies(knex) };
}

/**
 * Composition helper: the matcher over Postgres, per flow, emitting `match.scored` for metrics.
 * Returns `(flow) => findPerson`.
 */
export async function hgdMatcher(
  knex: Knex,
  events?: RuntimeEvents,
  opts: { parametersPath?: string; model?: MatchModel } = {},
): Promise<(flow: string) => FindPerson> {
  const model = opts.model ?? (await loadMatchModel(knex, opts.parametersPath));
  const source = postgresCandidateSource(knex);
  return (flow) => async (query, options) => {
    const result = await matchPerson(query, source, model, options ?? {});
    events?.emit('match.scored', {
      flow,
      score: result.candidates[0]?.score ?? 0,
      decision: result.decision,
    });
    return result;
  };
}
