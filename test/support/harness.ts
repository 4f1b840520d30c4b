import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll } from 'vitest';
import type { AvroCodec } from '../../connectors/registry/codec.js';
import { startApp, type App, type StartOptions } from '../../src/runtime/app.js';
import type { Config } from '../../src/runtime/config.js';
import type { Logger } from '../../src/runtime/logger.js';
import { seedHgd, testCodec, testConfig, testLogger, type MemberLine } from './app.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { testKafka } from './kafka.js';

export interface AdapterUnderTest {
  db: TestDatabase;
  config: Config;
  codec: AvroCodec;
  kafka: Kafka;
  app: App;
}

export interface AdapterOptions {
  /** HGD members imported (with name frequencies refreshed) before the adapter starts. */
  members?: MemberLine[];
  /** Extra environment for the config (e.g. ARCHIVE_DIR). */
  env?: NodeJS.ProcessEnv | (() => NodeJS.ProcessEnv);
  logger?: () => Logger;
  start?: StartOptions;
}

/**
 * The one set-up of the integration and e2e tests: a fresh migrated database, a config with the test's own topics
 * and consumer group, the codec, a Kafka client and the adapter started in-process; all torn down after the file.
 * Returns an object whose fields are filled in `beforeAll`.
 */
export function useAdapter(opts: AdapterOptions = {}): AdapterUnderTest {
  const h = {} as AdapterUnderTest;
  beforeAll(async () => {
    h.db = await createTestDatabase();
    if (opts.members) await seedHgd(h.db.knex, opts.members);
    const env = typeof opts.env === 'function' ? opts.env() : (opts.env ?? {});
    h.config = testConfig(h.db.url, env);
    h.kafka = testKafka();
    h.codec = await testCodec(h.config);
    h.app = await startApp(h.config, opts.logger?.() ?? testLogger(), opts.start ?? {});
  });
  afterAll(async () => {
    await h.app?.stop();
    await h.db?.drop();
  });
  return h;
}
