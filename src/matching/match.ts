import { queryBlockingKeys } from './blocking.js';
import { decide, rank } from './decide.js';
import { preparePerson, type PreparedPerson } from './prepare.js';
import { scorePair } from './score.js';
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
  const scored: ScoredCandidate[] = [];
  const seen = new Set<string>();
  for (const member of members) {
    if (seen.has(member.memberId)) continue;
    seen.add(member.memberId);
    const { score, evidence } = scorePair(q, preparePerson(member), model);
    scored.push({ memberId: member.memberId, score, evidence, member });
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
