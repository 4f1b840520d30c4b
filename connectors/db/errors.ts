import knex from 'knex';
import pg from 'pg';

// knex is CommonJS: its error classes hang off the default export.
const { KnexTimeoutError } = knex;

/**
 * SQLSTATE classes that mean "the database cannot serve us right now", not "this statement is wrong":
 * 08 connection exception, 40 transaction rollback (serialization failure, deadlock), 53 insufficient resources,
 * 57 operator intervention (admin shutdown, cannot connect now), 58 system error (I/O).
 */
const TRANSIENT_SQLSTATE_CLASSES = new Set(['08', '40', '53', '57', '58']);

/**
 * The pg driver reports a connection lost mid-query as a bare Error with no SQLSTATE and no system code; these are
 * its exact texts (pg/lib/client.js). They are the only errors here recognised by message, because the driver
 * gives them nothing else.
 */
const PG_CONNECTION_LOST = new Set([
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
]);

/** True when a database failure should be retried (an outage), false for anything else. */
export function isTransientDbError(e: unknown): boolean {
  if (e instanceof pg.DatabaseError) return TRANSIENT_SQLSTATE_CLASSES.has((e.code ?? '').slice(0, 2));
  if (e instanceof KnexTimeoutError) return true; // no pooled connection could be had in time
  return e instanceof Error && e.constructor === Error && PG_CONNECTION_LOST.has(e.message);
}
