import type { Command } from 'commander';
import { fetchLag, type PartitionLag } from '../../../connectors/kafka/lag.js';
import { kafkaFromConfig } from '../../../connectors/kafka/client.js';
import { loadConfig } from '../../runtime/config.js';

function ago(ms: number | null): string {
  if (ms === null) return '-';
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
}

export function renderLag(rows: PartitionLag[]): string {
  const lines = [
    `${'GROUP'.padEnd(20)} ${'TOPIC'.padEnd(40)} ${'PART'.padStart(4)} ${'COMMITTED'.padStart(10)} ${'LOG-END'.padStart(10)} ${'LAG'.padStart(8)} ${'LAST-COMMIT'.padStart(11)}`,
  ];
  const totals = new Map<string, number>();
  for (const r of rows) {
    lines.push(
      `${r.group.padEnd(20)} ${r.topic.padEnd(40)} ${String(r.partition).padStart(4)} ${(r.committed < 0 ? '-' : String(r.committed)).padStart(10)} ${String(r.logEnd).padStart(10)} ${String(r.lag).padStart(8)} ${ago(r.lastCommitAt).padStart(11)}`,
    );
    totals.set(r.topic, (totals.get(r.topic) ?? 0) + r.lag);
  }
  for (const [topic, lag] of totals)
    lines.push(
      `${'TOTAL'.padEnd(20)} ${topic.padEnd(40)} ${''.padStart(4)} ${''.padStart(10)} ${''.padStart(10)} ${String(lag).padStart(8)}`,
    );
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  program
    .command('lag')
    .description('consumer lag per group/topic/partition; exits 2 when any lag exceeds --max-lag')
    .option('--group <group>', 'consumer group (default: KAFKA_GROUP_ID)')
    .option('--topic <topic...>', 'topics (default: the adapter input topics)')
    .option('--max-lag <n>', 'exit 2 when any partition lags more than this')
    .option('--json', 'print JSON')
    .option('--watch [seconds]', 'refresh every N seconds (default 5) until interrupted')
    .action(
      async (o: {
        group?: string;
        topic?: string[];
        maxLag?: string;
        json?: boolean;
        watch?: string | boolean;
      }) => {
        const config = loadConfig();
        const group = o.group ?? config.kafka.groupId;
        const topics = o.topic ?? [
          config.topics.childRegistrationSubmitted,
          config.topics.adultRegistrationSubmitted,
          config.topics.codeLookupFailed,
        ];
        const maxLag = o.maxLag === undefined ? null : Number(o.maxLag);
        if (maxLag !== null && (!Number.isInteger(maxLag) || maxLag < 0))
          throw new Error('--max-lag: expected a whole number ≥ 0');
        const admin = kafkaFromConfig(config, undefined, 2).admin();
        await admin.connect();
        try {
          const existing = new Set(await admin.listTopics());
          const once = async (): Promise<number> => {
            const rows = await fetchLag(
              admin,
              group,
              topics.filter((t) => existing.has(t)),
            );
            if (o.json)
              process.stdout.write(
                `${JSON.stringify({ group, partitions: rows, totalLag: rows.reduce((a, r) => a + r.lag, 0) })}\n`,
              );
            else process.stdout.write(renderLag(rows));
            const worst = rows.reduce((a, r) => Math.max(a, r.lag), 0);
            return maxLag !== null && worst > maxLag ? 2 : 0;
          };
          if (o.watch) {
            const every = typeof o.watch === 'string' ? Number(o.watch) : 5;
            for (;;) {
              if (process.stdout.isTTY) process.stdout.write('\u001b[2J\u001b[H');
              await once();
              await new Promise((r) => setTimeout(r, every * 1000));
            }
          }
          process.exitCode = await once();
        } finally {
          await admin.disconnect();
        }
      },
    );
}
