import type { Knex } from 'knex';
import type { TopicNames } from '../../src/runtime/config.js';
import type { EventStore, InboundMessage } from '../../src/runtime/processor.js';
import type { Effect } from '../../src/runtime/effects.js';
import { applyEffects, claimInbox, isProcessed, setInboxOutcome, type Encoder } from './bridge-store.js';

/** The EventStore port over PostgreSQL: inbox row, effects and outbox rows in one transaction. */
export class PgEventStore implements EventStore {
  constructor(
    private readonly knex: Knex,
    private readonly opts: { groupId: string; topics: TopicNames; encode: Encoder; onCommitted?: () => void },
  ) {}

  isProcessed(eventId: string): Promise<boolean> {
    return isProcessed(this.knex, this.opts.groupId, eventId);
  }

  async commit(input: {
    eventId: string;
    message: InboundMessage;
    outcome: string;
    effects: Effect[];
    traceparent?: string | undefined;
  }): Promise<{ status: 'committed' | 'duplicate'; outcome: string }> {
    const result = await this.knex.transaction(async (tx) => {
      const claimed = await claimInbox(tx, {
        group: this.opts.groupId,
        eventId: input.eventId,
        topic: input.message.topic,
        partition: input.message.partition,
        offset: input.message.offset,
        outcome: input.outcome,
      });
      if (!claimed) return { status: 'duplicate' as const, outcome: 'duplicate' };
      const applied = await applyEffects(tx, input.effects, {
        topics: this.opts.topics,
        encode: this.opts.encode,
        traceparent: input.traceparent,
      });
      // A guarded change that fell back to review changes the outcome recorded for this event.
      const fellBack =
        input.effects.some((e) => e.kind === 'changeCode') && !applied.some((e) => e.kind === 'changeCode');
      if (fellBack) await setInboxOutcome(tx, this.opts.groupId, input.eventId, 'review');
      return { status: 'committed' as const, outcome: fellBack ? 'review' : input.outcome };
    });
    if (result.status === 'committed') this.opts.onCommitted?.();
    return result;
  }
}
