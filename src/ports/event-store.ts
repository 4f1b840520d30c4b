import type { Conflict, Effect } from '../domain/effects.js';
import type { InboundMessage } from './inbound.js';

export type CommitResult =
  | { status: 'committed'; outcome: string }
  | { status: 'duplicate'; outcome: 'duplicate' }
  /** Nothing was written (not even the inbox row): decide again with fresh reads. */
  | { status: 'conflict'; conflict: Conflict };

/** One event's part of a commit: its inbox row (event id, source message, outcome) and its effects. */
export interface CommitInput {
  eventId: string;
  message: InboundMessage;
  outcome: string;
  effects: Effect[];
  traceparent?: string | undefined;
}

export type BatchCommitResult =
  /** Every event's inbox row and effects committed in one transaction; per event, in order. */
  | { status: 'committed'; results: ('committed' | 'duplicate')[] }
  /** Nothing was written: the event at `index` met a conflict (the ones before it did not). */
  | { status: 'conflict'; index: number; conflict: Conflict };

/** Thrown by `commitBatch` when one event's effects fail (nothing was written): the batch retries without it. */
export class BatchItemError extends Error {
  constructor(
    readonly index: number,
    override readonly cause: unknown,
  ) {
    super(`event ${index} of the batch failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'BatchItemError';
  }
}

/** The transactional store of the consumer: inbox row + effects + outbox rows in one transaction. */
export interface EventStore {
  isProcessed(eventId: string): Promise<boolean>;
  /** The event ids among these that the group already processed. */
  processedAmong(eventIds: string[]): Promise<Set<string>>;
  commit(input: CommitInput): Promise<CommitResult>;
  /**
   * The events of a micro-batch in ONE transaction, in order (outbox rows keep that order). All or nothing: a
   * conflict is reported with the index of the event that met it; an error in one event's effects is thrown as a
   * BatchItemError naming it; any other error (the database) is thrown as is.
   */
  commitBatch(inputs: CommitInput[]): Promise<BatchCommitResult>;
}

/** Applies effects that do not come from a consumed event (an operator's resolution) in one transaction. */
export interface EffectStore {
  apply(effects: Effect[]): Promise<{ status: 'applied' } | { status: 'conflict'; conflict: Conflict }>;
}
