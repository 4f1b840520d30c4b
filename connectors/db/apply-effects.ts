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
  constructor(readonly conflict: Conflict) {
    super(`conflict: ${conflict.kind}`);
    this.name = 'ConflictSignal';
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
  // Consecutive emits go to the outbox in one statement (a match emits two CodeMappings).
  let emits: OutboxInsert[] = [];
  const flushEmits = async () => {
    await insertOutbox(tx, emits);
    emits = [];
  };
  for (const effect of effects) {
    if (effect.kind !== 'emit') await flushEmits();
    switch (effect.kind) {
      case 'emit': {
        const topic = typeof effect.topic === 'string' ? ctx.topics[effect.topic] : effect.topic.raw;
        const value = await ctx.encode(topic, effect.record);
        const headers: Record<string, string> = { 'message-id': effect.messageId };
        if (ctx.traceparent) headers.traceparent = ctx.traceparent;
        emits.push({ messageId: effect.messageId, topic, key: effect.key, value, headers });
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
        await tx('bridge.code_changes').insert({
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
        await tx('bridge.review_cases')
          .insert({
            case_id: effect.caseId,
            kind: effect.reviewKind,
            event_id: effect.sourceEventId,
            subject_id: effect.subjectId,
            status: 'open',
            reason_codes: effect.reasonCodes,
            request: JSON.stringify(effect.request),
            candidates: JSON.stringify(effect.candidates),
            evidence: JSON.stringify(effect.evidence ?? {}),
          })
          .onConflict('case_id')
          .ignore();
        break;
      }
      case 'resolveReview': {
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
        await tx('bridge.archive_records')
          .insert({
            registration_id: effect.registrationId,
            kind: effect.documentKind,
            sha256: effect.sha256,
            size: effect.sizeBytes,
            uri: effect.uri,
            media_type: effect.mediaType,
            retention_until: effect.retentionUntil,
          })
          .onConflict(['registration_id', 'kind'])
          .ignore();
        break;
      }
    }
  }
  await flushEmits();
}
