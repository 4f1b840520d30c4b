import type { Knex } from 'knex';
import pg from 'pg';
import type { OutboxReader, OutboxRecord } from '../../src/ports/outbox.js';

/** Row type of bridge.outbox. */
export interface OutboxRow {
  id: number;
  message_id: string;
  topic: string;
  key: Buffer | null;
  value: Buffer;
  headers: Record<string, string>;
  created_at: Date;
  sent_at: Date | null;
}

export interface OutboxInsert {
  messageId: string;
  topic: string;
  key: string | Buffer | null;
  value: Buffer;
  headers?: Record<string, string>;
}

/** Outbox rows in one statement; ids follow the given order (the relay publishes in id order). */
export async function insertOutbox(tx: Knex.Transaction, rows: OutboxInsert[]): Promise<void> {
  if (rows.length === 0) return;
  await tx('bridge.outbox')
    .insert(
      rows.map((row) => ({
        message_id: row.messageId,
        topic: row.topic,
        key: row.key === null ? null : Buffer.isBuffer(row.key) ? row.key : Buffer.from(row.key, 'utf8'),
        value: row.value,
        headers: JSON.stringify(row.headers ?? {}),
      })),
    )
    .onConflict('message_id')
    .ignore();
}

export async function outboxBacklog(db: Knex): Promise<{ unsent: number; oldestAgeSeconds: number }> {
  const row = (await db('bridge.outbox')
    .whereNull('sent_at')
    .first(
      db.raw('count(*)::int as unsent'),
      db.raw('coalesce(extract(epoch from now() - min(created_at)), 0)::float as age'),
    )) as { unsent: number; age: number } | undefined;
  return { unsent: row?.unsent ?? 0, oldestAgeSeconds: row?.age ?? 0 };
}

/** Arbitrary but fixed key of the session advisory lock that makes one relay the publisher. */
const PUBLISHER_LOCK_KEY = 0x7653_6f78; // "vSox"

/**
 * The outbox as the relay reads it. Reads and marks are single statements (no transaction is held while the
 * broker is called). Publication order across instances is kept by a session-level advisory lock held on a
 * dedicated connection: one relay publishes at a time; when its process dies the connection closes and another
 * relay takes over.
 */
export class PgOutboxReader implements OutboxReader {
  private lockClient: pg.Client | null = null;

  constructor(
    private readonly knex: Knex,
    private readonly lockConnection: { connectionString: string; ssl?: pg.ClientConfig['ssl'] },
  ) {}

  async unsent(limit: number): Promise<OutboxRecord[]> {
    const rows = await this.knex<OutboxRow>('bridge.outbox')
      .whereNull('sent_at')
      .orderBy('id')
      .limit(limit)
      .select('id', 'topic', 'key', 'value', 'headers');
    return rows.map((r) => ({ id: r.id, topic: r.topic, key: r.key, value: r.value, headers: r.headers }));
  }

  async markSent(ids: number[]): Promise<void> {
    if (ids.length > 0)
      await this.knex('bridge.outbox').whereIn('id', ids).update({ sent_at: this.knex.fn.now() });
  }

  async acquirePublisherLock(): Promise<boolean> {
    if (this.lockClient) return true;
    const client = new pg.Client({ ...this.lockConnection, connectionTimeoutMillis: 5000 });
    // A lost connection loses the lock: forget it so the next call takes it again (or learns another has it).
    client.on('error', () => void this.forgetLock(client));
    client.on('end', () => void this.forgetLock(client));
    await client.connect();
    try {
      const res = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [
        PUBLISHER_LOCK_KEY,
      ]);
      if (res.rows[0]?.locked) {
        this.lockClient = client;
        return true;
      }
    } catch (e) {
      await client.end().catch(() => undefined);
      throw e;
    }
    await client.end().catch(() => undefined);
    return false;
  }

  async releasePublisherLock(): Promise<void> {
    const client = this.lockClient;
    this.lockClient = null;
    if (client) await client.end().catch(() => undefined);
  }

  private forgetLock(client: pg.Client): void {
    if (this.lockClient === client) this.lockClient = null;
  }
}
