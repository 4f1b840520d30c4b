import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

describe('vss-bridge run with a broken configuration', () => {
  // A fresh, unmigrated database: a failed start must change nothing in it.
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await db?.drop();
  });

  function run(env: NodeJS.ProcessEnv) {
    const r = spawnSync(process.execPath, ['bin/vss-bridge.mjs', 'run'], {
      env: { ...process.env, HTTP_PORT: '0', DATABASE_URL: db.url, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: r.status, stderr: r.stderr.trim(), stdout: r.stdout.trim() };
  }

  it.each([
    ['KAFKA_BROKERS', { KAFKA_BROKERS: 'not a broker list' }, /KAFKA_BROKERS: expected host:port/],
    [
      'KAFKA_BROKERS',
      { KAFKA_BROKERS: '127.0.0.1:1' },
      /KAFKA_BROKERS: cannot reach Kafka at 127\.0\.0\.1:1/,
    ],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://vss@localhost/vss' }, /DATABASE_URL: expected postgres:\/\//],
    [
      'DATABASE_URL',
      { DATABASE_URL: 'postgres://vss:secret@127.0.0.1:1/vss' },
      /DATABASE_URL: cannot connect to postgres:\/\/vss:\*\*\*@127\.0\.0\.1:1\/vss/,
    ],
    [
      'SCHEMA_REGISTRY_URL',
      { SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1' },
      /SCHEMA_REGISTRY_URL: cannot register schemas/,
    ],
  ])('%s (%j) → exit code 2 and one line naming it, nothing migrated', async (_name, env, message) => {
    const r = run(env);
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^vss-bridge: /);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain('secret');
    const tables = await db.knex.raw(
      "select 1 from information_schema.tables where table_schema in ('bridge', 'hgd')",
    );
    expect(tables.rows).toHaveLength(0);
  });
});

describe('every command names the variable of a service it cannot reach', () => {
  const NOWHERE = {
    KAFKA_BROKERS: '127.0.0.1:1',
    DATABASE_URL: 'postgres://vss:secret@127.0.0.1:1/vss',
    // Another port than DATABASE_URL's, so a message naming the wrong variable shows the wrong address too.
    DATABASE_OWNER_URL: 'postgres://vss:secret@127.0.0.1:2/vss',
    SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1',
  };
  it.each([
    [
      'migrate',
      ['migrate'],
      /DATABASE_OWNER_URL: migration on postgres:\/\/vss:\*\*\*@127\.0\.0\.1:2\/vss failed/,
    ],
    [
      'hgd refresh-frequencies',
      ['hgd', 'refresh-frequencies'],
      /DATABASE_OWNER_URL: cannot connect to postgres:\/\/vss:\*\*\*@127\.0\.0\.1:2\/vss/,
    ],
    [
      'hgd import',
      ['hgd', 'import', '--file', '/dev/null'],
      /DATABASE_OWNER_URL: cannot connect to postgres:\/\/vss:\*\*\*@127\.0\.0\.1:2\/vss/,
    ],
    ['hgd verify-index', ['hgd', 'verify-index'], /DATABASE_OWNER_URL: cannot connect to .*:2\/vss/],
    ['match', ['match', '--file', '/dev/null'], /vss-bridge: DATABASE_URL: cannot connect to .*:1\/vss/],
    ['review list', ['review', 'list'], /DATABASE_URL: cannot connect/],
    ['lag', ['lag'], /KAFKA_BROKERS: cannot reach Kafka at 127\.0\.0\.1:1/],
    ['dlq list', ['dlq', 'list', '--topic', 'x'], /KAFKA_BROKERS: cannot reach Kafka at 127\.0\.0\.1:1/],
    ['dlq replay', ['dlq', 'replay', '--topic', 'x', '--dry-run'], /KAFKA_BROKERS: cannot reach Kafka/],
    [
      'schemas check',
      ['schemas', 'check'],
      /SCHEMA_REGISTRY_URL: cannot reach the schema registry at http:\/\/127\.0\.0\.1:1/,
    ],
    ['schemas register', ['schemas', 'register'], /SCHEMA_REGISTRY_URL: cannot reach the schema registry/],
  ])('%s → exit 2, one line naming it', (_name, args, message) => {
    const r = spawnSync(process.execPath, ['bin/vss-bridge.mjs', ...args], {
      env: { ...process.env, ...NOWHERE },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const stderr = r.stderr.trim();
    expect(stderr).toMatch(message);
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).not.toContain('secret');
    expect(r.status).toBe(2);
  });
});

describe('--help of every command lists the environment variables it reads', () => {
  it.each([
    ['run', 'KAFKA_BROKERS'],
    ['migrate', 'DATABASE_OWNER_URL'],
    ['schemas register', 'SCHEMA_REGISTRY_URL'],
    ['schemas check', 'TOPIC_PREFIX'],
    ['hgd import', 'DATABASE_URL'],
    ['hgd refresh-frequencies', 'DATABASE_URL'],
    ['match', 'MATCH_PARAMETERS_FILE'],
    ['match estimate', 'none'],
    ['review list', 'DATABASE_URL'],
    ['review show', 'DATABASE_URL'],
    ['review resolve', 'SCHEMA_REGISTRY_URL'],
    ['dlq replay', 'KAFKA_BROKERS'],
    ['dlq list', 'SCHEMA_REGISTRY_URL'],
    ['lag', 'KAFKA_GROUP_ID'],
    ['validate', 'TOPIC_PREFIX'],
  ])('%s --help names %s', (command, variable) => {
    const r = spawnSync(process.execPath, ['bin/vss-bridge.mjs', ...command.split(' '), '--help'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Environment variables/);
    expect(r.stdout).toContain(variable);
  });
});
