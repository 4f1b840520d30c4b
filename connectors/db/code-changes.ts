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
}
