import type { Admin } from 'kafkajs';

/** Creates missing topics (waiting for leaders) so first use never meets "no leader" (STACK.md). */
export async function ensureTopics(admin: Admin, topics: string[], numPartitions = 3): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = [...new Set(topics)].filter((t) => !existing.has(t));
  if (missing.length === 0) return [];
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((topic) => ({ topic, numPartitions, replicationFactor: -1 })),
  });
  return missing;
}
