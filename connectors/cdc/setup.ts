import type { Admin } from 'kafkajs';
import type { Knex } from 'knex';
import { createDb } from '../db/knex.js';
import { ensureTopics } from '../kafka/topics.js';
import { connectorConfig, householdsTopic, membersTopic, type CdcConfig } from './config.js';
import { ConnectClient, isRunning } from './connect-client.js';

/**
 * Setting up and tearing down the HGD change feed: the publication and the replication role's grants on HGD's
 * side (run as HGD's table owner), the change topics, and the Debezium connector in Kafka Connect.
 */
const IDENT = /^[a-z_][a-z0-9_]*$/;
function ident(name: string, what: string): string {
  if (!IDENT.test(name)) throw new Error(`${what} must be a lower-case SQL identifier`);
  return name;
}

/**
 * The publication covers HGD's households and members tables only, and the replication role gets CONNECT, USAGE
 * on schema hgd and SELECT on those two tables (for the snapshot): with REPLICATION (given when the role is
 * created) that is all Debezium needs, since it does not create the publication itself.
 */
export async function setupSource(owner: Knex, c: CdcConfig): Promise<void> {
  const role = ident(c.database.user, 'CDC_DATABASE_USER');
  const pub = ident(c.publication, 'CDC_PUBLICATION');
  const r = (await owner.raw('select rolreplication from pg_roles where rolname = ?', [role])) as {
    rows: Array<{ rolreplication: boolean }>;
  };
  if (!r.rows[0])
    throw new Error(
      `replication role ${role} does not exist (a superuser creates it: create role ${role} login replication password '…')`,
    );
  if (!r.rows[0].rolreplication) throw new Error(`role ${role} lacks the REPLICATION attribute`);
  const db = (await owner.raw('select current_database() as name')) as { rows: Array<{ name: string }> };
  const dbName = db.rows[0]!.name;
  await owner.raw(
    `do $$ begin
       if not exists (select from pg_publication where pubname = '${pub}') then
         create publication ${pub} for table hgd.households, hgd.members with (publish = 'insert, update, delete');
       end if;
     end $$`,
  );
  await owner.raw(`grant connect on database "${dbName.replace(/"/g, '""')}" to ${role}`);
  await owner.raw(`grant usage on schema hgd to ${role}`);
  await owner.raw(`grant select on hgd.households, hgd.members to ${role}`);
}

/** The change topics, one partition each: the follower's snapshot bookkeeping reads them in order. */
export async function createChangeTopics(admin: Admin, c: CdcConfig): Promise<void> {
  // A loaded broker takes a moment before the new topics have leaders: wait up to a minute.
  await ensureTopics(admin, [membersTopic(c), householdsTopic(c)], 1, 60_000);
}

export async function applyConnector(client: ConnectClient, c: CdcConfig): Promise<void> {
  const plugins = await client.plugins();
  if (!plugins.includes('io.debezium.connector.postgresql.PostgresConnector'))
    throw new Error('Kafka Connect has no Debezium PostgreSQL connector plugin (see docs/cdc.md)');
  // A worker that has just started (or is rebalancing) answers 409 or slowly for a while: retry for a minute.
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await client.putConfig(c.connectorName, connectorConfig(c));
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

export async function waitRunning(client: ConnectClient, c: CdcConfig, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await client.status(c.connectorName).catch(() => null);
    if (s && isRunning(s)) return;
    if (Date.now() > deadline)
      throw new Error(
        `connector ${c.connectorName} not RUNNING after ${timeoutMs} ms (${s?.state ?? 'no answer'})`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

function replicationUrl(c: CdcConfig): string {
  const u = new URL('postgres://x@localhost/');
  u.hostname = c.database.host;
  u.port = c.database.port;
  u.pathname = `/${c.database.name}`;
  u.username = c.database.user;
  u.password = c.database.password;
  return u.toString();
}

/**
 * Drops the connector's replication slot, retrying while the stopping task still holds it. `force`: end the
 * session holding it after the timeout's first half (a task Connect could not stop, e.g. one still waiting to
 * create the slot behind a long transaction elsewhere on the server).
 */
export async function dropSlot(c: CdcConfig, timeoutMs = 30_000, force = false): Promise<boolean> {
  const db = createDb(replicationUrl(c), { poolMax: 1 });
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = (await db.raw(
        'select active from pg_replication_slots where slot_name = ? and database = current_database()',
        [c.slotName],
      )) as { rows: Array<{ active: boolean }> };
      if (!res.rows[0]) return false;
      if (!res.rows[0].active) {
        try {
          await db.raw('select pg_drop_replication_slot(?)', [c.slotName]);
          return true;
        } catch (e) {
          if (Date.now() > deadline) throw e;
        }
      }
      if (Date.now() > deadline) throw new Error(`replication slot ${c.slotName} still in use`);
      if (force && Date.now() > deadline - timeoutMs / 2)
        await db.raw(
          'select pg_terminate_backend(active_pid) from pg_replication_slots where slot_name = ? and active',
          [c.slotName],
        );
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await db.destroy();
  }
}

/** Removes the connector and its slot (an abandoned slot keeps WAL on HGD's server forever). */
export async function removeFeed(client: ConnectClient, c: CdcConfig): Promise<void> {
  await client.remove(c.connectorName);
  await dropSlot(c, 30_000, true);
}

/**
 * The repair of a lost slot or a reset connector: stop the connector, forget its offsets, drop what is left of
 * the slot, start it again. Debezium then takes a new snapshot; the follower sees it, raises the re-snapshot alert
 * and, at the snapshot's end, drops what HGD no longer has.
 */
export async function resnapshot(client: ConnectClient, c: CdcConfig): Promise<void> {
  await client.stop(c.connectorName);
  const deadline = Date.now() + 60_000;
  while ((await client.status(c.connectorName)).state !== 'STOPPED') {
    if (Date.now() > deadline) throw new Error(`connector ${c.connectorName} did not stop`);
    await new Promise((r) => setTimeout(r, 250));
  }
  await client.resetOffsets(c.connectorName);
  await dropSlot(c);
  await client.resume(c.connectorName);
}
