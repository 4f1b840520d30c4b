import { describe, expect, it } from 'vitest';
import { OpsServer } from '../../../src/runtime/http.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { Metrics } from '../../../src/runtime/metrics.js';

describe('OpsServer.readiness: what /readyz and the status page show', () => {
  it('a check that passes shows ok, with its figures when it returns some; one that throws makes the whole not ready', async () => {
    const metrics = new Metrics({ processMetrics: false });
    const ops = new OpsServer({
      port: 0,
      logger: createLogger('silent'),
      metrics,
      readiness: [
        { name: 'postgres', check: async () => undefined },
        { name: 'hgd-change-feed', check: async () => 'connector RUNNING, backlog 0' },
      ],
    });
    await expect(ops.readiness()).resolves.toEqual({
      ready: true,
      checks: { postgres: 'ok', 'hgd-change-feed': 'ok: connector RUNNING, backlog 0' },
    });
    expect((await metrics.ready.get()).values[0]?.value).toBe(1);

    const failing = new OpsServer({
      port: 0,
      logger: createLogger('silent'),
      metrics,
      readiness: [
        { name: 'postgres', check: async () => 'fine' },
        {
          name: 'hgd-change-feed',
          check: async () => {
            throw new Error('connector hgd is FAILED');
          },
        },
      ],
    });
    await expect(failing.readiness()).resolves.toEqual({
      ready: false,
      checks: { postgres: 'ok: fine', 'hgd-change-feed': 'connector hgd is FAILED' },
    });
    expect((await metrics.ready.get()).values[0]?.value).toBe(0);
  });
});
