import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/runtime/app.js';
import { testConfig, testLogger } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { waitFor } from '../support/stack.js';

const stack = (cmd: string) => {
  const r = spawnSync('bash', ['scripts/stack', cmd], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`scripts/stack ${cmd}: ${r.stderr.toString()}`);
};

describe('/readyz follows PostgreSQL', () => {
  let db: TestDatabase;
  let app: App;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startApp(testConfig(db.url), testLogger('fatal'));
  });
  afterAll(async () => {
    stack('start-postgres');
    await app?.stop();
    await db?.drop();
  });

  it('goes non-ready within seconds of stopping PostgreSQL and ready again after it returns', async () => {
    const url = `http://127.0.0.1:${app.httpPort}/readyz`;
    const ready = async () => (await fetch(url)).status === 200;
    await waitFor('ready at start', ready, 30_000);
    expect(await (await fetch(`http://127.0.0.1:${app.httpPort}/healthz`)).json()).toEqual({ status: 'ok' });

    stack('stop-postgres');
    const stoppedAt = Date.now();
    const body = await waitFor(
      'not ready',
      async () => {
        const r = await fetch(url);
        return r.status === 503 ? ((await r.json()) as { checks: Record<string, string> }) : null;
      },
      10_000,
    );
    const notReadyAfter = (Date.now() - stoppedAt) / 1000;
    expect(notReadyAfter).toBeLessThan(5);
    expect(body.checks.postgres).not.toBe('ok');
    expect(body.checks.kafka).toBe('ok');
    // /healthz stays up: the process is alive, only not ready.
    expect((await fetch(`http://127.0.0.1:${app.httpPort}/healthz`)).status).toBe(200);

    stack('start-postgres');
    await waitFor('ready again', ready, 30_000);
    const metrics = await (await fetch(`http://127.0.0.1:${app.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/^vss_bridge_ready 1$/m);
  });
});
