import { kafkaFromConfig } from '../../../connectors/kafka/client.js';
import { topicBindings } from '../../../connectors/registry/bindings.js';
import { AvroCodec } from '../../../connectors/registry/codec.js';
import type { DeadLetter } from '../../contracts/generated.js';
import { isPermanent } from '../../domain/errors.js';
import type { Config } from '../../runtime/config.js';
import { codecOptions } from '../../runtime/connections.js';

/** The dead-letter topic of `--topic` (the source topic, or its `.dlq` itself). */
export function dlqTopics(topic: string): { source: string; dlqTopic: string } {
  const source = topic.endsWith('.dlq') ? topic.slice(0, -4) : topic;
  return { source, dlqTopic: `${source}.dlq` };
}

/** `--since`: an ISO date/time, or null when not given. */
export function parseSince(since: string | undefined): number | null {
  if (since === undefined) return null;
  const t = Date.parse(since);
  if (Number.isNaN(t)) throw new Error(`--since: not a date/time: '${since}'`);
  return t;
}

/**
 * Reads a dead-letter topic from its beginning to the end it had when called (`dlq list`, `dlq replay`), in a
 * consumer group of its own that commits nothing. Each record comes to `visit` decoded as a DeadLetter, or as null
 * when it is not one (counted by the caller and skipped, never a hang); registry trouble is retried by kafkajs.
 * `onTotal` hears the number of records to read before the first one. A topic that does not exist reads as empty.
 */
export async function readDeadLetters(
  config: Config,
  dlqTopic: string,
  command: string,
  visit: (dl: DeadLetter | null, partition: number, offset: string) => Promise<void> | void,
  onTotal?: (records: number) => void,
): Promise<{ exists: boolean }> {
  const codec = new AvroCodec(codecOptions(config, topicBindings(config)));
  const kafka = kafkaFromConfig(config, undefined, 3);
  const admin = kafka.admin();
  await admin.connect();
  let ends: Array<{ partition: number; high: string; low: string }> = [];
  let exists = false;
  try {
    exists = (await admin.listTopics()).includes(dlqTopic);
    if (exists) ends = await admin.fetchTopicOffsets(dlqTopic);
  } finally {
    await admin.disconnect();
  }
  const remaining = new Map(
    ends.filter((e) => Number(e.high) > Number(e.low)).map((e) => [e.partition, Number(e.high)]),
  );
  onTotal?.(ends.reduce((a, e) => a + Number(e.high) - Number(e.low), 0));
  if (remaining.size === 0) return { exists };
  const consumer = kafka.consumer({ groupId: `vss-bridge-${command}-${Date.now()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: dlqTopic, fromBeginning: true });
    let finish!: () => void;
    const finished = new Promise<void>((r) => (finish = r));
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const end = remaining.get(partition);
        if (end === undefined || Number(message.offset) >= end) return;
        const dl = await codec.decode<DeadLetter>(dlqTopic, message.value).catch((e: unknown) => {
          if (isPermanent(e)) return null;
          throw e; // registry trouble: kafkajs retries the message
        });
        await visit(dl, partition, message.offset);
        if (Number(message.offset) + 1 >= end) remaining.delete(partition);
        if (remaining.size === 0) finish();
      },
    });
    await finished;
  } finally {
    await consumer.disconnect();
  }
  return { exists };
}
