import type { Knex } from 'knex';
import type { Effect } from '../../src/domain/effects.js';
import type { CommitResult, EffectStore, EventStore } from '../../src/ports/event-store.js';
import type { InboundMessage } from '../../src/ports/inbound.js';
import { applyEffects, ConflictSignal, type ApplyContext } from './apply-effects.js';
import { claimInbox, isProcessed } from './inbox.js';

/** The EventStore port over PostgreSQL: inbox row, effects and outbox rows in one transaction. */
export class PgEventStore implements EventStore {
  constructor(
    private readonly knex: Knex,
    private readonly opts: Omit<ApplyContext, 'traceparent'> & { groupId: string; onCommitted?: () => void },
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
  }): Promise<CommitResult> {
    try {
      const result = await this.knex.transaction(async (tx): Promise<CommitResult> => {
        const claimed = await claimInbox(tx, {
          group: this.opts.groupId,
          eventId: input.eventId,
          topic: input.message.topic,
          partition: input.message.partition,
          offset: input.message.offset,
          outcome: input.outcome,
        });
        if (!claimed) return { status: 'duplicate', outcome: 'duplicate' };
        await applyEffects(tx, input.effects, { ...this.opts, traceparent: input.traceparent });
        return { status: 'committed', outcome: input.outcome };
      });
      if (result.status === 'committed') this.opts.onCommitted?.();
      return result;
    } catch (e) {
      if (e instanceof ConflictSignal) return { status: 'conflict', conflict: e.conflict };
      throw e;
    }
  }
}

/** The EffectStore port over PostgreSQL: an operator's resolution applied in one transaction. */
export class PgEffectStore implements EffectStore {
  constructor(
    private readonly knex: Knex,
    private readonly opts: Omit<ApplyContext, 'traceparent'> & { onCommitted?: () => void },
  ) {}

  async apply(
    effects: Effect[],
  ): Promise<{ status: 'applied' } | { status: 'conflict'; conflict: ConflictSignal['conflict'] }> {
    try {
      await this.knex.transaction((tx) => applyEffects(tx, effects, this.opts));
    } catch (e) {
      if (e instanceof ConflictSignal) return { status: 'conflict', conflict: e.conflict };
      throw e;
    }
    this.opts.onCommitted?.();
    return { status: 'applied' };
  }
}
