import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConsoleConfig } from '../../../src/runtime/http/config.js';
import { ConsoleClient, PASSWORDS, startConsoleStack, type ConsoleStack } from '../../support/console.js';

describe('operator console over HTTP: authentication, roles and web hardening', () => {
  let s: ConsoleStack;
  let rita: ConsoleClient;

  beforeAll(async () => {
    s = await startConsoleStack({ cases: 4 });
    rita = new ConsoleClient(s.base);
    expect((await rita.login('rita', PASSWORDS.rita)).status).toBe(200);
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('listens on 127.0.0.1 unless HTTP_HOST says otherwise', () => {
    expect(loadConsoleConfig({}).host).toBe('127.0.0.1');
    expect((s.app.console.app.server.address() as AddressInfo).address).toBe('127.0.0.1');
  });

  it('keeps /healthz, /readyz and /metrics open, with the review backlog in the metrics', async () => {
    expect((await fetch(`${s.base}/healthz`)).status).toBe(200);
    expect([200, 503]).toContain((await fetch(`${s.base}/readyz`)).status);
    const metrics = await (await fetch(`${s.base}/metrics`)).text();
    expect(metrics).toMatch(/vss_bridge_review_cases_open\{kind="DEFENCE_CODE_MAPPING"\} 4/);
    expect(metrics).toMatch(/vss_bridge_review_oldest_open_age_seconds \d/);
  });

  it('shows the status page: readiness, lag per partition, dead letters, outbox backlog', async () => {
    const status = (await (await rita.get('/status.json')).json()) as {
      readiness: { checks: Record<string, string> };
      lag: { topic: string; partition: number }[];
      outbox: { unsent: number };
    };
    expect(status.readiness.checks.postgres).toBe('ok');
    expect(typeof status.outbox.unsent).toBe('number');
    const html = await rita.page('/status');
    expect(html).toContain('data-testid="ready"');
    expect(html).toContain('Outbox');
    expect((await fetch(`${s.base}/status.json`)).status).toBe(401);
  });

  it('answers 401 without a session or token, and sends a browser to the login page', async () => {
    expect((await fetch(`${s.base}/review-cases`)).status).toBe(401);
    expect((await fetch(`${s.base}/review-cases/${s.caseIds[0]}`)).status).toBe(401);
    const post = await fetch(`${s.base}/review-cases/${s.caseIds[0]}/resolve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: s.base },
      body: JSON.stringify({ memberId: 'M-2' }),
    });
    expect(post.status).toBe(401);
    const page = await fetch(`${s.base}/review`, { redirect: 'manual' });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/login');
    expect(
      (await fetch(`${s.base}/review-cases`, { headers: { authorization: 'Bearer vssb_nope' } })).status,
    ).toBe(401);
  });

  it('sets hardened cookies and security headers', async () => {
    const c = new ConsoleClient(s.base);
    const login = await c.get('/login');
    const csp = login.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(login.headers.get('x-frame-options')).toBe('DENY');
    await c.page('/login');
    const res = await c.post('/auth/login', { login: 'rita', password: PASSWORDS.rita });
    expect(res.status).toBe(200);
    const session = res.headers.getSetCookie().find((h) => h.startsWith('vssb_session='))!;
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Strict/i);
  });

  it('refuses a host it does not serve (DNS rebinding)', async () => {
    // fetch() may not set Host; node:http may.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${s.base}/login`, { headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(421);
  });

  it('refuses a failed login, audits it, and limits attempts per login', async () => {
    const c = new ConsoleClient(s.base);
    await c.page('/login');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await c.post('/auth/login', { login: 'sam', password: 'wrong-guess-' + i })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    // Even the right password is refused while the limit holds.
    expect((await c.post('/auth/login', { login: 'sam', password: PASSWORDS.sam })).status).toBe(429);
    const failed = await s.db
      .knex('bridge.console_audit')
      .where({ event: 'login_failed', operator_id: 'sam' });
    expect(failed.length).toBe(5);
    expect(JSON.stringify(failed)).not.toContain('wrong-guess');
  });

  it('refuses a state change without the CSRF token, from a foreign Origin, or as text/plain', async () => {
    const url = `/review-cases/${s.caseIds[0]}/resolve`;
    const noCsrf = await rita.post(url, { memberId: 'M-2' }, { csrf: null });
    expect(noCsrf.status).toBe(403);
    const wrongCsrf = await rita.post(url, { memberId: 'M-2' }, { csrf: 'forged' });
    expect(wrongCsrf.status).toBe(403);
    const foreign = await rita.post(url, { memberId: 'M-2' }, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: string }).error).toBe('FOREIGN_ORIGIN');
    const noOrigin = await rita.post(url, { memberId: 'M-2' }, { origin: null });
    expect(noOrigin.status).toBe(403);
    const text = await rita.post(url, JSON.stringify({ memberId: 'M-2' }), { contentType: 'text/plain' });
    expect(text.status).toBe(415);
    const form = await rita.post(url, 'memberId=M-2', { contentType: 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    // The operator never comes from the body.
    const by = await rita.post(url, { memberId: 'M-2', by: 'director@example.org' });
    expect(by.status).toBe(400);
    const open = await s.db.knex('bridge.review_cases').where({ case_id: s.caseIds[0] }).first();
    expect(open.status).toBe('open');
  });

  it('a viewer sees the queue and a masked case, and cannot resolve', async () => {
    const vera = new ConsoleClient(s.base);
    expect((await vera.login('vera', PASSWORDS.vera)).status).toBe(200);
    const queue = (await (await vera.get('/review-cases')).json()) as { cases: { caseId: string }[] };
    expect(queue.cases.map((c) => c.caseId).sort()).toEqual([...s.caseIds].sort());
    const shown = await (await vera.get(`/review-cases/${s.caseIds[1]}`)).text();
    expect(shown).not.toContain('Trần Thị Mai');
    expect(shown).not.toContain('0122222222');
    expect(shown).not.toContain(s.lookups[1]!.bqpCode);
    const page = await vera.page(`/review/${s.caseIds[1]}`);
    expect(page).not.toContain('Trần Thị Mai');
    expect(page).not.toContain(s.lookups[1]!.bqpCode);
    expect(page).toContain('T. T. M.');
    expect(shown).toContain('"masked":true');
    const res = await vera.post(`/review-cases/${s.caseIds[1]}/resolve`, { memberId: 'M-2' });
    expect(res.status).toBe(403);
    const views = await s.db.knex('bridge.console_audit').where({ event: 'case_view', operator_id: 'vera' });
    expect(views).toHaveLength(0);
  });

  it('a reviewer cannot choose a member outside the candidates', async () => {
    const res = await rita.post(`/review-cases/${s.caseIds[1]}/resolve`, { memberId: 'M-9' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toBe('NOT_A_CANDIDATE');
    const asOverride = await rita.post(`/review-cases/${s.caseIds[1]}/resolve`, {
      memberId: 'M-9',
      override: { reason: 'I am sure it is him' },
    });
    expect(asOverride.status).toBe(403);
    const m9 = await s.db.knex('hgd.members').where({ member_id: 'M-9' }).first();
    expect(m9.bhxh_code).toBe('7999999999');
  });

  it('a reviewer resolves with a candidate: the audit names the logged-in operator', async () => {
    const shown = (await (await rita.get(`/review-cases/${s.caseIds[0]}`)).json()) as {
      declaration: { fullName: string };
      candidates: { memberId: string; member: { fullName: string; householdHead: string } }[];
      comparisons: Record<string, Record<string, string>>;
    };
    expect(shown.declaration.fullName).toBe('Tran Thi Mai');
    expect(shown.candidates.map((c) => c.memberId).sort()).toEqual(['M-2', 'M-3']);
    expect(shown.candidates[0]!.member.householdHead).toBe('Trần Văn Nam');
    expect(shown.comparisons['M-3']!.fullName).toBe('variant');
    expect(shown.comparisons['M-3']!.dob).toBe('same');
    const res = await rita.post(`/review-cases/${s.caseIds[0]}/resolve`, {
      memberId: 'M-3',
      note: 'birth order checked with the household book',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ memberId: 'M-3', resolvedBy: 'rita', override: false });
    const m3 = await s.db.knex('hgd.members').where({ member_id: 'M-3' }).first();
    expect(m3.bhxh_code).toBe(s.lookups[0]!.bqpCode);
    const change = await s.db.knex('bridge.code_changes').where({ member_id: 'M-3' }).first();
    expect(change.actor).toBe('operator:rita');
    const audit = await s.db
      .knex('bridge.console_audit')
      .where({ event: 'resolution', case_id: s.caseIds[0] });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      operator_id: 'rita',
      role: 'reviewer',
      method: 'password',
      outcome: 'member',
    });
    const views = await s.db.knex('bridge.console_audit').where({ event: 'case_view', operator_id: 'rita' });
    expect(views.length).toBeGreaterThan(0);
    await expect(s.db.knex('bridge.console_audit').where({ id: audit[0].id }).delete()).rejects.toThrow(
      /append-only/,
    );
  });

  it('an expired session is refused', async () => {
    const c = new ConsoleClient(s.base);
    expect((await c.login('rita', PASSWORDS.rita)).status).toBe(200);
    expect((await c.get('/review-cases')).status).toBe(200);
    await s.db.knex('bridge.console_sessions').update({ expires_at: new Date(Date.now() - 1000) });
    expect((await c.get('/review-cases')).status).toBe(401);
    expect((await rita.get('/review-cases')).status).toBe(401);
    expect((await rita.login('rita', PASSWORDS.rita)).status).toBe(200);
  });

  it('a supervisor overrides with a written reason, audited as an override', async () => {
    const sam = new ConsoleClient(s.base);
    await sam.page('/login');
    // sam's attempts were limited above: the limit is per login and address, so wait for it or use a token.
    const token = await s.operators.issueToken('sam', 'test');
    const api = (path: string, body: unknown) =>
      fetch(s.base + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const bare = await api(`/review-cases/${s.caseIds[2]}/resolve`, { memberId: 'M-9' });
    expect(bare.status).toBe(403);
    const short = await api(`/review-cases/${s.caseIds[2]}/resolve`, {
      memberId: 'M-9',
      override: { reason: 'x' },
    });
    expect(short.status).toBe(400);
    const ok = await api(`/review-cases/${s.caseIds[2]}/resolve`, {
      memberId: 'M-9',
      override: { reason: 'The Defence registry confirmed the person by phone' },
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ memberId: 'M-9', resolvedBy: 'sam', override: true });
    const audit = await s.db
      .knex('bridge.console_audit')
      .where({ event: 'override', case_id: s.caseIds[2] })
      .first();
    expect(audit).toMatchObject({
      operator_id: 'sam',
      role: 'supervisor',
      method: 'token',
      outcome: 'override',
    });
    expect(audit.detail.reason).toBe('The Defence registry confirmed the person by phone');
    const row = await s.db.knex('bridge.review_cases').where({ case_id: s.caseIds[2] }).first();
    expect(row).toMatchObject({ resolved_by: 'sam', resolution_member_id: 'M-9' });
    expect(row.note).toMatch(/^override: /);
    const metrics = await (await fetch(`${s.base}/metrics`)).text();
    expect(metrics).toMatch(/vss_bridge_review_resolutions_total\{outcome="override",role="supervisor"\} 1/);
    expect(metrics).toMatch(/vss_bridge_review_resolutions_total\{outcome="member",role="reviewer"\} 1/);
  });

  it('a supervisor reopens a resolved case with a written reason (audited); a reviewer cannot', async () => {
    const api = (token: string, path: string, body: unknown) =>
      fetch(s.base + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const sam = await s.operators.issueToken('sam', 'reopen');
    const rita = await s.operators.issueToken('rita', 'reopen');
    const caseId = s.caseIds[2]!; // resolved by sam's override above
    expect(
      (await api(rita, `/review-cases/${caseId}/reopen`, { reason: 'the ward says it is someone else' }))
        .status,
    ).toBe(403);
    expect((await api(sam, `/review-cases/${caseId}/reopen`, { reason: 'short' })).status).toBe(400);
    const ok = await api(sam, `/review-cases/${caseId}/reopen`, {
      reason: 'the ward says it is someone else',
    });
    expect(ok.status).toBe(200);
    const row = await s.db.knex('bridge.review_cases').where({ case_id: caseId }).first();
    expect(row).toMatchObject({ status: 'open', resolved_by: null, resolution: null });
    expect(row.note).toMatch(/^reopened by sam: /);
    const audit = await s.db.knex('bridge.console_audit').where({ event: 'reopen', case_id: caseId }).first();
    expect(audit).toMatchObject({ operator_id: 'sam', role: 'supervisor', outcome: 'reopened' });
    // Open again: a second reopening is refused, and the case can be resolved anew.
    expect(
      (await api(sam, `/review-cases/${caseId}/reopen`, { reason: 'the ward says it is someone else' }))
        .status,
    ).toBe(409);
  });

  it('a disabled operator loses sessions and tokens at once', async () => {
    const token = await s.operators.issueToken('vera');
    const vera = new ConsoleClient(s.base);
    expect((await vera.login('vera', PASSWORDS.vera)).status).toBe(200);
    expect(await s.operators.disable('vera')).toBe(true);
    expect((await vera.get('/review-cases')).status).toBe(401);
    expect(
      (await fetch(`${s.base}/review-cases`, { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(401);
  });

  it('limits resolutions per operator', async () => {
    const fast = await startConsoleStack({
      cases: 1,
      console: { resolveMaxPerMinute: 2, loginMaxPerMinute: 1 },
    });
    try {
      const token = await fast.operators.issueToken('rita');
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await fetch(`${fast.base}/review-cases/${fast.caseIds[0]}/resolve`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ memberId: 'M-404' }),
        });
        statuses.push(r.status);
      }
      expect(statuses).toEqual([403, 403, 429]);
      // Logins: one per login and address a minute, and six per address whatever the login.
      const c = new ConsoleClient(fast.base);
      await c.page('/login');
      const logins: number[] = [];
      for (const login of ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7'])
        logins.push((await c.post('/auth/login', { login, password: 'wrong-password' })).status);
      expect(logins).toEqual([401, 401, 401, 401, 401, 401, 429]);
    } finally {
      await fast.stop();
    }
  });
});
