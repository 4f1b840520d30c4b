import type { Knex } from 'knex';
import { cdcMigrations } from '../cdc/migrations.js';
import { hgdMigrations } from '../hgd/migrations.js';
import { bridgeMigrations } from './bridge-migrations.js';
import { consoleMigrations } from './console-migrations.js';
import type { Migration } from './migration.js';
import { grantRuntimeRole } from './roles.js';

/** Every migration of the project (HGD's tables for dev/test, and ours), in name order. */
export function allMigrations(): Migration[] {
  return [...hgdMigrations, ...bridgeMigrations, ...consoleMigrations, ...cdcMigrations].sort((a, b) =>
    a.name.localeCompare(b.name),
  );
}

class CodeMigrationSource implements Knex.MigrationSource<Migration> {
  constructor(private readonly list: Migration[]) {}
  async getMigrations(): Promise<Migration[]> {
    return this.list;
  }
  getMigrationName(m: Migration): string {
    return m.name;
  }
  async getMigration(m: Migration): Promise<Knex.Migration> {
    return { up: (k) => m.up(k), down: (k) => m.down(k) };
  }
}

const MIGRATION_TABLE = { tableName: 'vss_bridge_migrations', schemaName: 'public' };

export interface MigrateOptions {
  /** Grant the runtime privileges (connectors/db/roles.ts) to this role after migrating. */
  runtimeRole?: string;
}

/**
 * Applies every pending migration as the connected (owner) role, then the runtime role's grants; safe to run
 * concurrently (knex takes a lock). Returns the names applied.
 */
export async function migrateLatest(knex: Knex, opts: MigrateOptions = {}): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest({
    migrationSource: new CodeMigrationSource(allMigrations()),
    ...MIGRATION_TABLE,
  })) as [number, string[]];
  if (opts.runtimeRole) await grantRuntimeRole(knex, opts.runtimeRole);
  return applied;
}

/**
 * Names of migrations the code knows and the database has not applied. Read-only (SELECT on the journal), so the
 * runtime role can check it and refuse to start on an out-of-date schema instead of migrating.
 */
export async function pendingMigrations(knex: Knex): Promise<string[]> {
  const known = allMigrations().map((m) => m.name);
  const has = (await knex.raw(
    "select to_regclass('public.vss_bridge_migrations') is not null as present",
  )) as {
    rows: Array<{ present: boolean }>;
  };
  if (!has.rows[0]?.present) return known;
  const done = (await knex.raw('select name from public.vss_bridge_migrations')) as {
    rows: Array<{ name: string }>;
  };
  const applied = new Set(done.rows.map((r) => r.name));
  return known.filter((n) => !applied.has(n));
}

export async function migrateRollbackAll(knex: Knex): Promise<void> {
  await knex.migrate.rollback(
    { migrationSource: new CodeMigrationSource(allMigrations()), ...MIGRATION_TABLE },
    true,
  );
}
