import type { Knex } from 'knex';
import type { TopicNames } from '../../src/runtime/config.js';
import type { CodeChangeConflict, Effect } from '../../src/runtime/effects.js';
import { changeBhxhCode } from '../hgd/repository.js';

/** Row types of schema `bridge` (one place). */
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

export interface ReviewCaseRow {
  case_id: string;
  kind: string;
  event_id: string;
  subject_id: string;
  status: 'open' | 'resolved';
  reason_codes: string[];
  request: unknown;
  candidates: { memberId: string; householdCode: string | null; score: number; evidence?: unknown }[];
  evidence: unknown;
  opened_at: Date;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolution: string | null;
  resolution_member_id: string | null;
  note: string | null;
}

export type Encoder = (topic: string, record: unknown) => Promise<Buffer>;

export async function isProcessed(
  db: Knex | Knex.Transaction,
  group: string,
  eventId: string,
): Promise<boolean> {
  const row = await db('bridge.inbox').where({ consumer_group: group, event_id: eventId }).first('event_id');
  return row !== undefined;
}

/** Claims the event in the inbox; false when another delivery already processed it (→ no-op). */
export async function claimInbox(
  tx: Knex.Transaction,
  row: { group: string; eventId: string; topic: string; partition: number; offset: string; outcome: string },
): Promise<boolean> {
  const inserted = await tx('bridge.inbox')
    .insert({
      consumer_group: row.group,
      event_id: row.eventId,
      topic: row.topic,
      partition: row.partition,
      offset: row.offset,
      outcome: row.outcome,
    })
    .onConflict(['consumer_group', 'event_id'])
    .ignore()
    .returning('event_id');
  return inserted.length === 1;
}

export async function setInboxOutcome(
  tx: Knex.Transaction,
  group: string,
  eventId: string,
  outcome: string,
): Promise<void> {
  await tx('bridge.inbox').where({ consumer_group: group, event_id: eventId }).update({ outcome });
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

export async function getReviewCase(
  db: Knex | Knex.Transaction,
  caseId: string,
  forUpdate = false,
): Promise<ReviewCaseRow | undefined> {
  const q = db<ReviewCaseRow>('bridge.review_cases').where({ case_id: caseId });
  return (forUpdate ? q.forUpdate() : q).first();
}

export async function listReviewCases(
  db: Knex,
  filter: { status?: 'open' | 'resolved' | 'all'; kind?: string; limit?: number },
): Promise<ReviewCaseRow[]> {
  const q = db<ReviewCaseRow>('bridge.review_cases')
    .orderBy('opened_at', 'asc')
    .limit(filter.limit ?? 100);
  if (filter.status && filter.status !== 'all') q.where({ status: filter.status });
  if (filter.kind) q.where({ kind: filter.kind });
  return q;
}

export interface ApplyContext {
  topics: TopicNames;
  encode: Encoder;
  /** W3C trace context of the source message, propagated on outputs. */
  traceparent?: string | undefined;
}

/** Applies a flow's effects inside the caller's transaction; returns the effects actually applied. */
export async function applyEffects(
  tx: Knex.Transaction,
  effects: Effect[],
  ctx: ApplyContext,
): Promise<Effect[]> {
  const applied: Effect[] = [];
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
        applied.push(effect);
        break;
      }
      case 'changeCode': {
        const earlier = (await tx('bridge.code_changes')
          .where({ member_id: effect.memberId })
          .whereNot({ new_code: effect.newCode })
          .first('id')) as { id: number } | undefined;
        let result: CodeChangeConflict | 'changed';
        if (earlier) {
          result = 'already_mapped';
        } else {
          // A savepoint: a unique-index race inside the change aborts only the change, not the event's transaction.
          await tx.raw('savepoint code_change');
          result = await changeBhxhCode(tx, effect.memberId, effect.expectedOldCode, effect.newCode);
          await tx.raw(
            result === 'changed' ? 'release savepoint code_change' : 'rollback to savepoint code_change',
          );
        }
        if (result === 'changed') {
          await tx('bridge.code_changes').insert({
            // The audit keeps member, old and new code, time, actor, case and event only (docs/retention.md).
            member_id: effect.memberId,
            old_code: effect.expectedOldCode,
            new_code: effect.newCode,
            event_id: effect.sourceEventId,
            case_id: effect.caseId,
            actor: effect.actor,
          });
          applied.push(effect, ...(await applyEffects(tx, effect.onChanged, ctx)));
        } else {
          applied.push(...(await applyEffects(tx, effect.onConflict(result), ctx)));
        }
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
        applied.push(effect);
        break;
      }
      case 'resolveReview': {
        await tx('bridge.review_cases').where({ case_id: effect.caseId }).update({
          status: 'resolved',
          resolved_at: tx.fn.now(),
          resolved_by: effect.resolvedBy,
          resolution: effect.resolution,
          resolution_member_id: effect.memberId,
          note: effect.note,
        });
        applied.push(effect);
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
        applied.push(effect);
        break;
      }
    }
  }
  await flushEmits();
  return applied;
}

/** Outbox rows not yet published, oldest first, locked so a second relay skips them. */
export async function lockUnsent(tx: Knex.Transaction, limit: number): Promise<OutboxRow[]> {
  return tx<OutboxRow>('bridge.outbox')
    .whereNull('sent_at')
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked();
}

export async function markSent(tx: Knex.Transaction, ids: number[]): Promise<void> {
  if (ids.length > 0) await tx('bridge.outbox').whereIn('id', ids).update({ sent_at: tx.fn.now() });
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
