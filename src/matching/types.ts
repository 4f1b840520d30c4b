/** Public types of the matching engine. Field names follow the camelCase domain style; line formats map to them. */

export type Gender = 'M' | 'F';
export type DobPrecision = 'year' | 'month' | 'day';

/** One HGD household member as the matcher sees it (the row of `hgd.members`). */
export interface MemberRecord {
  memberId: string;
  householdCode: string | null;
  fullName: string;
  /** "YYYY" | "YYYY-MM" | "YYYY-MM-DD"; the precision says how much of it is meaningful. */
  dob: string | null;
  dobPrecision: DobPrecision | null;
  gender: Gender | null;
  idNumber: string | null;
  bhxhCode: string | null;
  provinceCode: string | null;
  wardCode: string | null;
  fatherName: string | null;
  motherName: string | null;
  relationToHead: string | null;
  version?: number;
}

/** A declared identity to find among HGD members (docs/batch-formats.md, query line). */
export interface PersonQuery {
  queryId?: string;
  fullName: string;
  dob: string | null;
  gender: Gender | null;
  idNumber: string | null;
  provinceCode: string | null;
  wardCode?: string | null;
  fatherName: string | null;
  motherName: string | null;
}

export type Decision = 'match' | 'review' | 'no_match';

/** One field's contribution to a score: which comparison level it fell into and that level's weight (bits). */
export interface FieldEvidence {
  field: ComparisonField;
  level: string;
  weight: number;
}

export interface ScoredCandidate {
  memberId: string;
  /**
   * Posterior log2 odds that the query is this member: `bayesFactor` + log2 of the prior odds (1 / the number of
   * members the query could be). Positive means more likely this member than not.
   */
  score: number;
  /** Sum of the field weights (bits): log2 of P(evidence | same person) / P(evidence | different people). */
  bayesFactor?: number;
  /**
   * Posterior probability that the query is this member, against every other scored candidate and the rest of the
   * population: 2^score / (1 + Σ over candidates 2^score).
   */
  probability?: number;
  /**
   * Expected number of other members who agree with the query at least this well on name, date of birth, gender and
   * place (HGD size × the u of each agreeing level, names at their HGD frequency). Set on the best candidate.
   */
  namesakes?: number;
  evidence: FieldEvidence[];
  member: MemberRecord;
}

export interface MatchResult {
  decision: Decision;
  /** Set when decision is 'match': the auto-matched member. */
  best?: ScoredCandidate;
  /** Ranked best first; for 'review' these are what an operator sees. */
  candidates: ScoredCandidate[];
  /** How many records blocking returned (before scoring). */
  blockedCount: number;
  /** Number of members the query could have been (HGD size, or the household searched): the prior is 1 / this. */
  population?: number;
  /** Why an automatic match was refused when the best candidate was likely (for operators and evaluation). */
  refusal?: 'probability' | 'namesakes' | 'uncorroborated' | 'veto';
}

export type ComparisonField =
  | 'family_name'
  | 'middle_name'
  | 'given_name'
  | 'dob'
  | 'gender'
  | 'father_name'
  | 'mother_name'
  | 'id_number'
  | 'province'
  | 'ward';

/** m = P(level | same person), u = P(level | different people). */
export interface LevelParameters {
  m: number;
  u: number;
}

export interface FieldParameters {
  levels: Record<string, LevelParameters>;
  /** Levels whose u is replaced by the observed frequency of the value (term-frequency adjustment). */
  tfAdjusted?: string[];
}

export interface MatchThresholds {
  /**
   * Posterior probability the best candidate must reach for an automatic match. 1 − this, times 10,000, is the
   * expected number of false automatic matches per 10,000 automatic matches the rule allows.
   */
  minMatchProbability: number;
  /** Posterior log2 odds a candidate needs to be shown for review; with none, the query is "no_match". */
  reviewLog2Odds: number;
  /** Expected namesakes (see `ScoredCandidate.namesakes`) above which name, date and place alone cannot auto-match. */
  maxNamesakes: number;
  /** How many candidates a review shows at most. */
  maxReviewCandidates: number;
  /**
   * Levels that forbid an automatic match whatever the score (precision first): e.g. a given name that is another
   * real name — twins and siblings share parents, date and address, so their other fields agree.
   */
  vetoLevels?: Partial<Record<ComparisonField, string[]>>;
  /**
   * Weak evidence: when the best candidate's evidence holds one of these levels (a year-only date, a date that
   * agrees on the year only), an automatic match also needs one of the `corroborating` levels (ID number, a
   * parent's name); a name plus a birth year is what namesakes share.
   */
  weakLevels?: Partial<Record<ComparisonField, string[]>>;
  corroborating?: Partial<Record<ComparisonField, string[]>>;
  /**
   * Moderate evidence: a year-and-month HGD date that agrees on the month (one in ~12 namesakes born that year
   * agrees too). An automatic match then needs one of the `corroborating` levels or one of
   * `moderateCorroborating` (the same ward: the declared place narrows the namesakes to a ward's population).
   */
  moderateLevels?: Partial<Record<ComparisonField, string[]>>;
  moderateCorroborating?: Partial<Record<ComparisonField, string[]>>;
  /**
   * Veto levels that an identifying agreement lifts: a typo-like given name (a short name one letter off, accents
   * that make another name) is what siblings' names look like, but siblings do not share an ID number. Applies
   * when the evidence holds one of `vetoLiftedBy` (an ID number that agrees) and no other veto level.
   */
  liftableVetoLevels?: Partial<Record<ComparisonField, string[]>>;
  vetoLiftedBy?: Partial<Record<ComparisonField, string[]>>;
}

export interface MatchParameters {
  version: string;
  method: string;
  /** Where the parameters were estimated: data, sizes, date (written by `vss-bridge match estimate`). */
  provenance?: Record<string, unknown>;
  fields: Record<ComparisonField, FieldParameters>;
  thresholds: MatchThresholds;
  /** P(two HGD members born in the same year), from the HGD's birth years (`match estimate`); for namesakes. */
  dobSameYearShare?: number;
  /** Lower bound for a term-frequency-adjusted u, so a rare or unseen token does not give unbounded evidence. */
  tfMinU: number;
}

/** Share of HGD members holding each folded family / given name token (computed from HGD, refreshed by a command). */
export interface NameFrequencies {
  total: number;
  family: ReadonlyMap<string, number>;
  given: ReadonlyMap<string, number>;
}

/** Everything the scorer needs besides the candidates. */
export interface MatchModel {
  parameters: MatchParameters;
  frequencies: NameFrequencies;
  /** Members the query could be (prior odds 1 / population); default `frequencies.total` (the HGD size). */
  population?: number;
}

export interface BlockingKeys {
  keys: string[];
}

export interface CandidateQueryOptions {
  /**
   * Restrict to one household (child registration looks in the parent's household first). A household is small, so
   * then every member of it is returned and the keys are not used.
   */
  householdCode?: string;
  /** Upper bound on returned records (protects latency for pathological keys). */
  limit?: number;
}

/** The port through which the matcher reads HGD. The Postgres repository implements it. */
export interface CandidateSource {
  findCandidates(keys: string[], options?: CandidateQueryOptions): Promise<MemberRecord[]>;
}
