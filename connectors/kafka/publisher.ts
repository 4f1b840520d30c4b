import type { Kafka, Message, Producer } from 'kafkajs';
import { PublishRefused, type OutboxRecord, type Publisher } from '../../src/ports/outbox.js';

/**
 * Broker answers that no retry can heal for this record (kafkajs' protocol error types): it is too large for the
 * topic, or the broker finds it invalid. Anything else (leader moving, broker away, authorisation) is retried.
 */
const REFUSALS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TIMESTAMP',
]);

function refusalOf(e: unknown): string | null {
  for (let cur = e, depth = 0; cur && depth < 5; cur = (cur as { cause?: unknown }).cause, depth++) {
    const type = (cur as { type?: unknown }).type;
    if (typeof type === 'string' && REFUSALS.has(type)) return type;
  }
  return null;
}

/** Bytes a record takes on the wire, near enough to compare with the broker's limit. */
export function recordBytes(r: OutboxRecord): number {
  let n = r.value.length + (r.key?.length ?? 0) + 70; // record and batch overhead
  for (const [k, v] of Object.entries(r.headers)) n += Buffer.byteLength(k) + Buffer.byteLength(v) + 4;
  return n;
}

/**
 * The broker side of the outbox relay: the idempotent producer, one in-flight request so a retried batch cannot
 * overtake the next, acknowledged by all in-sync replicas. A permanent refusal is reported as PublishRefused.
 */
export class KafkaPublisher implements Publisher {
  private readonly producer: Producer;
  private connected = false;

  constructor(
    kafka: Kafka,
    readonly maxRecordBytes: number,
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
  }

  async publish(records: OutboxRecord[]): Promise<void> {
    if (!this.connected) {
      await this.producer.connect();
      this.connected = true;
    }
    const byTopic = new Map<string, Message[]>();
    for (const r of records) {
      const list = byTopic.get(r.topic) ?? [];
      list.push({ key: r.key, value: r.value, headers: r.headers });
      byTopic.set(r.topic, list);
    }
    try {
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    } catch (e) {
      const refusal = refusalOf(e);
      if (refusal) throw new PublishRefused(refusal, { cause: e });
      throw e;
    }
  }

  async disconnect(): Promise<void> {
    if (this.connected) {
      this.connected = false;
      await this.producer.disconnect();
    }
  }
}
