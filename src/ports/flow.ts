import type { Conflict, Decision } from '../domain/effects.js';
import type { InboundMessage } from './inbound.js';

/** What a flow is told besides the event: the message it came in, and a conflict met by an earlier attempt. */
export interface DecideContext {
  message: InboundMessage;
  conflict?: Conflict | undefined;
}

/** A flow as the processor runs it: one per input topic, wired at the composition root. */
export interface FlowHandler<E = unknown> {
  /** Flow name for metrics and logs. */
  name: string;
  decide(event: E, ctx: DecideContext): Promise<Decision>;
}
