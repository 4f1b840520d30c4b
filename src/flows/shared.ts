import type { Gender as MatchGender, MatchResult, PersonQuery, ScoredCandidate } from '../matching/types.js';

/** The matching engine as flows see it: a declared identity in, a decision with ranked evidence out. */
export type FindPerson = (query: PersonQuery, options?: { householdCode?: string }) => Promise<MatchResult>;

export type AvroGender = 'MALE' | 'FEMALE' | 'UNKNOWN';

export function toMatchGender(g: AvroGender): MatchGender | null {
  return g === 'MALE' ? 'M' : g === 'FEMALE' ? 'F' : null;
}

/** Candidates as stored in a review case and sent in ReviewCase events (ids and scores; evidence kept in DB). */
export function reviewCandidates(candidates: ScoredCandidate[], max = 10) {
  return candidates.slice(0, max).map((c) => ({
    memberId: c.memberId,
    householdCode: c.member.householdCode,
    score: round(c.score),
    evidence: c.evidence,
  }));
}

export function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
