import type { Admin, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { createKafka } from '../../connectors/kafka/client.js';
import { ensureTopics } from '../../connectors/kafka/topics.js';
import { STACK, uniqueName } from './stack.js';

export function testKafka(clientId = 'vss-bridge-test'): Kafka {
  return createKafka({ brokers: STACK.kafkaBrokers, clientId });
}

/** Creates unique topics for one test and deletes them on cleanup. */
export class TestTopics {
  private readonly admin: Admin;
  private readonly created: string[] = [];
  constructor(private readonly kafka: Kafka = testKafka()) {
    this.admin = kafka.admin();
  }
  async create(prefix: string, partitions = 1): Promise<string> {
    const topic = uniqueName(`t-${prefix}`);
    await this.createNamed([topic], partitions);
    return topic;
  }
  async createNamed(topics: string[], partitions = 1): Promise<void> {
    await this.admin.connect();
    await ensureTopics(this.admin, topics, partitions);
    this.created.push(...topics);
  }
  async cleanup(): Promise<void> {
    if (this.created.length > 0)
      await this.admin.deleteTopics({ topics: this.created }).catch(() => undefined);
    await this.admin.disconnect();
  }
}

export interface ReadRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: KafkaMessage['headers'];
  partition: number;
  offset: string;
}

/**
 * Reads a topic from the beginning until `count` records arrived (or the timeout passes). It stops at `count`, so it
 * cannot show an extra record: to count records (exactly once), read to the end offset with `readAll`.
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  count: number,
  timeoutMs = 30_000,
): Promise<ReadRecord[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), allowAutoTopicCreation: false });
  const out: ReadRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  await consumer.run({
    eachMessage: async ({ message, partition }) => {
      out.push({
        key: message.key,
        value: message.value,
        headers: message.headers,
        partition,
        offset: message.offset,
      });
      if (out.length >= count) done();
    },
  });
  const timer = setTimeout(done, timeoutMs);
  await finished;
  clearTimeout(timer);
  await consumer.disconnect();
  return out;
}

/** True when the group has committed every partition of the topic up to its log end (empty partitions count). */
export async function committedToEnd(kafka: Kafka, groupId: string, topic: string): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    return ends.every((e) => {
      const c = committed?.partitions.find((p) => p.partition === e.partition)?.offset ?? '-1';
      return c === e.high || (Number(c) < 0 && e.high === e.low);
    });
  } finally {
    await admin.disconnect();
  }
}

/**
 * True when the group has committed `partition` of `topic` beyond `offset`: the record at `offset` was consumed and
 * its processing committed (offsets are committed only after the transaction). Proves a duplicate was read, where a
 * count of inbox rows (unchanged by a duplicate) cannot.
 */
export async function committedPast(
  kafka: Kafka,
  groupId: string,
  topic: string,
  at: { partition: number; offset: string },
): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const c = committed?.partitions.find((p) => p.partition === at.partition)?.offset ?? '-1';
    return BigInt(c) > BigInt(at.offset);
  } finally {
    await admin.disconnect();
  }
}

/** Sends one record and returns where it landed (partition and offset), for `committedPast`. */
export async function sendOne(
  producer: Producer,
  topic: string,
  message: { key: string; value: Buffer },
): Promise<{ partition: number; offset: string }> {
  const [meta] = await producer.send({ topic, acks: -1, messages: [message] });
  if (!meta || meta.baseOffset === undefined) throw new Error(`no offset returned for ${topic}`);
  return { partition: meta.partition, offset: meta.baseOffset };
}
