import type { Conflict, Effect } from '../domain/effects.js';
import type { InboundMessage } from './inbound.js';

export type CommitResult =
  | { status: 'committed'; outcome: string }
  | { status: 'duplicate'; outcome: 'duplicate' }
  /** Nothing was written (not even the inbox row): decide again with fresh reads. */
  | { status: 'conflict'; conflict: Conflict };

/** The transactional store of the consumer: inbox row + effects + outbox rows in one transaction per event. */
export interface EventStore {
  isProcessed(eventId: string): Promise<boolean>;
  commit(input: {
    eventId: string;
    message: InboundMessage;
    outcome: string;
    effects: Effect[];
    traceparent?: string | undefined;
  }): Promise<CommitResult>;
}

/** Applies effects that do not come from a consumed event (an operator's resolution) in one transaction. */
export interface EffectStore {
  apply(effects: Effect[]): Promise<{ status: 'applied' } | { status: 'conflict'; conflict: Conflict }>;
}
