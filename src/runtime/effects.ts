import type { TopicNames } from './config.js';

/**
 * What a flow decides, as data. Flows are pure functions from a decoded event (+ read ports) to effects;
 * the runtime applies all effects of one event in ONE PostgreSQL transaction together with the inbox row
 * (DESIGN.md "Reliability"), and outbox rows are published afterwards by the relay.
 */
export type Effect = EmitEffect | ChangeCodeEffect | OpenReviewEffect | ResolveReviewEffect | ArchiveEffect;

/** A record for an output topic, written to the outbox. `messageId` is deterministic. */
export interface EmitEffect {
  kind: 'emit';
  /** A configured output topic, or `{ raw }` for a topic named at run time (dead-letter topics). */
  topic: keyof TopicNames | { raw: string };
  key: string;
  /** Must equal the record's `eventId`. */
  messageId: string;
  record: { eventId: string };
}

export type CodeChangeConflict = 'guard_failed' | 'code_in_use' | 'already_mapped';

/** The guarded BHXH code change in HGD plus its audit row. */
export interface ChangeCodeEffect {
  kind: 'changeCode';
  memberId: string;
  householdCode: string | null;
  expectedOldCode: string | null;
  newCode: string;
  sourceEventId: string;
  caseId: string | null;
  actor: string;
  score: number | null;
  evidence: unknown;
  /** Applied only when the change went through. */
  onChanged: Effect[];
  /**
   * Applied instead when the guard failed, another member already holds the new code, or we already changed
   * this member's code to a different BQP code (one person, one lifelong code: a human must look).
   */
  onConflict: (reason: CodeChangeConflict) => Effect[];
}

export interface OpenReviewEffect {
  kind: 'openReview';
  caseId: string;
  reviewKind: 'DEFENCE_CODE_MAPPING' | 'CHILD_REGISTRATION' | 'ADULT_REGISTRATION';
  sourceEventId: string;
  subjectId: string;
  reasonCodes: string[];
  request: unknown;
  candidates: { memberId: string; householdCode: string | null; score: number; evidence?: unknown }[];
  evidence: unknown;
}

export interface ResolveReviewEffect {
  kind: 'resolveReview';
  caseId: string;
  resolvedBy: string;
  resolution: string;
  memberId: string | null;
  note: string | null;
}

export interface ArchiveEffect {
  kind: 'archive';
  registrationId: string;
  documentKind: 'FORM_01' | 'ID_COPY';
  sha256: string;
  sizeBytes: number;
  uri: string;
  mediaType: string;
  retentionUntil: string;
}

/** A flow's answer for one event: an outcome label (metrics, inbox) and its effects. */
export interface Decision {
  outcome: string;
  effects: Effect[];
}
