import { TransientError } from '../../src/domain/errors.js';

const NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

/**
 * Infrastructure failures that must be retried forever (never dead-lettered): PostgreSQL unreachable or
 * restarting (SQLSTATE classes 08 connection, 57 operator intervention, 53 resources, 40 serialization or
 * deadlock), knex pool timeouts, broker and registry trouble.
 */
export function isTransientInfraError(e: unknown): boolean {
  if (e instanceof TransientError) return true;
  const err = e as { code?: unknown; name?: unknown; message?: unknown };
  const code = typeof err.code === 'string' ? err.code : '';
  if (NET_CODES.has(code)) return true;
  if (/^(08|57|53|40)/.test(code) && code.length === 5) return true;
  const name = typeof err.name === 'string' ? err.name : '';
  // kafkajs errors (broker unreachable, leader moving, request timeouts) are infrastructure trouble.
  if (name === 'KnexTimeoutError' || name.startsWith('KafkaJS')) return true;
  const message = typeof err.message === 'string' ? err.message : '';
  return /Connection terminated|connect ECONNREFUSED|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
    message,
  );
}
