import type { Command } from 'commander';
import { codecOptions } from '../../runtime/connections.js';
import { kafkaFromConfig } from '../../../connectors/kafka/client.js';
import { topicBindings } from '../../../connectors/registry/bindings.js';
import { AvroCodec } from '../../../connectors/registry/codec.js';
import type { DeadLetter } from '../../contracts/generated.js';
import { isPermanent } from '../../domain/errors.js';
import { loadConfig } from '../../runtime/config.js';
import { Progress } from '../progress.js';

export function register(program: Command): void {
  const dlq = program.command('dlq').description('dead-letter topics');
  dlq
    .command('replay')
    .description('re-publish dead letters of a topic to their source topic (after a fix)')
    .requiredOption('--topic <topic>', 'the source topic (its dead letters are in <topic>.dlq)')
    .option('--since <time>', 'only dead letters at or after this ISO time')
    .option('--dry-run', 'count what would be replayed, publish nothing')
    .action(async (o: { topic: string; since?: string; dryRun?: boolean }) => {
      const config = loadConfig();
      const source = o.topic.endsWith('.dlq') ? o.topic.slice(0, -4) : o.topic;
      const dlqTopic = `${source}.dlq`;
      const since = o.since ? Date.parse(o.since) : null;
      if (since !== null && Number.isNaN(since)) throw new Error(`--since: not a date/time: '${o.since}'`);
      const codec = new AvroCodec(codecOptions(config, topicBindings(config)));
      const kafka = kafkaFromConfig(config, undefined, 3);
      const admin = kafka.admin();
      await admin.connect();
      const ends = await admin.fetchTopicOffsets(dlqTopic);
      await admin.disconnect();
      const remaining = new Map(
        ends.filter((e) => Number(e.high) > Number(e.low)).map((e) => [e.partition, Number(e.high)]),
      );
      const total = ends.reduce((a, e) => a + Number(e.high) - Number(e.low), 0);
      const progress = new Progress(`replay ${dlqTopic} → ${source}`, total);
      let replayed = 0;
      let skipped = 0;
      let unreadable = 0;
      let truncated = 0;
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const consumer = kafka.consumer({ groupId: `vss-bridge-dlq-replay-${Date.now()}` });
      await consumer.connect();
      await consumer.subscribe({ topic: dlqTopic, fromBeginning: true });
      let finish!: () => void;
      const finished = new Promise<void>((r) => (finish = r));
      if (remaining.size === 0) finish();
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const end = remaining.get(partition);
          if (end === undefined || Number(message.offset) >= end) return;
          // A record on the dead-letter topic that is not a DeadLetter is counted and skipped, never a hang.
          const dl = await codec.decode<DeadLetter>(dlqTopic, message.value).catch((e: unknown) => {
            if (isPermanent(e)) return null;
            throw e; // registry trouble: kafkajs retries the message
          });
          if (dl === null) {
            unreadable++;
          } else if (dl.originalValueTruncated) {
            // Only the first bytes were kept (the whole would not fit a dead letter): nothing to replay.
            truncated++;
          } else if ((since === null || dl.occurredAt.getTime() >= since) && dl.sourceTopic === source) {
            if (!o.dryRun) {
              // Every header value in order, repeated keys included.
              const headers: Record<string, Buffer[]> = {};
              for (const h of dl.headers) if (h.value) (headers[h.key] ??= []).push(h.value);
              headers['x-replayed-from'] = [Buffer.from(`${dlqTopic}:${partition}:${message.offset}`)];
              await producer.send({
                topic: source,
                acks: -1,
                messages: [{ key: dl.originalKey, value: dl.originalValue, headers }],
              });
            }
            replayed++;
          } else skipped++;
          progress.tick();
          if (Number(message.offset) + 1 >= end) remaining.delete(partition);
          if (remaining.size === 0) finish();
        },
      });
      await finished;
      await consumer.disconnect();
      await producer.disconnect();
      progress.done();
      process.stdout.write(
        `${o.dryRun ? 'would replay' : 'replayed'} ${replayed} dead letter(s) to ${source}; skipped ${skipped}${unreadable ? `; left ${unreadable} unreadable record(s) alone` : ''}${truncated ? `; left ${truncated} truncated dead letter(s) alone (value too large to keep whole)` : ''}\n`,
      );
    });
}
