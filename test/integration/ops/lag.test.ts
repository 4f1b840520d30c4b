import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartitionLag } from '../../../connectors/kafka/lag.js';
import { startApp, type App } from '../../../src/runtime/app.js';
import type { Config } from '../../../src/runtime/config.js';
import { testConfig, testLogger, testCodec } from '../../support/app.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { committedToEnd, testKafka } from '../../support/kafka.js';
import { waitFor } from '../../support/stack.js';
import { scrape, vssBridge } from './cli.js';
import { lookupEvent } from '../../support/events.js';

const N = 12;

interface LagReport {
  group: string;
  partitions: PartitionLag[];
  totalLag: number;
}

/** The exported `vss_bridge_consumer_lag` of one topic, by partition. */
async function lagMetric(port: number, group: string, topic: string): Promise<Map<number, number>> {
  const samples = await scrape(port);
  return new Map(
    samples
      .filter(
        (s) => s.name === 'vss_bridge_consumer_lag' && s.labels.group === group && s.labels.topic === topic,
      )
      .map((s) => [Number(s.labels.partition), s.value]),
  );
}

const byPartition = (rows: PartitionLag[], topic: string) =>
  new Map(rows.filter((r) => r.topic === topic).map((r) => [r.partition, r.lag]));

describe('consumer lag: `vss-bridge lag` and the exported metric agree, before and after consuming', () => {
  let db: TestDatabase;
  let config: Config;
  let app: App | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    config = testConfig(db.url);
  });
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
  });

  it('reports N waiting events and exits 2 while the consumer is stopped, then 0 with lag 0 once it has consumed', async () => {
    const topic = config.topics.codeLookupFailed;
    const group = config.kafka.groupId;
    // Everything but the consumer: topics exist, /metrics is served, lag is refreshed every 5 s.
    app = await startApp(config, testLogger(), { consume: false, serveHttp: true });
    const codec = await testCodec(config);
    const kafka = testKafka();
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const messages = [];
    for (let i = 0; i < N; i++)
      messages.push({ key: `k-${i}`, value: await codec.encode(topic, lookupEvent(i)) });
    await producer.send({ topic, acks: -1, messages });
    await producer.disconnect();

    const behind = await vssBridge(config, ['lag', '--max-lag', '0', '--json']);
    expect(behind.code, behind.stderr).toBe(2);
    const before = JSON.parse(behind.stdout) as LagReport;
    expect(before.group).toBe(group);
    expect(before.totalLag).toBe(N);
    const beforeRows = byPartition(before.partitions, topic);
    expect([...beforeRows.values()].reduce((a, b) => a + b, 0)).toBe(N);
    // The other input topics are listed too, with nothing waiting.
    expect(before.partitions.filter((r) => r.topic !== topic).every((r) => r.lag === 0)).toBe(true);
    // Nothing committed yet: the committed column says so.
    expect(before.partitions.every((r) => r.committed === -1)).toBe(true);

    // The human-readable table carries the same total.
    const table = await vssBridge(config, ['lag']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`^TOTAL\\s+${topic.replace(/\./g, '\\.')}\\s+${N}$`, 'm'));

    const port = app.httpPort;
    const exported = await waitFor(
      'lag metric refreshed',
      async () => {
        const m = await lagMetric(port, group, topic);
        return m.size === beforeRows.size && [...m.values()].reduce((a, b) => a + b, 0) === N ? m : null;
      },
      20_000,
      500,
    );
    expect(exported).toEqual(beforeRows);
    await app.stop();

    app = await startApp(config, testLogger());
    await waitFor('offsets committed to the end', () => committedToEnd(kafka, group, topic), 60_000, 250);

    const caughtUp = await vssBridge(config, ['lag', '--max-lag', '0', '--json']);
    expect(caughtUp.code, caughtUp.stderr).toBe(0);
    const after = JSON.parse(caughtUp.stdout) as LagReport;
    expect(after.totalLag).toBe(0);
    const afterRows = after.partitions.filter((r) => r.topic === topic);
    expect(afterRows.length).toBe(beforeRows.size);
    expect(afterRows.every((r) => r.lag === 0 && r.committed === r.logEnd)).toBe(true);
    expect(afterRows.reduce((a, r) => a + r.logEnd, 0)).toBe(N);
    // Our consumer stamps its commits, so the time since the last commit is known where it committed.
    for (const r of afterRows.filter((x) => x.logEnd > 0)) {
      expect(r.lastCommitAt, `partition ${r.partition}`).toBeGreaterThan(Date.now() - 120_000);
    }

    const port2 = app.httpPort;
    const exportedAfter = await waitFor(
      'lag metric back to zero',
      async () => {
        const m = await lagMetric(port2, group, topic);
        return m.size === afterRows.length && [...m.values()].every((v) => v === 0) ? m : null;
      },
      20_000,
      500,
    );
    expect(exportedAfter).toEqual(byPartition(after.partitions, topic));
  });
});
