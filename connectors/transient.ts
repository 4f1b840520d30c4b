import { isTransientDbError } from './db/errors.js';
import { isTransientKafkaError } from './kafka/errors.js';

/**
 * Infrastructure failures that must be retried forever (never dead-lettered), decided by type: our TransientError
 * (registry, documents), kafkajs errors marked retriable, PostgreSQL SQLSTATE classes of an outage, knex pool
 * timeouts, and Node's system errors on sockets (a `syscall` and an errno code such as ECONNREFUSED).
 */
export function isTransientInfraError(e: unknown): boolean {
  if (e instanceof AggregateError) return e.errors.length > 0 && e.errors.every(isTransientInfraError);
  if ((e as { retriable?: unknown } | null)?.retriable === true) return true;
  if (isTransientDbError(e) || isTransientKafkaError(e)) return true;
  const sys = e as { syscall?: unknown; code?: unknown } | null;
  return typeof sys?.syscall === 'string' && typeof sys.code === 'string';
}
