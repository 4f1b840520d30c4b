import kafkajs from 'kafkajs';

// kafkajs is CommonJS: its error classes hang off the default export.
const { KafkaJSError } = kafkajs;

/**
 * kafkajs marks every error it throws with `retriable` (leader moving, broker unreachable, request timeout …);
 * errors that wrap a cause after exhausting retries are non-retriable themselves but carry a retriable cause.
 */
export function isTransientKafkaError(e: unknown): boolean {
  if (!(e instanceof KafkaJSError)) return false;
  if (e.retriable) return true;
  const cause = (e as { cause?: unknown }).cause;
  return cause !== undefined && isTransientKafkaError(cause);
}
