/// <reference lib="dom" />
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeMapping } from '../../../src/contracts/generated.js';
import { loadConsoleConfig } from '../../../src/runtime/http/config.js';
import { launchBrowser, TEST_OUTPUT, type TestBrowser } from '../../support/browser.js';
import { PASSWORDS, startConsoleStack, type ConsoleStack } from '../../support/console.js';
import { readAll } from '../../support/topic-reader.js';
import { startTestOidc, type TestOidc } from '../../support/oidc.js';
import { waitFor } from '../../support/stack.js';

describe('operator console in a real browser (Chromium), local and OIDC logins', () => {
  let oidc: TestOidc;
  let s: ConsoleStack;
  let browser: TestBrowser;
  let page: Page;
  /** Open cases once the first test resolved one. */
  let remaining: string[] = [];

  beforeAll(async () => {
    oidc = await startTestOidc();
    const console = loadConsoleConfig({
      OIDC_ISSUER: oidc.issuer,
      OIDC_CLIENT_ID: oidc.clientId,
      OIDC_CLIENT_SECRET: oidc.clientSecret,
      OIDC_ROLE_CLAIM: 'roles',
      OIDC_ROLE_MAP: 'viewer=vss-viewer,reviewer=vss-reviewer,supervisor=vss-supervisor',
    });
    s = await startConsoleStack({ cases: 4, console });
    oidc.attach(`${s.base}/auth/oidc/callback`);
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
  });
  afterAll(async () => {
    await browser?.close();
    await s?.stop();
    await oidc?.stop();
  });

  async function logout() {
    await browser.context.clearCookies();
  }

  async function decoded(topic: string): Promise<CodeMapping[]> {
    return Promise.all(
      (await readAll(s.kafka, topic)).map((r) => s.codec.decode<CodeMapping>(topic, r.value)),
    );
  }

  it('a reviewer logs in locally, compares a case side by side and resolves it: HGD changes, both topics hear', async () => {
    await page.goto(`${s.base}/review`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await page.locator('html').getAttribute('lang')).toBe('vi');
    await page.fill('input[name=login]', 'rita');
    await page.fill('input[name=password]', PASSWORDS.rita);
    await page.click('#login-form button[type=submit]');
    await page.waitForURL(`${s.base}/review`);
    expect(await page.textContent('[data-testid=who]')).toContain('Rita Reviewer');
    expect(await page.locator('#queue tbody tr').count()).toBe(4);
    expect(await page.textContent('[data-testid=open-count]')).toBe('4');
    await page.screenshot({ path: join(TEST_OUTPUT, 'queue.png'), fullPage: true });

    // Keyboard: j selects the first (oldest) case, Enter opens it.
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/review\/RC-/);
    const caseId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    // The oldest case (cases of different partitions open in any order).
    const index = s.caseIds.indexOf(caseId);
    expect(index).toBeGreaterThanOrEqual(0);
    remaining = s.caseIds.filter((id) => id !== caseId);
    // "Tran Thi Mai" declared, "Trần Thị Mai" in HGD: a spelling variant, not a difference.
    expect(await page.textContent('td.declared[data-field=fullName]')).toBe('Tran Thi Mai');
    const nameCells = page.locator('td[data-field=fullName][data-cmp]');
    expect(await nameCells.count()).toBe(2);
    for (const cmp of await nameCells.evaluateAll((els) => els.map((e) => e.getAttribute('data-cmp'))))
      expect(cmp).toBe('variant');
    expect(await page.locator('td[data-field=dob][data-cmp=same]').count()).toBe(2);
    expect(await page.locator('td[data-field=bhxhCode][data-cmp=missing]').count()).toBe(2);
    expect(await page.textContent('#compare')).toContain('Trần Văn Nam (con)');
    expect(await page.locator('table.evidence').count()).toBe(2);
    await page.screenshot({ path: join(TEST_OUTPUT, 'case.png'), fullPage: true });

    await page.fill('#note', 'đã đối chiếu sổ hộ khẩu');
    await page.click('button.choose[data-member="M-3"]');
    await page.waitForSelector('[data-testid=resolved]');
    expect(await page.textContent('[data-testid=resolved]')).toContain('M-3');

    const m3 = await s.db.knex('hgd.members').where({ member_id: 'M-3' }).first();
    expect(m3.bhxh_code).toBe(s.lookups[index]!.bqpCode);
    const audit = await s.db
      .knex('bridge.console_audit')
      .where({ event: 'resolution', case_id: caseId })
      .first();
    expect(audit).toMatchObject({ operator_id: 'rita', role: 'reviewer', method: 'password' });
    const defence = await waitFor('the Defence topic hears', async () =>
      (await decoded(s.config.topics.defenceCodeMappingDecided)).find((m) => m.memberId === 'M-3'),
    );
    expect(defence).toMatchObject({ outcome: 'MAPPED', decidedBy: 'OPERATOR', operator: 'rita', caseId });
    const vssid = await waitFor('the VssID topic hears', async () =>
      (await decoded(s.config.topics.vssidCodeMappingDecided)).find((m) => m.caseId === caseId),
    );
    expect(vssid).toMatchObject({ outcome: 'MAPPED', memberId: 'M-3', operator: 'rita' });
  });

  it('the page speaks English on request', async () => {
    await page.goto(`${s.base}/review?lang=en`);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.textContent('h1')).toBe('Review queue');
    await page.goto(`${s.base}/review?lang=vi`);
    expect(await page.textContent('h1')).toBe('Hàng đợi xét duyệt');
  });

  it('refusals in the browser: missing CSRF token, text/plain, foreign page, expired session', async () => {
    const target = `/review-cases/${encodeURIComponent(remaining[0]!)}/resolve`;
    const statuses = await page.evaluate(async (url) => {
      const token = document.querySelector('meta[name=csrf-token]')!.getAttribute('content')!;
      const noCsrf = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ memberId: 'M-2' }),
      });
      const text = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'x-csrf-token': token },
        body: JSON.stringify({ memberId: 'M-2' }),
      });
      const outsider = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': token },
        body: JSON.stringify({ memberId: 'M-9' }),
      });
      return [noCsrf.status, text.status, outsider.status];
    }, target);
    expect(statuses).toEqual([403, 415, 403]);

    // A page on another origin posts a form-like request with the operator's cookies.
    await page.goto(`${oidc.issuer}/.well-known/openid-configuration`);
    // The request reaches the server (which refuses it); the browser then hides even the opaque answer
    // (Cross-Origin-Resource-Policy: same-origin), so the page sees a network error.
    const outcome = await page.evaluate(async (url) => {
      try {
        await fetch(url, {
          method: 'POST',
          mode: 'no-cors',
          credentials: 'include',
          headers: { 'content-type': 'text/plain' },
          body: JSON.stringify({ memberId: 'M-2' }),
        });
        return 'opaque';
      } catch {
        return 'blocked';
      }
    }, s.base + target);
    expect(outcome).toBe('blocked');
    const row = await s.db.knex('bridge.review_cases').where({ case_id: remaining[0] }).first();
    expect(row.status).toBe('open');

    await s.db
      .knex('bridge.console_sessions')
      .where({ operator_id: 'rita' })
      .update({ expires_at: new Date(0) });
    await page.goto(`${s.base}/review`);
    expect(new URL(page.url()).pathname).toBe('/login');
  });

  it('a viewer sees a masked case and no resolve buttons; the server refuses a resolution anyway', async () => {
    await logout();
    await page.goto(`${s.base}/login`);
    await page.fill('input[name=login]', 'vera');
    await page.fill('input[name=password]', PASSWORDS.vera);
    await page.click('#login-form button[type=submit]');
    await page.waitForURL(`${s.base}/review`);
    await page.goto(`${s.base}/review/${encodeURIComponent(remaining[0]!)}`);
    expect(await page.textContent('main')).not.toContain('Trần Thị Mai');
    expect(await page.textContent('td.declared[data-field=fullName]')).toBe('T. T. M.');
    expect(await page.locator('button.choose').count()).toBe(0);
    const status = await page.evaluate(
      async (url) => {
        const token = document.querySelector('meta[name=csrf-token]')!.getAttribute('content')!;
        const r = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': token },
          body: JSON.stringify({ memberId: 'M-2' }),
        });
        return r.status;
      },
      `/review-cases/${encodeURIComponent(remaining[0]!)}/resolve`,
    );
    expect(status).toBe(403);
  });

  it('too many login attempts are refused', async () => {
    await logout();
    await page.goto(`${s.base}/login`);
    for (let i = 0; i < 6; i++) {
      await page.fill('input[name=login]', 'rita');
      await page.fill('input[name=password]', `not-the-password-${i}`);
      // Wait for this attempt's answer (the error line is already visible from the previous one).
      await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/auth/login') && r.request().method() === 'POST'),
        page.click('#login-form button[type=submit]'),
      ]);
      await page.waitForSelector('#login-error:not([hidden])');
    }
    const shown = await page.textContent('#login-error');
    expect(shown).toBe(await page.getAttribute('#login-error', 'data-toomany'));
  });

  it('an operator logs in with OpenID Connect (code + PKCE), role from the claim, and resolves with the keyboard', async () => {
    await logout();
    await page.goto(`${s.base}/login`);
    await page.click('#oidc-login');
    await page.waitForURL(new RegExp(`^${oidc.issuer}/`));
    await page.fill('input[name=login]', 'olga');
    await page.fill('input[name=password]', 'any');
    await page.click('button[type=submit]');
    await page.waitForURL(`${s.base}/review`);
    expect(await page.textContent('[data-testid=who]')).toContain('Olga OIDC (reviewer)');
    await page.goto(`${s.base}/review/${encodeURIComponent(remaining[1]!)}`);
    await page.fill('#note', 'neither twin serves in BQP');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('n');
    await page.waitForSelector('[data-testid=resolved]');
    const audit = await s.db
      .knex('bridge.console_audit')
      .where({ event: 'resolution', case_id: remaining[1] })
      .first();
    expect(audit).toMatchObject({
      operator_id: 'oidc:olga',
      role: 'reviewer',
      method: 'oidc',
      outcome: 'no_match',
    });
    const login = await s.db.knex('bridge.console_audit').where({ event: 'login', operator_id: 'oidc:olga' });
    expect(login).toHaveLength(1);
  });

  it('an OIDC account without a console role is refused', async () => {
    await logout();
    await page.goto(`${s.base}/auth/oidc/login`);
    await page.waitForURL(new RegExp(`^${oidc.issuer}/`));
    await page.fill('input[name=login]', 'nobody');
    await page.fill('input[name=password]', 'any');
    await page.click('button[type=submit]');
    await page.waitForURL(new RegExp(`^${s.base}/auth/oidc/callback`));
    expect(await page.textContent('main')).toContain('(role)');
    const r = await page.goto(`${s.base}/review-cases`);
    expect(r?.status()).toBe(401);
  });

  it('a machine client uses an OIDC access token (JWT checked against the provider keys)', async () => {
    const token = await oidc.machineToken();
    const ok = await fetch(`${s.base}/review-cases`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    const forged = `${token.slice(0, -4)}AAAA`;
    const bad = await fetch(`${s.base}/review-cases`, { headers: { authorization: `Bearer ${forged}` } });
    expect(bad.status).toBe(401);
    const res = await fetch(`${s.base}/review-cases/${encodeURIComponent(remaining[2]!)}/resolve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ noMatch: true }),
    });
    expect(res.status).toBe(200);
    const audit = await s.db
      .knex('bridge.console_audit')
      .where({ event: 'resolution', case_id: remaining[2] })
      .first();
    expect(audit).toMatchObject({ operator_id: 'oidc:vss-machine', method: 'oidc-bearer', role: 'reviewer' });
  });
});
