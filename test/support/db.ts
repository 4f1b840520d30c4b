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
      try {
        // An autovacuum worker (a superuser's process) on the fresh database makes `with (force)` fail for our
        // role; it finishes within moments, so try again, and leave the database behind rather than fail a test.
        for (let attempt = 1; ; attempt++) {
          try {
            await a.raw(`drop database if exists ${name} with (force)`);
            break;
          } catch (e) {
            if (attempt >= 20) {
              process.stderr.write(`test database ${name} left behind: ${(e as Error).message}\n`);
              break;
            }
            await new Promise((r) => setTimeout(r, 250));
          }
        }
      } finally {
        await a.destroy();
      }
    },
  };
}
