import type { Knex } from 'knex';
import type { CodeChangeLog } from '../../src/ports/hgd.js';

/** The append-only audit bridge.code_changes, read for the lifelong-code rule. */
export class PgCodeChangeLog implements CodeChangeLog {
  constructor(private readonly knex: Knex) {}

  async codesGivenTo(memberId: string): Promise<string[]> {
    const rows = (await this.knex('bridge.code_changes')
      .where({ member_id: memberId })
      .orderBy('id')
      .select('new_code')) as { new_code: string }[];
    return rows.map((r) => r.new_code);
  }

  /** The same for several members in one statement; answers in the order of the ids. */
  async codesGivenToMany(memberIds: string[]): Promise<string[][]> {
    if (memberIds.length === 0) return [];
    const rows = (await this.knex('bridge.code_changes')
      .whereIn('member_id', [...new Set(memberIds)])
      .orderBy('id')
      .select('member_id', 'new_code')) as { member_id: string; new_code: string }[];
    const byMember = new Map<string, string[]>();
    for (const r of rows) {
      const list = byMember.get(r.member_id);
      if (list) list.push(r.new_code);
      else byMember.set(r.member_id, [r.new_code]);
    }
    return memberIds.map((id) => [...(byMember.get(id) ?? [])]);
  }
}
