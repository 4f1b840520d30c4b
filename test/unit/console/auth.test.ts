import { describe, expect, it } from 'vitest';
import { can, parseRoleMap, roleFromClaim } from '../../../src/runtime/http/auth/identity.js';
import {
  hashPassword,
  newApiToken,
  parseApiToken,
  sameSha256,
  sha256,
  verifyPassword,
} from '../../../src/runtime/http/auth/secrets.js';
import { loadConsoleConfig } from '../../../src/runtime/http/config.js';

describe('roles', () => {
  it('maps identity-provider claim values to the highest console role', () => {
    const map = parseRoleMap('viewer=vss-viewer,reviewer=vss-reviewer,supervisor=vss-supervisor');
    expect(roleFromClaim(['vss-viewer', 'vss-supervisor'], map)).toBe('supervisor');
    expect(roleFromClaim('staff vss-reviewer', map)).toBe('reviewer');
    expect(roleFromClaim(['staff'], map)).toBeNull();
    expect(roleFromClaim(undefined, map)).toBeNull();
    expect(() => parseRoleMap('admin=x')).toThrow();
  });

  it('lets only reviewers and supervisors resolve, and only supervisors override', () => {
    expect([can.resolve('viewer'), can.resolve('reviewer'), can.resolve('supervisor')]).toEqual([
      false,
      true,
      true,
    ]);
    expect([can.override('viewer'), can.override('reviewer'), can.override('supervisor')]).toEqual([
      false,
      false,
      true,
    ]);
    expect(can.seePersonalData('viewer')).toBe(false);
  });
});

describe('secrets', () => {
  it('hashes passwords with a salted scrypt and verifies them', async () => {
    const h = await hashPassword('correct horse battery');
    expect(h).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(h).not.toContain('correct');
    expect(await hashPassword('correct horse battery')).not.toBe(h);
    expect(await verifyPassword('correct horse battery', h)).toBe(true);
    expect(await verifyPassword('correct horse batterY', h)).toBe(false);
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
  });

  it('issues API tokens that parse back and compare by hash', () => {
    const t = newApiToken();
    expect(parseApiToken(t.token)).toEqual({ tokenId: t.tokenId, secret: t.secret });
    expect(parseApiToken('vssb_nothex_x')).toBeNull();
    expect(sameSha256(t.secret, sha256(t.secret))).toBe(true);
    expect(sameSha256(`${t.secret}x`, sha256(t.secret))).toBe(false);
  });
});

describe('console configuration', () => {
  it('binds 127.0.0.1 by default and names every bad variable', () => {
    const c = loadConsoleConfig({});
    expect(c.host).toBe('127.0.0.1');
    expect(c.oidc).toBeNull();
    expect(c.tls).toBeNull();
    const bad = () =>
      loadConsoleConfig({
        OIDC_ISSUER: 'ftp://x',
        CONSOLE_SESSION_TTL_MINUTES: 'soon',
        CONSOLE_COOKIE_SECRET: 'short',
      });
    for (const name of ['OIDC_ISSUER', 'CONSOLE_SESSION_TTL_MINUTES', 'CONSOLE_COOKIE_SECRET'])
      expect(bad).toThrow(name);
    expect(() => loadConsoleConfig({ OIDC_ISSUER: 'https://id.example' })).toThrow(/OIDC_CLIENT_ID/);
    const o = loadConsoleConfig({
      HTTP_HOST: '0.0.0.0',
      OIDC_ISSUER: 'https://id.example/realms/vss',
      OIDC_CLIENT_ID: 'console',
      OIDC_ROLE_CLAIM: 'groups',
    });
    expect(o.host).toBe('0.0.0.0');
    expect(o.oidc).toMatchObject({ clientId: 'console', audience: 'console', roleClaim: 'groups' });
  });
});
