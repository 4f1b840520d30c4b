import type { Admin } from 'kafkajs';

export interface PartitionLag {
  group: string;
  topic: string;
  partition: number;
  /** -1 when the group has committed nothing on this partition yet. */
  committed: number;
  logEnd: number;
  logStart: number;
  lag: number;
  /** When the group last committed here (from the commit metadata our consumer writes), else null. */
  lastCommitAt: number | null;
}

/**
 * The commit time our consumer writes as the offset metadata (epoch ms), or null for anything else. The confluent
 * client (KAFKA_CLIENT=confluent) commits the metadata with a trailing NUL byte.
 */
export function commitTime(metadata: string | null | undefined): number | null {
  const text = metadata?.replace(/\0+$/, '');
  if (!text) return null;
  const ms = Number(text);
  return Number.isFinite(ms) && ms > 1e12 ? ms : null;
}

/**
 * Lag = log-end offset − committed offset (docs/operations.md, "Local stack"). With nothing committed, the group starts from the
 * earliest retained offset (`fromBeginning`), so the lag is log-end − log-start.
 */
export async function fetchLag(admin: Admin, group: string, topics?: string[]): Promise<PartitionLag[]> {
  let topicList = topics;
  if (!topicList || topicList.length === 0) {
    const all = await admin.fetchOffsets({ groupId: group });
    topicList = all.map((t) => t.topic);
  }
  if (topicList.length === 0) return [];
  const committed = await admin.fetchOffsets({ groupId: group, topics: topicList });
  const out: PartitionLag[] = [];
  for (const t of committed) {
    const ends = await admin.fetchTopicOffsets(t.topic);
    for (const p of t.partitions) {
      const end = ends.find((e) => e.partition === p.partition);
      const logEnd = Number(end?.high ?? 0);
      const logStart = Number(end?.low ?? 0);
      const c = Number(p.offset);
      const lag = c < 0 ? logEnd - logStart : Math.max(0, logEnd - c);
      const lastCommitAt = commitTime(p.metadata);
      out.push({
        group,
        topic: t.topic,
        partition: p.partition,
        committed: c,
        logEnd,
        logStart,
        lag,
        lastCommitAt,
      });
    }
  }
  return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}
