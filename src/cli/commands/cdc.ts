import type { Command } from 'commander';
import { createDb } from '../../../connectors/db/knex.js';
import { kafkaFromConfig } from '../../../connectors/kafka/client.js';
import { loadCdcConfig, type CdcConfig } from '../../../connectors/cdc/config.js';
import { ConnectClient } from '../../../connectors/cdc/connect-client.js';
import { IndexFollower } from '../../../connectors/cdc/follower.js';
import { describeHealth, feedHealth } from '../../../connectors/cdc/health.js';
import {
  applyConnector,
  createChangeTopics,
  removeFeed,
  resnapshot,
  setupSource,
  waitRunning,
} from '../../../connectors/cdc/setup.js';
import { verifyIndex } from '../../../connectors/cdc/verify.js';
import { BLOCKING_KEY_SCHEME } from '../../../connectors/hgd/index-scheme.js';
import { dbOptions } from '../../runtime/connections.js';
import { loadConfig, type Config } from '../../runtime/config.js';
import { ownerDatabaseUrl } from '../connection-errors.js';
import { createLogger } from '../../runtime/logger.js';

/**
 * The HGD change feed (docs/cdc.md): `cdc setup` (publication, grants, change topics, connector), `cdc follow`
 * (the index follower), `cdc status`, `cdc resnapshot`, `cdc remove`; and `hgd verify-index`.
 * The follower and verify-index write the search index, which the runtime role may only read: they connect as the
 * owner role, like `hgd import`.
 */
const ownerUrl = (config: Config, command: string) =>
  ownerDatabaseUrl(config, command, 'it writes the search index');

function cdcConfig(config: Config): CdcConfig {
  return loadCdcConfig(process.env, config.databaseOwnerUrl ?? config.databaseUrl);
}

export function register(program: Command): void {
  const cdc = program
    .command('cdc')
    .description('HGD change feed: Kafka Connect + Debezium into the search index (docs/cdc.md)');

  cdc
    .command('setup')
    .description(
      "create the publication on HGD's households and members tables, grant the replication role what Debezium needs, create the change topics and apply the connector (idempotent)",
    )
    .option('--no-connector', 'do not apply the connector configuration to Kafka Connect')
    .option('--wait', 'wait until the connector and its task are RUNNING')
    .action(async (o: { connector: boolean; wait?: boolean }) => {
      const config = loadConfig();
      const c = cdcConfig(config);
      const knex = createDb(ownerUrl(config, 'cdc setup'), dbOptions(config));
      const admin = kafkaFromConfig(config, undefined, 2).admin();
      try {
        await setupSource(knex, c);
        await admin.connect();
        await createChangeTopics(admin, c);
        if (o.connector) {
          const client = new ConnectClient(c.connectUrl);
          await applyConnector(client, c);
          if (o.wait) await waitRunning(client, c);
        }
        process.stderr.write(
          `change feed ${c.connectorName}: publication ${c.publication}, slot ${c.slotName}, topics ${c.topicPrefix}.hgd.*${o.connector ? `, connector applied at ${c.connectUrl}` : ''}\n`,
        );
      } finally {
        await admin.disconnect().catch(() => undefined);
        await knex.destroy();
      }
    });

  cdc
    .command('follow')
    .description('apply the change topics to the search index until stopped (SIGTERM/SIGINT)')
    .option('--max-batch <n>', 'change events per transaction', '5000')
    .action(async (o: { maxBatch: string }) => {
      const config = loadConfig();
      const c = cdcConfig(config);
      const logger = createLogger(config.logLevel).child({ component: 'cdc-follower' });
      const knex = createDb(ownerUrl(config, 'cdc follow'), dbOptions(config, { poolMax: 4 }));
      const follower = new IndexFollower(kafkaFromConfig(config, logger), knex, c, {
        maxBatch: Number(o.maxBatch),
        logger,
      });
      await follower.start();
      logger.info({ topics: follower.topics, groupId: c.groupId }, 'following the HGD change feed');
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      await follower.stop();
      await knex.destroy();
    });

  cdc
    .command('status')
    .description('connector and task state, backlog, slot lag, last applied change; exits 1 when unhealthy')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const config = loadConfig();
      const c = cdcConfig(config);
      const knex = createDb(config.databaseUrl, dbOptions(config, { poolMax: 2 }));
      const admin = kafkaFromConfig(config, undefined, 2).admin();
      try {
        await admin.connect();
        const h = await feedHealth(knex, admin, c);
        process.stdout.write(o.json ? `${JSON.stringify(h)}\n` : `${describeHealth(h)}\n`);
        if (h.problems.length > 0) process.exitCode = 1;
      } finally {
        await admin.disconnect().catch(() => undefined);
        await knex.destroy();
      }
    });

  cdc
    .command('resnapshot')
    .description(
      'repair a lost slot or reset connector: stop the connector, forget its offsets, drop its slot, start it again (a new snapshot; the follower rebuilds the index from it)',
    )
    .action(async () => {
      const config = loadConfig();
      const c = cdcConfig(config);
      await resnapshot(new ConnectClient(c.connectUrl), c);
      process.stderr.write(
        `connector ${c.connectorName}: offsets reset, slot dropped, restarted for a new snapshot\n`,
      );
    });

  cdc
    .command('remove')
    .description('delete the connector and drop its replication slot (an abandoned slot keeps WAL forever)')
    .action(async () => {
      const config = loadConfig();
      const c = cdcConfig(config);
      await removeFeed(new ConnectClient(c.connectUrl), c);
      process.stderr.write(`connector ${c.connectorName} removed, slot ${c.slotName} dropped\n`);
    });
}

export function registerVerifyIndex(program: Command): void {
  const hgd = program.commands.find((cmd) => cmd.name() === 'hgd');
  if (!hgd) throw new Error('the hgd command group must be registered first');
  hgd
    .command('verify-index')
    .description(
      "compare the search index with HGD's members (per-member key checksums, orphans, name frequencies) in chunks, without locking HGD; exits 1 on drift. With --repair it also rebuilds an index of an older blocking-key scheme (after an upgrade; docs/matching.md)",
    )
    .option('--repair', 'rewrite what drifted')
    .option('--chunk <n>', 'members per chunk', '10000')
    .option('--json', 'print the report as JSON')
    .action(async (o: { repair?: boolean; chunk: string; json?: boolean }) => {
      const config = loadConfig();
      const knex = createDb(ownerUrl(config, 'hgd verify-index'), dbOptions(config, { poolMax: 2 }));
      try {
        const r = await verifyIndex(knex, { repair: o.repair === true, chunkSize: Number(o.chunk) });
        process.stdout.write(
          o.json
            ? `${JSON.stringify(r)}\n`
            : `${r.scheme === BLOCKING_KEY_SCHEME ? '' : `index built with key scheme ${r.scheme} (this version: ${BLOCKING_KEY_SCHEME})${r.repaired ? ', rebuilt' : ''}; `}members ${r.members}: missing ${r.missing}, stale ${r.stale}, orphans ${r.orphans}, follower state ${r.stateDrift}, frequencies ${r.frequencyDrift}; drift ${r.drift}${r.repaired ? ' (repaired)' : ''}; ${(r.elapsedMs / 1000).toFixed(1)} s\n`,
        );
        if (r.drift > 0 && !r.repaired) process.exitCode = 1;
      } finally {
        await knex.destroy();
      }
    });
}
