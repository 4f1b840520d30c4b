import { EventEmitter } from 'node:events';

/**
 * Instrumentation as events: the runtime emits, metrics and logs subscribe.
 * Emitting with no listener costs nothing.
 */
export interface RuntimeEventMap {
  'message.processed': [{ topic: string; outcome: string; durationSeconds: number; flow: string }];
  'message.duplicate': [{ topic: string }];
  'message.dlq': [{ topic: string; errorCode: string }];
  'message.conflict': [{ topic: string; conflict: string }];
  /** A micro-batch committed in one transaction (`size` events, duplicates included). */
  'batch.committed': [{ topic: string; size: number }];
  'message.retry': [{ topic: string; partition: number; attempt: number; errorClass: string }];
  'match.scored': [{ flow: string; score: number; decision: string }];
  'consumer.joined': [{ groupId: string }];
  'consumer.rebalancing': [{ groupId: string }];
  'consumer.crashed': [{ groupId: string; error: string }];
  'outbox.published': [{ count: number }];
  'outbox.parked': [{ topic: string; reason: string }];
}

export class RuntimeEvents extends EventEmitter<RuntimeEventMap> {}
