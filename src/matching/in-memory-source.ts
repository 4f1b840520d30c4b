import { memberBlockingKeys } from './blocking.js';
import { preparePerson } from './prepare.js';
import type { CandidateQueryOptions, CandidateSource, MemberRecord } from './types.js';

/** A `CandidateSource` over an in-memory key index: same keys as the Postgres one, for tests and evaluation. */
export class InMemoryCandidateSource implements CandidateSource {
  private readonly index = new Map<string, MemberRecord[]>();
  private readonly byId = new Map<string, MemberRecord>();

  constructor(members: Iterable<MemberRecord> = []) {
    for (const m of members) this.add(m);
  }

  add(member: MemberRecord): void {
    this.byId.set(member.memberId, member);
    for (const key of memberBlockingKeys(preparePerson(member))) {
      const list = this.index.get(key);
      if (list) list.push(member);
      else this.index.set(key, [member]);
    }
  }

  get size(): number {
    return this.byId.size;
  }

  members(): IterableIterator<MemberRecord> {
    return this.byId.values();
  }

  async findCandidates(keys: string[], options: CandidateQueryOptions = {}): Promise<MemberRecord[]> {
    return this.findCandidatesSync(keys, options);
  }

  findCandidatesSync(keys: string[], options: CandidateQueryOptions = {}): MemberRecord[] {
    const out = new Map<string, MemberRecord>();
    if (options.householdCode !== undefined) {
      // A household is small: every member is a candidate, whatever the keys.
      for (const m of this.byId.values())
        if (m.householdCode === options.householdCode) out.set(m.memberId, m);
    } else {
      for (const k of keys) for (const m of this.index.get(k) ?? []) out.set(m.memberId, m);
    }
    const list = [...out.values()];
    return options.limit !== undefined ? list.slice(0, options.limit) : list;
  }
}
