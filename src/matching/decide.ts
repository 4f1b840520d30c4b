import type { Decision, MatchThresholds, ScoredCandidate } from './types.js';

/**
 * Precision first (a wrong auto-match changes the wrong person's BHXH code): `match` only when the best candidate
 * clears a high bar AND leads the runner-up by a margin (twins and same-name siblings stay with a human); `review`
 * when someone is plausible; otherwise `no_match`.
 */
export function decide(
  ranked: readonly ScoredCandidate[],
  t: MatchThresholds,
): { decision: Decision; best?: ScoredCandidate; candidates: ScoredCandidate[] } {
  const best = ranked[0];
  if (!best || best.score < t.review) return { decision: 'no_match', candidates: [] };
  const runnerUp = ranked[1];
  const lead = runnerUp ? best.score - runnerUp.score : Number.POSITIVE_INFINITY;
  const candidates = ranked.filter((c) => c.score >= t.review).slice(0, t.maxReviewCandidates);
  if (best.score >= t.match && lead >= t.margin && !vetoed(best, t))
    return { decision: 'match', best, candidates };
  return { decision: 'review', candidates };
}

/** Sort best first; ties broken by member id so the output is deterministic. */
export function rank(candidates: ScoredCandidate[]): ScoredCandidate[] {
  return candidates.sort(
    (a, b) => b.score - a.score || (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0),
  );
}

/** Does the candidate's evidence hold a level that forbids an automatic match? */
export function vetoed(c: ScoredCandidate, t: MatchThresholds): boolean {
  const veto = t.vetoLevels;
  if (!veto) return false;
  return c.evidence.some((e) => veto[e.field]?.includes(e.level) ?? false);
}
