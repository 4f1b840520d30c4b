/** An outbox row as the relay sees it: encoded bytes ready for the broker. */
export interface OutboxRecord {
  id: number;
  topic: string;
  key: Buffer | null;
  value: Buffer;
  headers: Record<string, string>;
}

/** The unsent rows of the outbox, read and marked without holding a transaction across the broker call. */
export interface OutboxReader {
  /** Oldest unsent rows first (publication order = commit order). */
  unsent(limit: number): Promise<OutboxRecord[]>;
  markSent(ids: number[]): Promise<void>;
  /**
   * Makes this relay the only publisher (per-key order across instances); false while another holds it.
   * Released by `release` or when the holder's connection ends.
   */
  acquirePublisherLock(): Promise<boolean>;
  releasePublisherLock(): Promise<void>;
}

/** The broker, as the relay needs it: an acknowledged batch publish (all-or-error). */
export interface Publisher {
  publish(records: OutboxRecord[]): Promise<void>;
}
