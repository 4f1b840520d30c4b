/** Broker timestamps of records, for the benchmarks that time a topic end to end. */
import type { Kafka } from 'kafkajs';
import { uniqueName } from '../../test/support/stack.js';

export type KeyOf = (value: Buffer | null, key: Buffer | null) => Promise<string | null>;

/**
 * Reads a topic from its beginning until `count` distinct keys were seen (or `timeoutMs` passed) and returns the
 * broker timestamp of each key's first record. The key is the record key unless `keyOf` says otherwise.
 */
export async function firstTimestamps(
  kafka: Kafka,
  topic: string,
  count: number,
  opts: { keyOf?: KeyOf; timeoutMs?: number; groupPrefix?: string } = {},
): Promise<Map<string, number>> {
  const keyOf: KeyOf = opts.keyOf ?? (async (_v, k) => k?.toString() ?? null);
  const out = new Map<string, number>();
  const c = kafka.consumer({ groupId: uniqueName(opts.groupPrefix ?? 'bench-read'), maxBytes: 50 << 20 });
  await c.connect();
  await c.subscribe({ topic, fromBeginning: true });
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  await c.run({
    eachMessage: async ({ message }) => {
      const k = await keyOf(message.value, message.key);
      if (k && !out.has(k)) out.set(k, Number(message.timestamp));
      if (out.size >= count) finish();
    },
  });
  const t = setTimeout(finish, opts.timeoutMs ?? 60_000);
  await done;
  clearTimeout(t);
  await c.disconnect();
  return out;
}
