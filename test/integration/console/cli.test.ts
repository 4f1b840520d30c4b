import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OperatorStore } from '../../../connectors/db/operators.js';
import { seedHgd } from '../../support/app.js';
import { CONSOLE_MEMBERS } from '../../support/console.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';

describe('operators and hgd show on the command line', () => {
  let db: TestDatabase;
  const run = (args: string[], input?: string) =>
    spawnSync(process.execPath, ['bin/vss-bridge.mjs', ...args], {
      env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'error' },
      encoding: 'utf8',
      timeout: 60_000,
      ...(input === undefined ? {} : { input }),
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedHgd(db.knex, CONSOLE_MEMBERS);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('adds, lists, issues a token for and disables operators; passwords are stored hashed', async () => {
    const added = run(['operators', 'add', 'lan', '--role', 'reviewer', '--name', 'Nguyễn Thị Lan']);
    expect(added.status).toBe(0);
    const password = /password: (\S+)/.exec(added.stdout)![1]!;
    expect(
      run(['operators', 'add', 'minh', '--role', 'supervisor', '--password-stdin'], 'a long passphrase\n')
        .status,
    ).toBe(0);
    expect(run(['operators', 'add', 'x', '--role', 'admin']).status).not.toBe(0);
    expect(
      run(['operators', 'add', 'short', '--role', 'viewer', '--password-stdin'], 'tooshort\n').status,
    ).not.toBe(0);

    const rows = await db.knex('bridge.operators').select();
    expect(JSON.stringify(rows)).not.toContain(password);
    expect(JSON.stringify(rows)).not.toContain('a long passphrase');
    const store = new OperatorStore(db.knex);
    expect(await store.authenticatePassword('lan', password)).toMatchObject({ id: 'lan', role: 'reviewer' });
    expect(await store.authenticatePassword('minh', 'a long passphrase')).toMatchObject({
      role: 'supervisor',
    });
    expect(await store.authenticatePassword('minh', 'a long passphrasE')).toBeNull();

    const listed = JSON.parse(run(['operators', 'list', '--json']).stdout) as {
      login: string;
      role: string;
    }[];
    expect(listed.map((o) => [o.login, o.role])).toEqual([
      ['lan', 'reviewer'],
      ['minh', 'supervisor'],
    ]);
    const token = run(['operators', 'token', 'lan', '--label', 'test']).stdout.trim();
    expect(token).toMatch(/^vssb_[0-9a-f]{12}_/);
    const stored = await db.knex('bridge.operator_tokens').first();
    expect(JSON.stringify(stored)).not.toContain(token.split('_').pop());
    expect(await store.authenticateToken(token)).toMatchObject({ id: 'lan', method: 'token' });

    expect(run(['operators', 'disable', 'lan']).status).toBe(0);
    expect(await store.authenticateToken(token)).toBeNull();
    expect(await store.authenticatePassword('lan', password)).toBeNull();
    expect(run(['operators', 'disable', 'lan']).status).not.toBe(0);
    const events = (await db.knex('bridge.console_audit').select('event').orderBy('id')).map((r) => r.event);
    expect(events).toEqual(['operator_added', 'operator_added', 'token_issued', 'operator_disabled']);
  });

  it('hgd show prints a member and their household', () => {
    const r = run(['hgd', 'show', 'M-3']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Trần Thị Mai');
    expect(r.stdout).toContain('0133333333');
    expect(r.stdout).toMatch(/household 0100000002 \(3 member\(s\)\)/);
    expect(r.stdout).toContain('Trần Văn Nam');
    const missing = run(['hgd', 'show', 'M-404']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('not found');
  });
});
