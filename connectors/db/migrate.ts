import type { Knex } from 'knex';
import { hgdMigrations } from '../hgd/migrations.js';
import { bridgeMigrations } from './bridge-migrations.js';
import { consoleMigrations } from './console-migrations.js';
import type { Migration } from './migration.js';

/** Every migration of the project (HGD's tables for dev/test, and ours), in name order. */
export function allMigrations(): Migration[] {
  return [...hgdMigrations, ...bridgeMigrations, ...consoleMigrations].sort((a, b) =>
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

/** Applies every pending migration; safe to run concurrently (knex takes a lock). Returns names applied. */
export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest({
    migrationSource: new CodeMigrationSource(allMigrations()),
    ...MIGRATION_TABLE,
  })) as [number, string[]];
  return applied;
}

export async function migrateRollbackAll(knex: Knex): Promise<void> {
  await knex.migrate.rollback(
    { migrationSource: new CodeMigrationSource(allMigrations()), ...MIGRATION_TABLE },
    true,
  );
}
