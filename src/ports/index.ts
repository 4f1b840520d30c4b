/**
 * The ports: every interface the core (flows, processor, review) needs from the outside world, each defined once.
 * Connectors implement them; the composition root (src/runtime/app.ts) wires them.
 */
export type { Clock } from './clock.js';
export type { DocumentInspection, DocumentStore } from './documents.js';
export type { BatchCommitResult, CommitInput, CommitResult, EffectStore, EventStore } from './event-store.js';
export { BatchItemError } from './event-store.js';
export type { CodeChangeLog, FindPerson, HgdReads, MatchMany } from './hgd.js';
export type { Decoder, HandlerHooks, InboundMessage, MessageHandler } from './inbound.js';
export type { DecideContext, FlowHandler } from './flow.js';
export type { OutboxReader, OutboxRecord, Publisher } from './outbox.js';
export { PublishRefused } from './outbox.js';
export type { ReviewCase, ReviewCaseFilter, ReviewCaseReads } from './review-cases.js';
export type { CandidateSource } from '../matching/types.js';
