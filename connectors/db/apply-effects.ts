import type { Knex } from 'knex';
import type { Conflict, Effect, OutputTopic } from '../../src/domain/effects.js';
import { changeBhxhCode } from '../hgd/repository.js';
import { insertOutbox, type OutboxInsert } from './outbox.js';

export type Encoder = (topic: string, record: unknown) => Promise<Buffer>;

export interface ApplyContext {
  /** The configured (prefixed) topic of each output role. */
  topics: Record<OutputTopic, string>;
  encode: Encoder;
  /** W3C trace context of the source message, propagated on outputs. */
  traceparent?: string | undefined;
}

/** Thrown inside a transaction to roll all of it back and report the conflict to the caller. */
export class ConflictSignal extends Error {
  constructor(
    readonly conflict: Conflict,
    /** In a batch: the index of the event that met the conflict. */
    readonly index = 0,
  ) {
    super(`conflict: ${conflict.kind}`);
    this.name = 'ConflictSignal';
  }
}

/** Thrown inside a batch's transaction when one event's effects fail for another reason than a conflict. */
export class EffectError extends Error {
  constructor(
    readonly index: number,
    override readonly cause: unknown,
  ) {
    super(`effects of event ${index} failed`, { cause });
    this.name = 'EffectError';
  }
}

/** Inserts gathered from the effects of one or more events, written together (one statement per table). */
class Writes {
  outbox: OutboxInsert[] = [];
  audits: Record<string, unknown>[] = [];
  reviews: Record<string, unknown>[] = [];
  archives: Record<string, unknown>[] = [];

  async flush(tx: Knex.Transaction): Promise<void> {
    if (this.audits.length > 0) await tx('bridge.code_changes').insert(this.audits);
    if (this.reviews.length > 0)
      await tx('bridge.review_cases').insert(this.reviews).onConflict('case_id').ignore();
    if (this.archives.length > 0)
      await tx('bridge.archive_records')
        .insert(this.archives)
        .onConflict(['registration_id', 'kind'])
        .ignore();
    await insertOutbox(tx, this.outbox);
    this.outbox = [];
    this.audits = [];
    this.reviews = [];
    this.archives = [];
  }
}

/**
 * Applies a flow's effects inside the caller's transaction, in order. Persistence only: every business rule was
 * applied by the flow. A guarded change that finds the member changed or the code taken, or a resolution of a case
 * that is no longer open, throws ConflictSignal, which rolls the whole transaction back.
 */
export async function applyEffects(
  tx: Knex.Transaction,
  effects: Effect[],
  ctx: ApplyContext,
): Promise<void> {
  const writes = new Writes();
  await applyOne(tx, effects, ctx, writes);
  await writes.flush(tx);
}

/**
 * The effects of several events (a micro-batch) inside the caller's transaction, event after event. The guarded
 * statements run in order; plain inserts (audit, review cases, archive records, outbox rows in event order) are
 * gathered and written with one statement per table at the end. A conflict throws ConflictSignal with the index of
 * the event that met it; any other failure of one event's effects throws EffectError with its index.
 */
export async function applyEffectsBatch(
  tx: Knex.Transaction,
  items: { effects: Effect[]; traceparent?: string | undefined }[],
  ctx: Omit<ApplyContext, 'traceparent'>,
): Promise<void> {
  const writes = new Writes();
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    try {
      await applyOne(tx, item.effects, { ...ctx, traceparent: item.traceparent }, writes);
    } catch (e) {
      if (e instanceof ConflictSignal) throw new ConflictSignal(e.conflict, i);
      throw new EffectError(i, e);
    }
  }
  await writes.flush(tx);
}

async function applyOne(
  tx: Knex.Transaction,
  effects: Effect[],
  ctx: ApplyContext,
  writes: Writes,
): Promise<void> {
  for (const effect of effects) {
    switch (effect.kind) {
      case 'emit': {
        const topic = typeof effect.topic === 'string' ? ctx.topics[effect.topic] : effect.topic.raw;
        const value = await ctx.encode(topic, effect.record);
        const headers: Record<string, string> = { 'message-id': effect.messageId };
        if (ctx.traceparent) headers.traceparent = ctx.traceparent;
        writes.outbox.push({ messageId: effect.messageId, topic, key: effect.key, value, headers });
        break;
      }
      case 'changeCode': {
        const result = await changeBhxhCode(tx, effect.memberId, effect.expectedOldCode, effect.newCode);
        if (result === 'guard_failed')
          throw new ConflictSignal({ kind: 'guard_failed', memberId: effect.memberId });
        if (result === 'code_in_use') {
          throw new ConflictSignal({ kind: 'code_in_use', memberId: effect.memberId, code: effect.newCode });
        }
        // The audit keeps member, old and new code, time, actor, case and event only (docs/retention.md).
        writes.audits.push({
          member_id: effect.memberId,
          old_code: effect.expectedOldCode,
          new_code: effect.newCode,
          event_id: effect.sourceEventId,
          case_id: effect.caseId,
          actor: effect.actor,
        });
        break;
      }
      case 'openReview': {
        writes.reviews.push({
          case_id: effect.caseId,
          kind: effect.reviewKind,
          event_id: effect.sourceEventId,
          subject_id: effect.subjectId,
          status: 'open',
          reason_codes: effect.reasonCodes,
          request: JSON.stringify(effect.request),
          candidates: JSON.stringify(effect.candidates),
          evidence: JSON.stringify(effect.evidence ?? {}),
        });
        break;
      }
      case 'resolveReview': {
        // The case may have been opened by an effect gathered above: write those first.
        await writes.flush(tx);
        const n = await tx('bridge.review_cases').where({ case_id: effect.caseId, status: 'open' }).update({
          status: 'resolved',
          resolved_at: tx.fn.now(),
          resolved_by: effect.resolvedBy,
          resolution: effect.resolution,
          resolution_member_id: effect.memberId,
          note: effect.note,
        });
        if (n !== 1) throw new ConflictSignal({ kind: 'case_not_open', caseId: effect.caseId });
        break;
      }
      case 'reopenReview': {
        await writes.flush(tx);
        const n = await tx('bridge.review_cases')
          .where({ case_id: effect.caseId, status: 'resolved' })
          .update({
            status: 'open',
            resolved_at: null,
            resolved_by: null,
            resolution: null,
            resolution_member_id: null,
            note: `reopened by ${effect.reopenedBy}: ${effect.reason}`,
          });
        if (n !== 1) throw new ConflictSignal({ kind: 'case_not_resolved', caseId: effect.caseId });
        break;
      }
      case 'archive': {
        writes.archives.push({
          registration_id: effect.registrationId,
          kind: effect.documentKind,
          sha256: effect.sha256,
          size: effect.sizeBytes,
          uri: effect.uri,
          media_type: effect.mediaType,
          retention_until: effect.retentionUntil,
        });
        break;
      }
    }
  }
}
