/** A Kafka record as the core sees it (no client library types). */
export interface InboundMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  /** Every header value in order (Kafka allows repeated keys). */
  headers: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

/** Wire format + schema resolution + validation: bytes in, a typed event out, or a PermanentError. */
export interface Decoder {
  decode<T>(topic: string, value: Buffer | null): Promise<T>;
}

export interface HandlerHooks {
  shouldStop: () => boolean;
  heartbeat: () => Promise<void>;
}

/** Handles one message durably (processed, duplicate or dead-lettered) or reports that it was told to stop. */
export interface MessageHandler {
  processWithRetry(
    msg: InboundMessage,
    hooks: HandlerHooks,
  ): Promise<{ status: string; outcome: string } | 'stopped'>;
  /**
   * Handles messages of one partition, in order, as few transactions as it can (a micro-batch). Returns how many
   * of them, from the first, are durably handled: all of them unless told to stop.
   */
  processBatch?(msgs: InboundMessage[], hooks: HandlerHooks): Promise<number>;
}
