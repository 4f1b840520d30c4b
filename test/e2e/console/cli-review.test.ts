import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORDS, startConsoleStack, type ConsoleStack } from '../../support/console.js';

describe('review resolve on the command line: the credential says who decides', () => {
  let s: ConsoleStack;
  let env: NodeJS.ProcessEnv;
  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}, input = '') =>
    spawnSync(process.execPath, ['bin/vss-bridge.mjs', 'review', 'resolve', ...args], {
      env: { ...env, ...extra },
      encoding: 'utf8',
      timeout: 60_000,
      input,
    });

  beforeAll(async () => {
    s = await startConsoleStack({ cases: 3 });
    env = {
      ...process.env,
      DATABASE_URL: s.db.url,
      TOPIC_PREFIX: s.config.topicPrefix,
      KAFKA_GROUP_ID: s.config.kafka.groupId,
      LOG_LEVEL: 'error',
      VSS_BRIDGE_TOKEN: '',
      VSS_BRIDGE_PASSWORD: '',
    };
    delete env.VSS_BRIDGE_TOKEN;
    delete env.VSS_BRIDGE_PASSWORD;
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('refuses without a credential, with a viewer, and a reviewer choosing outside the candidates', async () => {
    const none = cli([s.caseIds[0]!, '--member', 'M-2']);
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('--token');
    const vera = await s.operators.issueToken('vera');
    const viewer = cli([s.caseIds[0]!, '--member', 'M-2', '--token', vera]);
    expect(viewer.status).toBe(1);
    expect(viewer.stderr).toContain('cannot resolve');
    const rita = await s.operators.issueToken('rita');
    const outside = cli([s.caseIds[0]!, '--member', 'M-9'], { VSS_BRIDGE_TOKEN: rita });
    expect(outside.status).toBe(1);
    expect(outside.stderr).toContain('not among');
    const wrongPassword = cli(
      [s.caseIds[0]!, '--member', 'M-2', '--operator', 'rita'],
      {},
      'not-her-password\n',
    );
    expect(wrongPassword.status).toBe(1);
    const row = await s.db.knex('bridge.review_cases').where({ case_id: s.caseIds[0] }).first();
    expect(row.status).toBe('open');
  });

  it('a local operator resolves with their password; the audit names them', async () => {
    const r = cli(
      [s.caseIds[0]!, '--member', 'M-2', '--operator', 'rita', '--note', 'checked'],
      {},
      `${PASSWORDS.rita}\n`,
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/resolved: member M-2 by rita/);
    const audit = await s.db
      .knex('bridge.console_audit')
      .where({ event: 'resolution', case_id: s.caseIds[0] })
      .first();
    expect(audit).toMatchObject({
      operator_id: 'rita',
      role: 'reviewer',
      method: 'password',
      remote_addr: 'cli',
    });
    const change = await s.db.knex('bridge.code_changes').where({ member_id: 'M-2' }).first();
    expect(change.actor).toBe('operator:rita');
  });

  it('a supervisor overrides with a token and a reason', async () => {
    const sam = await s.operators.issueToken('sam');
    const r = cli([
      s.caseIds[1]!,
      '--member',
      'M-9',
      '--override',
      'confirmed with the BQP unit in writing',
      '--token',
      sam,
    ]);
    expect(r.status).toBe(0);
    const audit = await s.db
      .knex('bridge.console_audit')
      .where({ event: 'override', case_id: s.caseIds[1] })
      .first();
    expect(audit).toMatchObject({ operator_id: 'sam', role: 'supervisor', method: 'token' });
    expect(audit.detail.reason).toBe('confirmed with the BQP unit in writing');
  });
});
