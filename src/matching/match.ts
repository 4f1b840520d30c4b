import { queryBlockingKeys } from './blocking.js';
import { decide, posteriors, rank } from './decide.js';
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
  // A candidate whose posterior log2 odds stay below the review floor is never listed, and as a rival it adds less
  // than 2^reviewLog2Odds (≈ 0.001) to the best's denominator: it is not fully scored.
  const floor = t.reviewLog2Odds - logPrior;
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
  const probabilities = posteriors(ranked);
  ranked.forEach((c, i) => (c.probability = probabilities[i]));
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
