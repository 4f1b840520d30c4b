import type { MatchResult, MemberRecord, PersonQuery } from '../matching/types.js';

/** The matching engine over HGD as flows see it: a declared identity in, a decision with ranked evidence out. */
export type FindPerson = (query: PersonQuery, options?: { householdCode?: string }) => Promise<MatchResult>;

/**
 * The matching engine for many declared identities at once (one blocking query for all of them); answers in the
 * order of the queries. The runtime coalesces the `FindPerson` calls of a micro-batch's decisions into one call.
 */
export type MatchMany = (queries: PersonQuery[]) => Promise<MatchResult[]>;

/** Direct reads of HGD members. */
export interface HgdReads {
  getMember(memberId: string): Promise<MemberRecord | null>;
  findMemberByBhxhCode(bhxhCode: string): Promise<MemberRecord | null>;
  findMembersByIdNumber(idNumber: string): Promise<MemberRecord[]>;
}

/** The audit of code changes this adapter made, as the "one person, one lifelong code" rule needs it. */
export interface CodeChangeLog {
  /** The BQP codes this adapter has already given the member (oldest first); empty when none. */
  codesGivenTo(memberId: string): Promise<string[]>;
}
