import type { Kafka } from 'kafkajs';
import { uniqueName } from './stack.js';

export interface TopicRecord {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, unknown>;
}

/** Reads every record of a topic up to its log end as of the call (all partitions), then returns. */
export async function readAll(kafka: Kafka, topic: string, timeoutMs = 120_000): Promise<TopicRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(
    ends.filter((e) => Number(e.high) > Number(e.low)).map((e) => [e.partition, Number(e.high)]),
  );
  const out: TopicRecord[] = [];
  if (remaining.size === 0) return out;
  const consumer = kafka.consumer({
    groupId: uniqueName('read-all'),
    allowAutoTopicCreation: false,
    maxBytes: 50 * 1024 * 1024,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const end = remaining.get(partition);
      if (end === undefined || Number(message.offset) >= end) return;
      out.push({
        partition,
        offset: message.offset,
        key: message.key,
        value: message.value,
        headers: message.headers ?? {},
      });
      if (Number(message.offset) + 1 >= end) remaining.delete(partition);
      if (remaining.size === 0) finish();
    },
  });
  const timer = setTimeout(finish, timeoutMs);
  await finished;
  clearTimeout(timer);
  await consumer.disconnect();
  if (remaining.size > 0)
    throw new Error(`readAll(${topic}): timed out with partitions ${[...remaining.keys()].join(',')} unread`);
  return out;
}
