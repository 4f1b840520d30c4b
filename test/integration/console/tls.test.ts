import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORDS, startConsoleStack, type ConsoleStack } from '../../support/console.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('console over TLS: Secure, __Host- cookies and HSTS', () => {
  let s: ConsoleStack;
  let dir: string;
  let cert: Buffer;

  const call = (port: number, method: string, path: string, headers: Record<string, string>, body?: string) =>
    new Promise<Answer>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, method, path, headers, ca: cert, servername: 'localhost' },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vss-console-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    cert = readFileSync(join(dir, 'cert.pem'));
    s = await startConsoleStack({
      cases: 0,
      console: { tls: { cert, key: readFileSync(join(dir, 'key.pem')) } },
    });
  });
  afterAll(async () => {
    await s?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('sets Secure, host-only session and CSRF cookies and HSTS', async () => {
    const port = s.app.httpPort;
    const host = `localhost:${port}`;
    const login = await call(port, 'GET', '/login', { host });
    expect(login.status).toBe(200);
    expect(login.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    const csrfCookie = (login.headers['set-cookie'] as string[]).find((c) =>
      c.startsWith('__Host-vssb_csrf='),
    )!;
    expect(csrfCookie).toMatch(/; Secure/i);
    const token = /<meta name="csrf-token" content="([^"]*)">/.exec(login.body)![1]!;
    const res = await call(
      port,
      'POST',
      '/auth/login',
      {
        host,
        origin: `https://${host}`,
        'content-type': 'application/json',
        'x-csrf-token': token,
        cookie: csrfCookie.split(';')[0]!,
      },
      JSON.stringify({ login: 'rita', password: PASSWORDS.rita }),
    );
    expect(res.status).toBe(200);
    const session = (res.headers['set-cookie'] as string[]).find((c) =>
      c.startsWith('__Host-vssb_session='),
    )!;
    expect(session).toMatch(/; Path=\//);
    expect(session).toMatch(/; HttpOnly/i);
    expect(session).toMatch(/; Secure/i);
    expect(session).toMatch(/; SameSite=Strict/i);
    expect(session).not.toMatch(/Domain=/i);
    // The http:// origin of the same host is another origin.
    const plain = await call(
      port,
      'POST',
      '/auth/logout',
      { host, origin: `http://${host}`, 'content-type': 'application/json', cookie: session.split(';')[0]! },
      '{}',
    );
    expect(plain.status).toBe(403);
  });
});
