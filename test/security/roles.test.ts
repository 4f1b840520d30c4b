import { spawnSync } from 'node:child_process';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../connectors/db/knex.js';
import { pendingMigrations } from '../../connectors/db/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { RUNTIME_ROLE, STACK, withCredentials } from '../support/stack.js';

/** SQLSTATE of a refused statement, or 'ok' when PostgreSQL ran it. */
async function outcome(knex: Knex, sql: string, bindings: unknown[] = []): Promise<string> {
  try {
    await knex.raw(sql, bindings as never);
    return 'ok';
  } catch (e) {
    return String((e as { code?: string }).code ?? (e as Error).message);
  }
}

const INSUFFICIENT_PRIVILEGE = '42501';
const RAISED = 'P0001'; // the append-only trigger's exception

describe('database roles: the runtime role cannot change the schema or rewrite the audit', () => {
  let db: TestDatabase;
  let runtime: Knex;
  beforeAll(async () => {
    db = await createTestDatabase();
    runtime = createDb(db.url, { poolMax: 1 });
    await db.knex.raw(
      `insert into hgd.members (member_id, household_code, full_name, bhxh_code) values ('M1', 'H1', 'Nguyễn Văn A', null)`,
    );
    // Allowed: what a guarded code change does.
    await runtime.raw(
      `insert into bridge.code_changes (member_id, old_code, new_code, event_id, actor) values ('M1', null, '0123456789', 'e1', 'auto')`,
    );
  });
  afterAll(async () => {
    await runtime?.destroy();
    await db?.drop();
  });

  it('connects as a role that is neither the owner nor a superuser', async () => {
    const r = await runtime.raw(
      'select current_user as me, rolsuper from pg_roles where rolname = current_user',
    );
    expect(r.rows[0]).toEqual({ me: RUNTIME_ROLE, rolsuper: false });
    const owner = await runtime.raw(
      "select pg_get_userbyid(relowner) as owner from pg_class where oid = 'bridge.code_changes'::regclass",
    );
    expect(owner.rows[0].owner).not.toBe(RUNTIME_ROLE);
  });

  it.each([
    ['DELETE FROM the audit', 'delete from bridge.code_changes'],
    ['UPDATE the audit', "update bridge.code_changes set new_code = '9999999999'"],
    ['TRUNCATE the audit', 'truncate bridge.code_changes'],
    ['disable the append-only trigger', 'alter table bridge.code_changes disable trigger all'],
    ['DROP SCHEMA hgd', 'drop schema hgd cascade'],
    ['DROP SCHEMA bridge', 'drop schema bridge cascade'],
    ['DROP TABLE', 'drop table bridge.inbox'],
    ['CREATE TABLE in bridge', 'create table bridge.evil (a int)'],
    ['CREATE TABLE in public', 'create table public.evil (a int)'],
    ['CREATE SCHEMA', 'create schema evil'],
    ['ALTER TABLE', 'alter table hgd.members add column evil text'],
    ['CREATE FUNCTION in bridge', 'create function bridge.f() returns int language sql as $$ select 1 $$'],
    ['UPDATE an HGD column a code change does not touch', "update hgd.members set full_name = 'x'"],
    ['INSERT an HGD member', "insert into hgd.members (member_id, full_name) values ('M2', 'x')"],
    ['DELETE an HGD member', 'delete from hgd.members'],
    ['TRUNCATE HGD', 'truncate hgd.members'],
    ['write the search keys', 'delete from hgd_match.member_keys'],
    ['write the migration journal', 'delete from public.vss_bridge_migrations'],
    ['become the owner', `set role ${new URL(STACK.databaseUrl).username}`],
  ])('%s is refused', async (_what, sql) => {
    expect(await outcome(runtime, sql)).toBe(INSUFFICIENT_PRIVILEGE);
  });

  it('may do what the flows, relay and retention need', async () => {
    expect(
      await outcome(
        runtime,
        "update hgd.members set bhxh_code = '0123456789', version = version + 1, updated_at = now() where member_id = 'M1' and bhxh_code is not distinct from null",
      ),
    ).toBe('ok');
    expect(
      await outcome(
        runtime,
        "insert into bridge.inbox (consumer_group, event_id, topic, partition, \"offset\", outcome) values ('g', 'e', 't', 0, 0, 'x')",
      ),
    ).toBe('ok');
    expect(await outcome(runtime, 'delete from bridge.inbox')).toBe('ok');
    expect(await outcome(runtime, 'select count(*) from hgd_match.member_keys')).toBe('ok');
    expect(await pendingMigrations(runtime)).toEqual([]);
  });

  it('the owner, too, cannot UPDATE, DELETE or TRUNCATE the audit (append-only triggers)', async () => {
    expect(await outcome(db.knex, "update bridge.code_changes set actor = 'x'")).toBe(RAISED);
    expect(await outcome(db.knex, 'delete from bridge.code_changes')).toBe(RAISED);
    expect(await outcome(db.knex, 'truncate bridge.code_changes')).toBe(RAISED);
    const n = await db.knex('bridge.code_changes').count<{ count: number }[]>({ count: '*' });
    expect(Number(n[0]!.count)).toBe(1);
  });

  it("the runtime role cannot connect to the schema registry's database", async () => {
    const registry = createDb(
      withCredentials('postgres://x@127.0.0.1:5432/schema_registry', STACK.runtimeUrl),
      {
        poolMax: 1,
      },
    );
    try {
      expect(await outcome(registry, 'select 1')).toBe(INSUFFICIENT_PRIVILEGE);
    } finally {
      await registry.destroy();
    }
  });
});

describe('vss-bridge migrate and the runtime role', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await db?.drop();
  });

  function cli(args: string[], env: NodeJS.ProcessEnv) {
    const base = { ...process.env };
    delete base.DATABASE_URL;
    delete base.DATABASE_OWNER_URL;
    delete base.VSS_PROFILE;
    const r = spawnSync(process.execPath, ['bin/vss-bridge.mjs', ...args], {
      env: { ...base, HTTP_PORT: '0', ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: r.status, stderr: r.stderr.trim(), stdout: r.stdout.trim() };
  }

  it('without DATABASE_URL outside the local profile, a command names the variable and uses no default', () => {
    const r = cli(['review', 'list'], {});
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/DATABASE_URL: required .*VSS_PROFILE=local/);
  });

  it('migrate refuses without DATABASE_OWNER_URL', () => {
    const r = cli(['migrate'], { DATABASE_URL: db.url });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/DATABASE_OWNER_URL: required by `vss-bridge migrate`/);
  });

  it('the runtime role cannot migrate; the owner migrates and grants; a second run changes nothing', async () => {
    const asRuntime = cli(['migrate'], { DATABASE_URL: db.url, DATABASE_OWNER_URL: db.url });
    expect(asRuntime.status).toBe(2);
    expect(asRuntime.stderr).toMatch(/migration on postgres:\/\/vss_runtime:\*\*\*@.* failed/);
    expect(asRuntime.stderr).not.toContain(new URL(STACK.runtimeUrl).password + '@');

    const first = cli(['migrate'], { DATABASE_URL: db.url, DATABASE_OWNER_URL: db.ownerUrl });
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/applied: .*_bridge_core/);
    expect(first.stdout).toContain(`runtime role ${RUNTIME_ROLE}: privileges granted`);
    const second = cli(['migrate'], { DATABASE_URL: db.url, DATABASE_OWNER_URL: db.ownerUrl });
    expect(second.stdout).toMatch(/^database is up to date/);

    const runtime = createDb(db.url, { poolMax: 1 });
    try {
      expect(await pendingMigrations(runtime)).toEqual([]);
      expect(await outcome(runtime, 'truncate bridge.code_changes')).toBe(INSUFFICIENT_PRIVILEGE);
    } finally {
      await runtime.destroy();
    }
  });
});
