import type { Knex } from 'knex';
import { createDb } from '../../connectors/db/knex.js';
import { migrateLatest } from '../../connectors/db/migrate.js';
import { STACK, uniqueName } from './stack.js';

export interface TestDatabase {
  knex: Knex;
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh PostgreSQL database with every migration applied, for one test file. */
export async function createTestDatabase(opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const name = uniqueName('vss_t').replace(/-/g, '_');
  const admin = createDb(STACK.databaseUrl, { poolMax: 1 });
  await admin.raw(`create database ${name}`);
  await admin.destroy();
  const u = new URL(STACK.databaseUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const knex = createDb(url);
  if (opts.migrate !== false) await migrateLatest(knex);
  return {
    knex,
    url,
    name,
    async drop() {
      await knex.destroy();
      const a = createDb(STACK.databaseUrl, { poolMax: 1 });
      await a.raw(`drop database if exists ${name} with (force)`);
      await a.destroy();
    },
  };
}
