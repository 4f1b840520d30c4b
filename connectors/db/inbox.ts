import type { Knex } from 'knex';

/** The processed-event log of each consumer group: one row per event, written with the event's effects. */
export async function isProcessed(
  db: Knex | Knex.Transaction,
  group: string,
  eventId: string,
): Promise<boolean> {
  const row = await db('bridge.inbox').where({ consumer_group: group, event_id: eventId }).first('event_id');
  return row !== undefined;
}

/** Claims the event in the inbox; false when another delivery already processed it (→ no-op). */
export async function claimInbox(
  tx: Knex.Transaction,
  row: { group: string; eventId: string; topic: string; partition: number; offset: string; outcome: string },
): Promise<boolean> {
  return (await claimInboxMany(tx, row.group, [row])).size === 1;
}

/** The event ids among these that the group already processed (one statement). */
export async function processedAmong(
  db: Knex | Knex.Transaction,
  group: string,
  eventIds: string[],
): Promise<Set<string>> {
  if (eventIds.length === 0) return new Set();
  const rows = (await db('bridge.inbox')
    .where({ consumer_group: group })
    .whereIn('event_id', eventIds)
    .select('event_id')) as { event_id: string }[];
  return new Set(rows.map((r) => r.event_id));
}

/**
 * Claims several events in one statement; returns the ids claimed now (an id already in the inbox, or twice in the
 * list, is claimed once: by the first row).
 */
export async function claimInboxMany(
  tx: Knex.Transaction,
  group: string,
  rows: { eventId: string; topic: string; partition: number; offset: string; outcome: string }[],
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const inserted = (await tx('bridge.inbox')
    .insert(
      rows.map((row) => ({
        consumer_group: group,
        event_id: row.eventId,
        topic: row.topic,
        partition: row.partition,
        offset: row.offset,
        outcome: row.outcome,
      })),
    )
    .onConflict(['consumer_group', 'event_id'])
    .ignore()
    .returning('event_id')) as { event_id: string }[];
  return new Set(inserted.map((r) => r.event_id));
}
