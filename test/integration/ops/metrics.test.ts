import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../../src/runtime/app.js';
import type { Config } from '../../../src/runtime/config.js';
import { testConfig, testLogger, testCodec } from '../../support/app.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { committedToEnd, testKafka } from '../../support/kafka.js';
import { waitFor } from '../../support/stack.js';
import { scrape, type Sample } from './cli.js';
import { lookupEvent } from '../../support/events.js';

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe('/metrics, /healthz and /readyz of a running adapter', () => {
  let db: TestDatabase;
  let config: Config;
  let app: App;
  const kafka = testKafka();
  const GOOD = 4;

  beforeAll(async () => {
    db = await createTestDatabase();
    config = testConfig(db.url);
    app = await startApp(config, testLogger('fatal'));
    const topic = config.topics.codeLookupFailed;
    const codec = await testCodec(config);
    const goods = await Promise.all(
      Array.from({ length: GOOD }, (_, i) => codec.encode(topic, lookupEvent(i))),
    );
    const invalid = await codec.encode(
      topic,
      lookupEvent(9, { dateOfBirth: { value: '1990-13-01', precision: 'DAY' } }),
    );
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: [
        ...goods.map((v) => ({ key: 'k', value: v })),
        { key: 'k', value: invalid },
        // The same event again: the inbox recognises it.
        { key: 'k', value: goods[0] ?? null },
      ],
    });
    await producer.disconnect();
    await waitFor(
      'all consumed and committed',
      () => committedToEnd(kafka, config.kafka.groupId, topic),
      60_000,
      250,
    );
  });
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
  });

  it('/healthz and /readyz answer 200 with every readiness check ok', async () => {
    const base = `http://127.0.0.1:${app.httpPort}`;
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { postgres: 'ok', kafka: 'ok', outbox: 'ok', 'schema-registry': 'ok', consumer: 'ok' },
    });
  });

  it('exposes processed and consumed counts by topic and outcome, dead letters, latency buckets, readiness, process metrics', async () => {
    const topic = config.topics.codeLookupFailed;
    const res = await fetch(`http://127.0.0.1:${app.httpPort}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    // vss_bridge_ready is only updated when the readiness checks run, which today means on GET /readyz.
    expect((await fetch(`http://127.0.0.1:${app.httpPort}/readyz`)).status).toBe(200);
    const s = await scrape(app.httpPort);

    expect(value(s, 'vss_bridge_messages_processed_total', { topic, outcome: 'no_match' })).toBe(GOOD);
    expect(value(s, 'vss_bridge_messages_processed_total', { topic, outcome: 'dlq' })).toBe(1);
    expect(value(s, 'vss_bridge_messages_processed_total', { topic, outcome: 'duplicate' })).toBe(1);
    expect(value(s, 'vss_bridge_messages_consumed_total', { topic })).toBe(GOOD + 2);
    expect(value(s, 'vss_bridge_dead_letters_total', { topic, error_code: 'VALIDATION_FAILED' })).toBe(1);

    // Cumulative buckets: non-decreasing, ending at +Inf with the count.
    const flow = 'defence-code-mapping';
    const buckets = s.filter(
      (x) => x.name === 'vss_bridge_processing_duration_seconds_bucket' && x.labels.flow === flow,
    );
    expect(buckets.length).toBeGreaterThan(5);
    for (let i = 1; i < buckets.length; i++)
      expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value);
    expect(buckets.at(-1)?.labels.le).toBe('+Inf');
    expect(buckets.at(-1)?.value).toBe(GOOD);
    expect(value(s, 'vss_bridge_processing_duration_seconds_count', { flow })).toBe(GOOD);
    expect(value(s, 'vss_bridge_processing_duration_seconds_sum', { flow })).toBeGreaterThan(0);

    expect(value(s, 'vss_bridge_ready')).toBe(1);
    // Process metrics: prom-client computes them; what is ours is that they are collected, under our prefix only.
    for (const name of [
      'vss_bridge_process_resident_memory_bytes',
      'vss_bridge_process_cpu_seconds_total',
      'vss_bridge_nodejs_heap_size_used_bytes',
      'vss_bridge_process_start_time_seconds',
    ])
      expect(value(s, name), name).toBeDefined();
    expect(s.filter((x) => /^(process|nodejs)_/.test(x.name))).toEqual([]);
  });

  it('exports lag and outbox figures on the refresh interval, and the dead letter went out through the outbox', async () => {
    const topic = config.topics.codeLookupFailed;
    const s = await waitFor(
      'lag and outbox gauges refreshed',
      async () => {
        const x = await scrape(app.httpPort);
        const lag = x.filter((y) => y.name === 'vss_bridge_consumer_lag' && y.labels.topic === topic);
        return lag.length > 0 &&
          lag.every((y) => y.value === 0) &&
          value(x, 'vss_bridge_outbox_backlog') === 0
          ? x
          : null;
      },
      20_000,
      500,
    );
    expect(value(s, 'vss_bridge_outbox_oldest_unsent_age_seconds')).toBe(0);
    expect(value(s, 'vss_bridge_outbox_published_total')).toBeGreaterThanOrEqual(1);
  });

  it('names follow Prometheus conventions: one prefix, counters end in _total, durations in _seconds', async () => {
    const text = await (await fetch(`http://127.0.0.1:${app.httpPort}/metrics`)).text();
    const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => ({
      name: m[1] ?? '',
      type: m[2] ?? '',
    }));
    expect(types.length).toBeGreaterThan(20);
    for (const t of types) {
      expect(t.name).toMatch(/^vss_bridge_[a-z0-9_]+$/);
      if (t.type === 'counter') expect(t.name).toMatch(/_total$/);
      if (/_(duration|latency|age)(_|$)/.test(t.name)) expect(t.name).toMatch(/_seconds(_total)?$/);
    }
    for (const name of types.map((t) => t.name)) expect(text).toMatch(new RegExp(`^# HELP ${name} \\S`, 'm'));
  });
});
