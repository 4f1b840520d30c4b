import { queryBlockingKeys } from './blocking.js';
import { decide, posteriorOf, rank } from './decide.js';
import { expectedNamesakes } from './namesakes.js';
import { preparePerson, type PreparedPerson } from './prepare.js';
import { scorePairAtLeast } from './score.js';
import type {
  CandidateSource,
  MatchModel,
  MatchResult,
  MemberRecord,
  PersonQuery,
  ScoredCandidate,
} from './types.js';

export interface MatchOptions {
  /** Only consider members of this household (child registration looks in the parent's household first). */
  householdCode?: string;
}

/** Scores already-retrieved candidates against a query and decides. Pure. */
export function scoreCandidates(
  query: PersonQuery | PreparedPerson,
  members: readonly MemberRecord[],
  model: MatchModel,
): MatchResult {
  const q = 'familyKey' in query ? query : preparePerson(query);
  const t = model.parameters.thresholds;
  const population = populationOf(model);
  // Prior odds that the query is one given member: 1 / population (Fellegi–Sunter with a prior).
  const logPrior = -Math.log2(population);
  // A candidate whose posterior log2 odds stay below the review floor and below what could still move the best's
  // probability across the bar is never listed and adds < 2^floor to the rivals' mass: it is not fully scored.
  const floorOdds = Math.min(t.reviewLog2Odds, Math.log2(Math.max(1 - t.minMatchProbability, 1e-12)) - 6);
  const floor = floorOdds - logPrior;
  const scored: ScoredCandidate[] = [];
  const seen = new Set<string>();
  for (const member of members) {
    if (seen.has(member.memberId)) continue;
    seen.add(member.memberId);
    const s = scorePairAtLeast(q, preparePerson(member), model, floor);
    if (s) {
      scored.push({
        memberId: member.memberId,
        score: round(s.score + logPrior),
        bayesFactor: s.score,
        evidence: s.evidence,
        member,
      });
    }
  }
  const ranked = rank(scored);
  for (const c of ranked) c.probability = posteriorOf(c.score, ranked);
  const best = ranked[0];
  if (best) best.namesakes = expectedNamesakes(best.evidence, model.parameters, population);
  return { ...decide(ranked, t), blockedCount: members.length, population };
}

/** Members a query could be: the model's population, else the HGD size from the frequency refresh (at least 1). */
export function populationOf(model: MatchModel): number {
  return Math.max(1, model.population ?? model.frequencies.total);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * The single-record path: normalise → block (through the `CandidateSource` port) → compare → score → decide.
 * Every candidate carries its evidence (field → level → weight).
 */
export async function matchPerson(
  query: PersonQuery,
  source: CandidateSource,
  model: MatchModel,
  options: MatchOptions = {},
): Promise<MatchResult> {
  const q = preparePerson(query);
  const keys = queryBlockingKeys(q);
  const members = await source.findCandidates(
    keys,
    options.householdCode !== undefined ? { householdCode: options.householdCode } : {},
  );
  // A household search looks among that household's members only: they are the population the query could be.
  const searched = options.householdCode !== undefined ? { ...model, population: members.length } : model;
  return scoreCandidates(q, members, searched);
}
