import { queryBlockingKeys } from './blocking.js';
import { decide, rank } from './decide.js';
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
  // A candidate scoring below both the review threshold and match − margin is never listed, and as runner-up it
  // cannot deny a match (the best then leads it by more than the margin): such candidates are not fully scored.
  const floor = Math.min(t.review, t.match - t.margin);
  const scored: ScoredCandidate[] = [];
  const seen = new Set<string>();
  for (const member of members) {
    if (seen.has(member.memberId)) continue;
    seen.add(member.memberId);
    const s = scorePairAtLeast(q, preparePerson(member), model, floor);
    if (s) scored.push({ memberId: member.memberId, score: s.score, evidence: s.evidence, member });
  }
  const ranked = rank(scored);
  return { ...decide(ranked, model.parameters.thresholds), blockedCount: members.length };
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
  return scoreCandidates(q, members, model);
}
