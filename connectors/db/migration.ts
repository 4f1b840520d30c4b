import type { Knex } from 'knex';

/** A migration as code (no file discovery), so tsx, vitest and a bundle all see the same list. */
export interface Migration {
  /** Timestamped, sortable: `YYYYMMDDhhmmss_what`. */
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}
