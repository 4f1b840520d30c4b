import type { Knex } from 'knex';
import { createDb } from '../../connectors/db/knex.js';
import { migrateLatest } from '../../connectors/db/migrate.js';
import { RUNTIME_ROLE, STACK, uniqueName, withCredentials } from './stack.js';

export interface TestDatabase {
  /** Connected as the owner role: for seeding and assertions, never for the code under test. */
  knex: Knex;
  /** The runtime role's URL: what the adapter and its commands get as DATABASE_URL. */
  url: string;
  /** The owner role's URL (DATABASE_OWNER_URL: `migrate`, `hgd import`). */
  ownerUrl: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * A fresh PostgreSQL database for one test file, created and migrated by the owner role, with the runtime role
 * granted its privileges (as `vss-bridge migrate` does): the code under test connects with `url`, the runtime role.
 */
export async function createTestDatabase(opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const name = uniqueName('vss_t').replace(/-/g, '_');
  const admin = createDb(STACK.databaseUrl, { poolMax: 1 });
  await admin.raw(`create database ${name}`);
  await admin.destroy();
  const u = new URL(STACK.databaseUrl);
  u.pathname = `/${name}`;
  const ownerUrl = u.toString();
  const url = withCredentials(ownerUrl, STACK.runtimeUrl);
  const knex = createDb(ownerUrl);
  if (opts.migrate !== false) await migrateLatest(knex, { runtimeRole: RUNTIME_ROLE });
  return {
    knex,
    url,
    ownerUrl,
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
