/**
 * `npm run demo` is safe by default: its own database, topic prefix, group and archive on the local stack, and a
 * refusal (before anything starts) when the environment points it at anything else.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DEMO_ENV, demoSettings } from '../../../scripts/demo-settings.js';

describe('demoSettings', () => {
  it('with nothing set: the demo own settings, none shared with the default configuration', () => {
    const s = demoSettings({});
    expect(s).toEqual({ ok: true, env: { ...DEMO_ENV }, remote: false });
    expect(DEMO_ENV.DATABASE_URL).toMatch(/@127\.0\.0\.1:5432\/vss_demo$/);
    expect(DEMO_ENV.TOPIC_PREFIX).not.toBe('');
  });

  it('the same values set explicitly are fine', () => {
    expect(demoSettings({ ...DEMO_ENV }).ok).toBe(true);
  });

  it.each([
    ['DATABASE_URL', 'postgres://vss:secret@127.0.0.1:5432/vss'],
    ['DATABASE_URL', 'postgres://app:secret@db.prod.example:5432/hgd'],
    ['KAFKA_BROKERS', 'kafka-1.prod.example:9092'],
    ['SCHEMA_REGISTRY_URL', 'https://registry.prod.example'],
    ['TOPIC_PREFIX', ''],
    ['TOPIC_PREFIX', 'prod.'],
    ['KAFKA_GROUP_ID', 'vss-bridge'],
    ['ARCHIVE_DIR', '/var/lib/vss-bridge/archive'],
    ['TOPIC_CODE_LOOKUP_FAILED', 'bqp.lookups'],
  ])('%s=%s is refused with the reason, naming the variable, password hidden', (k, v) => {
    const s = demoSettings({ [k]: v });
    if (k === 'TOPIC_PREFIX' && v === '') return expect(s.ok).toBe(true); // unset: the demo's own prefix
    expect(s.ok).toBe(false);
    if (s.ok) return;
    expect(s.reasons.join('\n')).toContain(k);
    expect(s.reasons.join('\n')).not.toContain('secret');
  });

  it('DEMO_ALLOW_REMOTE=1 runs against the given values', () => {
    const s = demoSettings({ DEMO_ALLOW_REMOTE: '1', DATABASE_URL: 'postgres://a:b@db.example:5432/x' });
    expect(s).toMatchObject({
      ok: true,
      remote: true,
      env: { DATABASE_URL: 'postgres://a:b@db.example:5432/x' },
    });
  });
});

describe('npm run demo with DATABASE_URL pointing at another database', () => {
  it('refuses before starting anything, and says why', () => {
    const r = spawnSync('bash', ['scripts/demo'], {
      env: { ...process.env, DATABASE_URL: 'postgres://vss:secret@127.0.0.1:5432/vss' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/refusing to run/);
    expect(r.stderr).toMatch(
      /DATABASE_URL is 'postgres:\/\/vss:\*\*\*@127\.0\.0\.1:5432\/vss', not the demo's/,
    );
    expect(r.stderr).toMatch(/DEMO_ALLOW_REMOTE=1/);
    expect(r.stderr).not.toContain('secret');
    expect(r.stdout).not.toMatch(/\[stack\]|generating/); // the stack step and the demo never started
  });
});
