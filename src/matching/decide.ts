import { DESCRIPTIVE_FIELDS } from './namesakes.js';
import type {
  ComparisonField,
  FieldEvidence,
  MatchResult,
  MatchThresholds,
  ScoredCandidate,
} from './types.js';

/**
 * The decision (precision first: a wrong auto-match changes the wrong person's BHXH code). Every candidate's
 * `score` is already its posterior log2 odds (Bayes factor + log2 prior, see `scoreCandidates`). Then:
 *
 * - probability of the best = 2^s / (1 + Σ 2^s over all scored candidates): the runner-up and the rest of the
 *   population compete for the same query, so twins or two namesakes share the probability and neither reaches
 *   the bar;
 * - `match` when that probability ≥ `minMatchProbability`, no veto level, the expected namesakes ≤ `maxNamesakes`
 *   or an identifying field (ID number, parent's name) agrees, and weak levels (year-only dates) are corroborated;
 * - `review` when a candidate has posterior log2 odds ≥ `reviewLog2Odds`; otherwise `no_match`.
 */
export function decide(
  ranked: readonly ScoredCandidate[],
  t: MatchThresholds,
): Pick<MatchResult, 'decision' | 'best' | 'candidates' | 'refusal'> {
  const best = ranked[0];
  if (!best || best.score < t.reviewLog2Odds) return { decision: 'no_match', candidates: [] };
  const probability = best.probability ?? posteriorOf(best.score, ranked);
  const candidates = ranked.filter((c) => c.score >= t.reviewLog2Odds).slice(0, t.maxReviewCandidates);
  const refusal = refusalOf(best, probability, t);
  if (refusal === undefined) return { decision: 'match', best, candidates };
  return { decision: 'review', candidates, refusal };
}

function refusalOf(
  best: ScoredCandidate,
  probability: number,
  t: MatchThresholds,
): MatchResult['refusal'] | undefined {
  if (probability < t.minMatchProbability) return 'probability';
  if (vetoed(best, t)) return 'veto';
  // Weak evidence (a date that agrees on the year only) needs a corroborating level (ID number, a parent's name);
  // moderate evidence (a year-month date that agrees) needs that or the same ward; too many namesakes need an
  // identifying level (ID number, parent), since the place already counts among the namesakes.
  if (hasLevel(best.evidence, t.weakLevels) && !hasLevel(best.evidence, t.corroborating))
    return 'uncorroborated';
  if (
    hasLevel(best.evidence, t.moderateLevels) &&
    !hasLevel(best.evidence, t.corroborating) &&
    !hasLevel(best.evidence, t.moderateCorroborating)
  )
    return 'uncorroborated';
  if ((best.namesakes ?? 0) > t.maxNamesakes && !hasLevel(best.evidence, identifying(t.corroborating)))
    return 'namesakes';
  return undefined;
}

/** Posterior probability of a candidate with log2 odds `score` among `all` (each a rival for the same query). */
export function posteriorOf(score: number, all: readonly { score: number }[]): number {
  // 2^s / (1 + Σ 2^s_j), computed relative to the largest exponent so nothing overflows.
  const top = Math.max(0, ...all.map((c) => c.score));
  let denominator = 2 ** -top;
  for (const c of all) denominator += 2 ** (c.score - top);
  return 2 ** (score - top) / denominator;
}

/** `posteriorOf` for every candidate of a ranked list at once (one pass for the shared denominator). */
export function posteriors(ranked: readonly { score: number }[]): number[] {
  const top = Math.max(0, ranked[0]?.score ?? 0);
  let denominator = 2 ** -top;
  for (const c of ranked) denominator += 2 ** (c.score - top);
  return ranked.map((c) => 2 ** (c.score - top) / denominator);
}

/** Sort best first; ties broken by member id so the output is deterministic. */
export function rank(candidates: ScoredCandidate[]): ScoredCandidate[] {
  return candidates.sort(
    // Stryker disable next-line EqualityOperator,ConditionalExpression: member ids in a ranked list are distinct (scoreCandidates keeps one per id), so < and <=, > and >= agree, and for distinct ids Array.prototype.sort orders by whether the result is negative
    (a, b) => b.score - a.score || (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0),
  );
}

/** Corroborating levels of the fields that are not name, date or place (ID number, parents' names). */
function identifying(levels: MatchThresholds['corroborating']): MatchThresholds['corroborating'] {
  if (!levels) return undefined;
  return Object.fromEntries(
    Object.entries(levels).filter(([f]) => !DESCRIPTIVE_FIELDS.has(f as ComparisonField)),
  );
}

function hasLevel(
  evidence: readonly FieldEvidence[],
  levels: Partial<Record<string, string[]>> | undefined,
): boolean {
  if (!levels) return false;
  return evidence.some((e) => levels[e.field]?.includes(e.level) ?? false);
}

/**
 * Does the candidate's evidence hold a level that forbids an automatic match? A liftable veto level (a typo-like
 * given name) does not when an identifying level agrees (`vetoLiftedBy`: the ID number).
 */
export function vetoed(c: ScoredCandidate, t: MatchThresholds): boolean {
  const lifted = hasLevel(c.evidence, t.vetoLiftedBy);
  return c.evidence.some(
    (e) =>
      (t.vetoLevels?.[e.field]?.includes(e.level) ?? false) &&
      !(lifted && (t.liftableVetoLevels?.[e.field]?.includes(e.level) ?? false)),
  );
}
