import type { Admin } from 'kafkajs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Creates missing topics and waits until every partition has a leader, so first use never meets "no leader"
 * (docs/operations.md, "Local stack"). kafkajs' own wait gives up on UNKNOWN_TOPIC_OR_PARTITION while a fresh topic propagates, so we
 * poll the metadata ourselves. `configEntries` apply to the topics this call creates (existing ones are left as they are).
 */
export async function ensureTopics(
  admin: Admin,
  topics: string[],
  numPartitions = 3,
  timeoutMs = 30_000,
  configEntries: { name: string; value: string }[] = [],
): Promise<string[]> {
  const wanted = [...new Set(topics)];
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((t) => !existing.has(t));
  if (missing.length > 0) {
    try {
      await admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((topic) => ({ topic, numPartitions, replicationFactor: -1, configEntries })),
      });
    } catch (e) {
      // Another process may have created some of them meanwhile: the metadata check below decides.
      if ((e as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw e;
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics: wanted });
      if (
        meta.length === wanted.length &&
        meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))
      ) {
        return missing;
      }
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    if (Date.now() > deadline)
      throw new Error(`topics without a leader after ${timeoutMs} ms: ${wanted.join(', ')}`);
    await sleep(200);
  }
}
