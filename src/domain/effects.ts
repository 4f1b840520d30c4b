/**
 * What a flow decides, as plain data (docs/adr/0002-effects-as-data.md). Flows are functions from a decoded event
 * (+ read ports) to a Decision; the runtime applies all effects of one event in ONE PostgreSQL transaction together
 * with the inbox row, and outbox rows are published afterwards by the relay. Nothing here is a callback: every
 * effect can be serialised, compared in a test and logged by kind.
 */

/** The topics a flow may write to, by role; the runtime maps each to a configured (prefixed) topic name. */
export type OutputTopic =
  | 'registrationDecided'
  | 'defenceCodeMappingDecided'
  | 'vssidCodeMappingDecided'
  | 'reviewCaseChanged';

export const OUTPUT_TOPICS: readonly OutputTopic[] = [
  'registrationDecided',
  'defenceCodeMappingDecided',
  'vssidCodeMappingDecided',
  'reviewCaseChanged',
];

/** The topics the flows read from, by role. */
export type InputTopic = 'childRegistrationSubmitted' | 'adultRegistrationSubmitted' | 'codeLookupFailed';

export type Effect =
  | EmitEffect
  | ChangeCodeEffect
  | OpenReviewEffect
  | ResolveReviewEffect
  | ReopenReviewEffect
  | ArchiveEffect;

/** A record for an output topic, written to the outbox. `messageId` is deterministic. */
export interface EmitEffect {
  kind: 'emit';
  /** An output topic by role, or `{ raw }` for a topic named at run time (dead-letter topics). */
  topic: OutputTopic | { raw: string };
  key: string;
  /** Must equal the record's `eventId`. */
  messageId: string;
  record: { eventId: string };
}

/**
 * The guarded BHXH code change in HGD plus its audit row: applied only if the member still holds
 * `expectedOldCode` and no other member holds `newCode`. Otherwise the store reports a conflict and applies
 * nothing of the event (see `Conflict`).
 */
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
}

export type ReviewKind = 'DEFENCE_CODE_MAPPING' | 'CHILD_REGISTRATION' | 'ADULT_REGISTRATION';

export interface ReviewCandidate {
  memberId: string;
  householdCode: string | null;
  score: number;
  evidence?: unknown;
}

export interface OpenReviewEffect {
  kind: 'openReview';
  caseId: string;
  reviewKind: ReviewKind;
  sourceEventId: string;
  subjectId: string;
  reasonCodes: string[];
  request: unknown;
  candidates: ReviewCandidate[];
  evidence: unknown;
}

/** Closes an open case; a case that is no longer open is a conflict (resolved at most once). */
export interface ResolveReviewEffect {
  kind: 'resolveReview';
  caseId: string;
  resolvedBy: string;
  resolution: string;
  memberId: string | null;
  note: string | null;
}

/**
 * Opens a resolved case again (a supervisor's decision, with a reason): the resolution fields are cleared so the case
 * can be resolved anew. What the first resolution changed stays (it is audited); a case that is not resolved is a
 * conflict.
 */
export interface ReopenReviewEffect {
  kind: 'reopenReview';
  caseId: string;
  reopenedBy: string;
  reason: string;
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

/**
 * What the store found while applying effects that the flow's reads could not see (a concurrent writer).
 * When a store reports one, it has applied nothing. The rule (docs/adr/0003-conflicts.md): the processor asks the
 * flow again with fresh reads and the conflict, and a flow told of a conflict never changes a code automatically.
 */
export type Conflict =
  /** The member no longer holds the code the decision was based on. */
  | { kind: 'guard_failed'; memberId: string }
  /** Another member already holds the new code (unique BHXH codes). */
  | { kind: 'code_in_use'; memberId: string; code: string }
  /** The review case was resolved by someone else in the meantime. */
  | { kind: 'case_not_open'; caseId: string }
  /** The case to reopen is not resolved (any more). */
  | { kind: 'case_not_resolved'; caseId: string };
