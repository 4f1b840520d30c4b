/**
 * The composition root: the only place in src/ that wires connectors (Kafka, registry, PostgreSQL, HGD)
 * to the pure flows. `vss-bridge run` starts this; tests start it in-process or as a child process.
 */
import type { Knex } from 'knex';
import type { Admin, Kafka } from 'kafkajs';
import { ReviewService, defenceResolver } from '../../connectors/db/review-service.js';
import { adultResolver, childResolver } from '../../connectors/db/registration-resolvers.js';
import { FsDocumentStore } from '../../connectors/archive/fs-document-store.js';
import { findMemberByBhxhCode, findMembersByIdNumber } from '../../connectors/hgd/repository.js';
import { decideChildRegistration } from '../flows/child-registration/decide.js';
import { decideAdultRegistration } from '../flows/adult-registration/decide.js';
import type { AdultRegistrationSubmitted, ChildRegistrationSubmitted } from '../contracts/generated.js';
import { PgEventStore } from '../../connectors/db/event-store.js';
import { outboxBacklog } from '../../connectors/db/bridge-store.js';
import { createDb } from '../../connectors/db/knex.js';
import { migrateLatest } from '../../connectors/db/migrate.js';
import { hgdMatcher } from '../../connectors/hgd/matcher.js';
import { kafkaFromConfig } from '../../connectors/kafka/client.js';
import { ConsumerLoop } from '../../connectors/kafka/consumer-loop.js';
import { fetchLag } from '../../connectors/kafka/lag.js';
import { OutboxRelay } from '../../connectors/kafka/outbox-relay.js';
import { ensureTopics } from '../../connectors/kafka/topics.js';
import { AvroCodec } from '../../connectors/registry/codec.js';
import { topicBindings } from '../../connectors/registry/bindings.js';
import { isTransientInfraError } from '../../connectors/db/errors.js';
import { decideCodeMapping } from '../flows/defence-code-mapping/decide.js';
import type { CodeLookupFailed } from '../contracts/generated.js';
import { redactUrl, type Config } from './config.js';
import { RuntimeEvents } from './events.js';
import { OpsServer } from './http.js';
import { createConsole } from './console.js';
import type { ConsoleConfig } from './http/config.js';
import type { ConsoleServer } from './http/server.js';
import type { Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { MessageProcessor, safeError, type FlowHandler } from './processor.js';
import { StartupError } from './startup.js';

export interface App {
  config: Config;
  knex: Knex;
  kafka: Kafka;
  codec: AvroCodec;
  metrics: Metrics;
  events: RuntimeEvents;
  relay: OutboxRelay;
  consumer: ConsumerLoop;
  http: OpsServer;
  /** The operator console; it serves /healthz, /readyz and /metrics as well. */
  console: ConsoleServer;
  review: ReviewService;
  httpPort: number;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Start the consumer (false for CLIs that only need the database, registry and relay). */
  consume?: boolean;
  /** Serve /healthz, /readyz, /metrics and the review API. */
  serveHttp?: boolean;
  /** Run the outbox relay in the background (CLIs that publish their own writes with `drainAll` turn it off). */
  relay?: boolean;
  /** The console's settings (default: read from the environment). */
  console?: ConsoleConfig;
}

/** Connects to everything, failing fast with a one-line error naming the variable that is wrong. */
export async function startApp(config: Config, logger: Logger, opts: StartOptions = {}): Promise<App> {
  const consume = opts.consume ?? true;
  // One connection per partition in flight, plus the relay, readiness and lag refresh.
  const knex = createDb(config.databaseUrl, {
    ssl: config.databaseSsl,
    poolMax: config.kafka.concurrency + 4,
  });
  try {
    await knex.raw('select 1');
  } catch (e) {
    await knex.destroy();
    throw new StartupError(`DATABASE_URL: cannot connect to ${redactUrl(config.databaseUrl)}: ${reason(e)}`);
  }
  const kafka = kafkaFromConfig(config, logger);
  const admin = kafkaFromConfig(config, undefined, 1).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (e) {
    await knex.destroy();
    throw new StartupError(
      `KAFKA_BROKERS: cannot reach Kafka at ${config.kafka.brokers.join(',')}: ${reason(e)}`,
    );
  }

  const bindings = topicBindings(config);
  const codec = new AvroCodec({ registryUrl: config.schemaRegistryUrl, bindings });
  try {
    await codec.init();
  } catch (e) {
    await admin.disconnect();
    await knex.destroy();
    throw new StartupError(
      `SCHEMA_REGISTRY_URL: cannot register schemas at ${config.schemaRegistryUrl}: ${reason(e)}`,
    );
  }
  await ensureTopics(
    admin,
    bindings.map((b) => b.topic),
    config.kafka.topicPartitions,
  );
  // Migrations only once every dependency answered, so a bad address fails before anything changes.
  const applied = await migrateLatest(knex);
  if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');

  const events = new RuntimeEvents();
  const metrics = new Metrics();
  metrics.subscribe(events);
  const encode = (topic: string, record: unknown) => codec.encode(topic, record);
  const relay = new OutboxRelay(knex, kafka, { logger: logger.child({ component: 'outbox-relay' }), events });
  const store = new PgEventStore(knex, {
    groupId: config.kafka.groupId,
    topics: config.topics,
    encode,
    onCommitted: () => relay.wake(),
  });

  const findPerson = await hgdMatcher(knex, events);
  const handlers = new Map<string, FlowHandler<never>>();
  const defence: FlowHandler<CodeLookupFailed> = {
    name: 'defence-code-mapping',
    decide: (event) =>
      decideCodeMapping(event, findPerson('defence-code-mapping'), { bqpCodePattern: config.bqpCodePattern }),
  };
  handlers.set(config.topics.codeLookupFailed, defence as FlowHandler<never>);
  const hgdReads = {
    findMemberByBhxhCode: (code: string) => findMemberByBhxhCode(knex, code),
    findMembersByIdNumber: (id: string) => findMembersByIdNumber(knex, id),
  };
  const child: FlowHandler<ChildRegistrationSubmitted> = {
    name: 'child-registration',
    decide: (event) =>
      decideChildRegistration(event, { ...hgdReads, findPerson: findPerson('child-registration') }),
  };
  handlers.set(config.topics.childRegistrationSubmitted, child as FlowHandler<never>);
  const documents = new FsDocumentStore(config.archiveDir);
  const adult: FlowHandler<AdultRegistrationSubmitted> = {
    name: 'adult-registration',
    decide: (event) =>
      decideAdultRegistration(
        event,
        { ...hgdReads, documents, findPerson: findPerson('adult-registration') },
        { retentionYears: config.archiveRetentionYears },
      ),
  };
  handlers.set(config.topics.adultRegistrationSubmitted, adult as FlowHandler<never>);

  const processor = new MessageProcessor({
    groupId: config.kafka.groupId,
    decoder: codec,
    store,
    handlers,
    isTransient: isTransientInfraError,
    logger: logger.child({ component: 'processor' }),
    events,
  });
  const consumer = new ConsumerLoop(kafka, {
    groupId: config.kafka.groupId,
    sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    partitionsConsumedConcurrently: config.kafka.concurrency,
    topics: [...handlers.keys()],
    processor,
    logger: logger.child({ component: 'consumer' }),
    events,
  });
  const review = new ReviewService(knex, {
    topics: config.topics,
    encode,
    resolvers: {
      DEFENCE_CODE_MAPPING: defenceResolver,
      CHILD_REGISTRATION: childResolver,
      ADULT_REGISTRATION: adultResolver,
    },
  });
  const http = new OpsServer({
    port: config.httpPort,
    host: '0.0.0.0',
    logger: logger.child({ component: 'http' }),
    metrics,
    review: {
      list: (f) => review.list(f),
      show: (id) => review.show(id),
      resolve: async (id, action) => {
        const r = await review.resolve(id, action);
        relay.wake();
        return r;
      },
    },
    readiness: [
      { name: 'postgres', check: async () => void (await knex.raw('select 1')) },
      { name: 'kafka', check: async () => void (await admin.describeCluster()) },
      {
        name: 'schema-registry',
        check: async () => {
          const r = await fetch(`${config.schemaRegistryUrl}/subjects`, {
            signal: AbortSignal.timeout(1500),
          });
          if (!r.ok) throw new Error(`HTTP ${r.status}`);
        },
      },
      ...(consume
        ? [
            {
              name: 'consumer',
              check: async () => {
                if (!consumer.joined) throw new Error('not joined to its group');
              },
            },
          ]
        : []),
    ],
  });

  const consoleServer = createConsole({
    config,
    knex,
    logger: logger.child({ component: 'console' }),
    metrics,
    readiness: () => http.readiness(),
    review,
    onResolved: () => relay.wake(),
    ...(opts.console ? { console: opts.console } : {}),
  });

  if (opts.relay ?? true) relay.start();
  let httpPort = 0;
  if (opts.serveHttp ?? consume) {
    httpPort = await consoleServer.start();
    logger.info({ port: httpPort }, 'console and ops http listening (/review, /healthz, /readyz, /metrics)');
  }
  if (consume) await consumer.start();

  // Lag and outbox figures exported as metrics, refreshed on an interval.
  const timers: NodeJS.Timeout[] = [];
  const refreshLag = async (a: Admin) => {
    const rows = await fetchLag(a, config.kafka.groupId, [...handlers.keys()]);
    for (const r of rows) {
      const labels = { group: r.group, topic: r.topic, partition: String(r.partition) };
      metrics.lag.set(labels, r.lag);
      if (r.lastCommitAt !== null) metrics.lastCommitAge.set(labels, (Date.now() - r.lastCommitAt) / 1000);
    }
  };
  timers.push(
    setInterval(() => {
      refreshLag(admin).catch((e: unknown) => logger.debug({ err: safeError(e) }, 'lag refresh failed'));
      // Keeps vss_bridge_ready current for Prometheus, which scrapes /metrics and never calls /readyz.
      void http.readiness();
      outboxBacklog(knex)
        .then((b) => {
          metrics.outboxBacklog.set(b.unsent);
          metrics.outboxOldestAge.set(b.oldestAgeSeconds);
        })
        .catch(() => undefined);
    }, 5000),
  );
  for (const t of timers) t.unref();

  logger.info(
    { groupId: config.kafka.groupId, topics: [...handlers.keys()], consume },
    consume ? 'vss-bridge ready: consuming' : 'vss-bridge ready',
  );

  let stopped = false;
  return {
    config,
    knex,
    kafka,
    codec,
    metrics,
    events,
    relay,
    consumer,
    http,
    console: consoleServer,
    review,
    httpPort,
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const t of timers) clearInterval(t);
      await consumer.stop().catch((e: unknown) => logger.warn({ err: safeError(e) }, 'consumer stop failed'));
      await relay.drainAll().catch(() => 0);
      await relay.stop().catch(() => undefined);
      await consoleServer.stop();
      await admin.disconnect().catch(() => undefined);
      await knex.destroy();
    },
  };
}

function reason(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length > 0) return reason(e.errors[0]);
  const err = e as { code?: string; message?: string };
  return err.code && err.message && !err.message.includes(err.code)
    ? `${err.code}: ${err.message}`
    : (err.message ?? String(e));
}
