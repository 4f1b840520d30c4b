import type { Command } from 'commander';
import { kafkaFromConfig } from '../../../connectors/kafka/client.js';
import { loadConfig } from '../../runtime/config.js';
import { Progress } from '../progress.js';
import { dlqTopics, parseSince, readDeadLetters } from './dlq-read.js';

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
      const { source, dlqTopic } = dlqTopics(o.topic);
      const since = parseSince(o.since);
      let progress = null as Progress | null;
      let replayed = 0;
      let skipped = 0;
      let unreadable = 0;
      let truncated = 0;
      const producer = kafkaFromConfig(config, undefined, 3).producer({
        idempotent: true,
        maxInFlightRequests: 1,
      });
      await producer.connect();
      try {
        await readDeadLetters(
          config,
          dlqTopic,
          'dlq-replay',
          async (dl, partition, offset) => {
            // A record on the dead-letter topic that is not a DeadLetter is counted and skipped, never a hang.
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
                headers['x-replayed-from'] = [Buffer.from(`${dlqTopic}:${partition}:${offset}`)];
                await producer.send({
                  topic: source,
                  acks: -1,
                  messages: [{ key: dl.originalKey, value: dl.originalValue, headers }],
                });
              }
              replayed++;
            } else skipped++;
            progress?.tick();
          },
          (total) => (progress = new Progress(`replay ${dlqTopic} → ${source}`, total)),
        );
      } finally {
        await producer.disconnect();
      }
      progress?.done();
      process.stdout.write(
        `${o.dryRun ? 'would replay' : 'replayed'} ${replayed} dead letter(s) to ${source}; skipped ${skipped}${unreadable ? `; left ${unreadable} unreadable record(s) alone` : ''}${truncated ? `; left ${truncated} truncated dead letter(s) alone (value too large to keep whole)` : ''}\n`,
      );
    });
}
