import type { Knex } from 'knex';
import { loadCdcConfig, type CdcConfig } from '../../connectors/cdc/config.js';
import { ConnectClient } from '../../connectors/cdc/connect-client.js';
import { IndexFollower, type FollowerOptions } from '../../connectors/cdc/follower.js';
import {
  applyConnector,
  createChangeTopics,
  removeFeed,
  setupSource,
  waitRunning,
} from '../../connectors/cdc/setup.js';
import { createKafka } from '../../connectors/kafka/client.js';
import { createLogger } from '../../src/runtime/logger.js';
import type { TestDatabase } from './db.js';
import { STACK, uniqueName, waitFor } from './stack.js';

/** Kafka Connect of the stack (`scripts/stack up` starts it on CONNECT_PORT, 8083 by default). */
export const CONNECT_URL =
  process.env.CONNECT_URL ?? `http://127.0.0.1:${process.env.CONNECT_PORT ?? '8083'}`;

/** A change feed of its own for one test database: its connector, slot, publication, topics and group. */
export function feedConfig(db: TestDatabase, connectUrl = CONNECT_URL): CdcConfig {
  const id = uniqueName('cdc').replace(/-/g, '_');
  return loadCdcConfig(
    {
      CONNECT_URL: connectUrl,
      CDC_CONNECTOR: id,
      CDC_TOPIC_PREFIX: id,
      CDC_SLOT: id,
      CDC_PUBLICATION: id,
      CDC_GROUP_ID: id,
    },
    db.ownerUrl,
  );
}

export function testKafka() {
  return createKafka({ brokers: STACK.kafkaBrokers, clientId: 'cdc-test' });
}

export async function startFeed(db: TestDatabase, cfg: CdcConfig): Promise<void> {
  await setupSource(db.knex, cfg);
  const admin = testKafka().admin();
  await admin.connect();
  try {
    await createChangeTopics(admin, cfg);
  } finally {
    await admin.disconnect();
  }
  const client = new ConnectClient(cfg.connectUrl);
  await applyConnector(client, cfg);
  await waitRunning(client, cfg, 90_000);
}

export async function stopFeed(cfg: CdcConfig): Promise<void> {
  await removeFeed(new ConnectClient(cfg.connectUrl), cfg);
}

export function follower(
  db: TestDatabase,
  cfg: CdcConfig,
  onBatch?: FollowerOptions['onBatch'],
): IndexFollower {
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'warn').child({ component: 'cdc-follower' });
  return new IndexFollower(testKafka(), db.knex, cfg, { logger, ...(onBatch ? { onBatch } : {}) });
}

let sentinel = 0;
/**
 * Waits until the follower has applied every member change committed so far: a sentinel member written now is
 * the last change on the members topic, so once it is indexed all earlier ones are.
 */
export async function settle(knex: Knex, timeoutMs = 60_000): Promise<void> {
  const id = `zz-settle-${process.pid}-${++sentinel}-${Date.now()}`;
  await knex('hgd.members').insert({
    member_id: id,
    full_name: 'Trần Thị Mốc',
    dob: '1970',
    dob_precision: 'year',
    gender: 'F',
  });
  await waitFor(
    'the change feed to catch up',
    async () =>
      (await knex('hgd_match.cdc_members').where({ member_id: id, deleted: false }).first()) !== undefined,
    timeoutMs,
    50,
  );
}
