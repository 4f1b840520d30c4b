import type { Knex } from 'knex';
import type { Effect } from '../../src/domain/effects.js';
import {
  BatchItemError,
  type BatchCommitResult,
  type CommitInput,
  type CommitResult,
  type EffectStore,
  type EventStore,
} from '../../src/ports/event-store.js';
import {
  applyEffects,
  applyEffectsBatch,
  ConflictSignal,
  EffectError,
  type ApplyContext,
} from './apply-effects.js';
import { claimInbox, claimInboxMany, isProcessed, processedAmong } from './inbox.js';

/** The EventStore port over PostgreSQL: inbox row, effects and outbox rows in one transaction. */
export class PgEventStore implements EventStore {
  constructor(
    private readonly knex: Knex,
    private readonly opts: Omit<ApplyContext, 'traceparent'> & { groupId: string; onCommitted?: () => void },
  ) {}

  isProcessed(eventId: string): Promise<boolean> {
    return isProcessed(this.knex, this.opts.groupId, eventId);
  }

  processedAmong(eventIds: string[]): Promise<Set<string>> {
    return processedAmong(this.knex, this.opts.groupId, eventIds);
  }

  /**
   * A micro-batch in one transaction: the inbox rows in one statement, then each claimed event's guarded changes in
   * order, then the gathered inserts (outbox rows in event order). One commit, one fsync.
   */
  async commitBatch(inputs: CommitInput[]): Promise<BatchCommitResult> {
    try {
      const results = await this.knex.transaction(async (tx) => {
        const claimed = await claimInboxMany(
          tx,
          this.opts.groupId,
          inputs.map((i) => ({
            eventId: i.eventId,
            topic: i.message.topic,
            partition: i.message.partition,
            offset: i.message.offset,
            outcome: i.outcome,
          })),
        );
        const results: ('committed' | 'duplicate')[] = [];
        const items: { effects: Effect[]; traceparent?: string | undefined }[] = [];
        const indexOf: number[] = [];
        inputs.forEach((input, i) => {
          // The first row of an id claims it; a repeat in the same batch is a duplicate.
          if (claimed.delete(input.eventId)) {
            results.push('committed');
            items.push({ effects: input.effects, traceparent: input.traceparent });
            indexOf.push(i);
          } else results.push('duplicate');
        });
        try {
          await applyEffectsBatch(tx, items, this.opts);
        } catch (e) {
          if (e instanceof ConflictSignal) throw new ConflictSignal(e.conflict, indexOf[e.index]!);
          if (e instanceof EffectError) throw new BatchItemError(indexOf[e.index]!, e.cause);
          throw e;
        }
        return results;
      });
      if (results.includes('committed')) this.opts.onCommitted?.();
      return { status: 'committed', results };
    } catch (e) {
      if (e instanceof ConflictSignal) return { status: 'conflict', index: e.index, conflict: e.conflict };
      throw e;
    }
  }

  async commit(input: CommitInput): Promise<CommitResult> {
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
