import type { MatchResult, MemberRecord, PersonQuery } from '../matching/types.js';

/** The matching engine over HGD as flows see it: a declared identity in, a decision with ranked evidence out. */
export type FindPerson = (query: PersonQuery, options?: { householdCode?: string }) => Promise<MatchResult>;

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
