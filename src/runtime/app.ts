/**
 * The composition root: the only place in src/runtime that wires connectors (Kafka, registry, PostgreSQL, HGD,
 * archive) to the core (flows, processor, review desk). It is made of small parts, each opened with its start-up
 * check and registered with its stop hook. `vss-bridge run` starts the whole app; read-only commands open only what
 * they read (`openReviewReader`: PostgreSQL alone).
 */
import type { Knex } from 'knex';
import type { Admin, Kafka } from 'kafkajs';
import { FsDocumentStore } from '../../connectors/archive/fs-document-store.js';
import { PgCodeChangeLog } from '../../connectors/db/code-changes.js';
import { PgEffectStore, PgEventStore } from '../../connectors/db/event-store.js';
import { pendingMigrations } from '../../connectors/db/migrate.js';
import { outboxBacklog, PgOutboxReader } from '../../connectors/db/outbox.js';
import { PgReviewCases } from '../../connectors/db/review-cases.js';
import { scheduleRetention } from '../../connectors/db/retention.js';
import { hgdMatcher, loadMatchModel } from '../../connectors/hgd/matcher.js';
import { findMembersByBhxhCodes, hgdMatchMany } from '../../connectors/hgd/match-many.js';
import { findMemberByBhxhCode, findMembersByIdNumber, getMember } from '../../connectors/hgd/repository.js';
import { kafkaClientFromConfig, kafkaFromConfig } from '../../connectors/kafka/client.js';
import { ConsumerLoop } from '../../connectors/kafka/consumer-loop.js';
import { fetchLag } from '../../connectors/kafka/lag.js';
import { KafkaPublisher, recordBytes } from '../../connectors/kafka/publisher.js';
import { ensureTopics } from '../../connectors/kafka/topics.js';
import { topicBindings } from '../../connectors/registry/bindings.js';
import { AvroCodec } from '../../connectors/registry/codec.js';
import { isTransientInfraError } from '../../connectors/transient.js';
import type {
  AdultRegistrationSubmitted,
  ChildRegistrationSubmitted,
  CodeLookupFailed,
} from '../contracts/generated.js';
import { decideAdultRegistration } from '../flows/adult-registration/decide.js';
import { decideChildRegistration } from '../flows/child-registration/decide.js';
import { decideCodeMapping } from '../flows/defence-code-mapping/decide.js';
import { ReviewDesk } from '../flows/review/desk.js';
import type { FlowHandler } from '../ports/flow.js';
import type { CodeChangeLog, FindPerson, HgdReads } from '../ports/hgd.js';
import { coalesce, noteRead } from './batching.js';
import { cdcReadiness } from './cdc.js';
import { redactUrl, type Config } from './config.js';
import { RuntimeEvents } from './events.js';
import { OpsServer } from './http.js';
import { Lifecycle } from './lifecycle.js';
import { createConsole } from './console.js';
import type { ConsoleConfig } from './http/config.js';
import type { ConsoleServer } from './http/server.js';
import type { Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { OutboxRelay } from './outbox-relay.js';
import { MessageProcessor, safeError } from './processor.js';
import { StartupError } from './startup.js';
import { codecOptions, dbOptions, hgdSearchDb, runtimeDb } from './connections.js';

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
  review: ReviewDesk;
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

// ---------------------------------------------------------------------------------------------------------------
// Parts: each opens one dependency, checks it answers, and fails with one line naming the variable that is wrong.

export async function openDatabase(config: Config, life: Lifecycle, poolMax?: number): Promise<Knex> {
  return life.start(
    'postgres',
    async () => {
      const knex = runtimeDb(config, { poolMax: poolMax ?? 4 });
      try {
        await knex.raw('select 1');
      } catch (e) {
        await knex.destroy();
        throw new StartupError(
          `DATABASE_URL: cannot connect to ${redactUrl(config.databaseUrl)}: ${reason(e)}`,
        );
      }
      return knex;
    },
    (knex) => knex.destroy(),
  );
}

export async function openKafkaAdmin(config: Config, life: Lifecycle): Promise<Admin> {
  return life.start(
    'kafka-admin',
    async () => {
      const admin = kafkaFromConfig(config, undefined, 1).admin();
      try {
        await admin.connect();
        await admin.describeCluster();
      } catch (e) {
        await admin.disconnect().catch(() => undefined);
        throw new StartupError(
          `KAFKA_BROKERS: cannot reach Kafka at ${config.kafka.brokers.join(',')}: ${reason(e)}`,
        );
      }
      return admin;
    },
    (admin) => admin.disconnect(),
  );
}

export async function openCodec(config: Config): Promise<AvroCodec> {
  const codec = new AvroCodec(codecOptions(config, topicBindings(config)));
  try {
    await codec.init();
  } catch (e) {
    throw new StartupError(
      `SCHEMA_REGISTRY_URL: cannot register schemas at ${redactUrl(config.schemaRegistryUrl)}: ${reason(e)}`,
    );
  }
  return codec;
}

function hgdReads(knex: Knex): HgdReads {
  return {
    getMember: (id) => getMember(knex, id),
    findMemberByBhxhCode: (code) => findMemberByBhxhCode(knex, code),
    findMembersByIdNumber: (id) => findMembersByIdNumber(knex, id),
  };
}

/** The relay over the outbox table and the broker. */
function outboxRelay(
  config: Config,
  knex: Knex,
  kafka: Kafka,
  logger: Logger,
  events?: RuntimeEvents,
): OutboxRelay {
  const reader = new PgOutboxReader(knex, {
    connectionString: config.databaseUrl,
    ssl: dbOptions(config).ssl ?? false,
  });
  return new OutboxRelay(reader, new KafkaPublisher(kafka, config.kafka.maxMessageBytes), {
    logger: logger.child({ component: 'outbox-relay' }),
    batchSize: config.kafka.outboxBatchSize,
    sizeOf: recordBytes,
    ...(events ? { events } : {}),
  });
}

/**
 * The read ports of the consumer's flows. The decisions of a micro-batch run side by side: their candidate lookups
 * coalesce into one blocking query (the batch matcher), their lookups by code and of the audit into one statement
 * each. Every read notes what it saw, so the processor can tell a decision made on data an earlier event of the
 * same batch changes (docs/architecture.md, "Micro-batches").
 */
async function consumerReads(
  config: Config,
  knex: Knex,
  events: RuntimeEvents,
  search: Knex = knex,
): Promise<{ findPerson: (flow: string) => FindPerson; hgd: HgdReads; codeChanges: CodeChangeLog }> {
  const parametersPath = config.matchParametersFile ?? undefined;
  // The member search (and the frequencies it weighs names by) reads from HGD_READ_URL when set; the reads a
  // write depends on (by code, the audit) stay on the main connection.
  // Household searches (a child's parents' household) keep the single-query matcher.
  // One model (parameters and name frequencies) for both, loaded once.
  const model = await loadMatchModel(search, parametersPath);
  const single = await hgdMatcher(search, events, { model });
  const many = coalesce(hgdMatchMany(search, model), { maxBatch: 1000 });
  const findPerson =
    (flow: string): FindPerson =>
    async (query, options) => {
      let result;
      if (options?.householdCode !== undefined) result = await single(flow)(query, options);
      else {
        result = await many(query);
        events.emit('match.scored', {
          flow,
          score: result.candidates[0]?.score ?? 0,
          decision: result.decision,
        });
      }
      // A flow acts on the best candidate (a candidate list only informs an operator, who acts through guards).
      noteRead({ members: [result.best?.memberId, result.candidates[0]?.memberId] });
      return result;
    };
  const byCode = coalesce((codes: string[]) => findMembersByBhxhCodes(knex, codes), { maxBatch: 1000 });
  const log = new PgCodeChangeLog(knex);
  const given = coalesce((ids: string[]) => log.codesGivenToMany(ids), { maxBatch: 1000 });
  const direct = hgdReads(knex);
  const hgd: HgdReads = {
    getMember: async (id) => {
      const m = await direct.getMember(id);
      noteRead({ members: [id] });
      return m;
    },
    findMemberByBhxhCode: async (code) => {
      const m = await byCode(code);
      noteRead({ members: [m?.memberId], codes: [code] });
      return m;
    },
    findMembersByIdNumber: async (idNumber) => {
      const ms = await direct.findMembersByIdNumber(idNumber);
      noteRead({ members: ms.map((m) => m.memberId) });
      return ms;
    },
  };
  const codeChanges: CodeChangeLog = {
    codesGivenTo: async (memberId) => {
      const codes = await given(memberId);
      noteRead({ members: [memberId], codes });
      return codes;
    },
  };
  return { findPerson, hgd, codeChanges };
}

/** One flow handler per input topic, with its read ports. */
async function flowHandlers(
  config: Config,
  knex: Knex,
  events: RuntimeEvents,
  search: Knex = knex,
): Promise<Map<string, FlowHandler<never>>> {
  const { findPerson, hgd, codeChanges } = await consumerReads(config, knex, events, search);
  const documents = new FsDocumentStore(config.archiveDir);
  const defence: FlowHandler<CodeLookupFailed> = {
    name: 'defence-code-mapping',
    decide: (event, ctx) =>
      decideCodeMapping(
        event,
        { findPerson: findPerson('defence-code-mapping'), codeChanges, hgd },
        { bqpCodePattern: config.bqpCodePattern, conflict: ctx.conflict },
      ),
  };
  const child: FlowHandler<ChildRegistrationSubmitted> = {
    name: 'child-registration',
    decide: (event) =>
      decideChildRegistration(event, { ...hgd, findPerson: findPerson('child-registration') }),
  };
  const adult: FlowHandler<AdultRegistrationSubmitted> = {
    name: 'adult-registration',
    decide: (event) =>
      decideAdultRegistration(
        event,
        { ...hgd, documents, findPerson: findPerson('adult-registration') },
        { retentionYears: config.archiveRetentionYears },
      ),
  };
  return new Map<string, FlowHandler<never>>([
    [config.topics.codeLookupFailed, defence as FlowHandler<never>],
    [config.topics.childRegistrationSubmitted, child as FlowHandler<never>],
    [config.topics.adultRegistrationSubmitted, adult as FlowHandler<never>],
  ]);
}

/**
 * The database member search reads from: HGD_READ_URL (a read replica) when set, else the main connection. Only
 * the search moves; every write, and the reads a write depends on, stay on DATABASE_URL (a stale replica can at
 * worst offer a member whose code has just changed, which the guarded update then refuses).
 */
export async function openSearchDatabase(
  config: Config,
  life: Lifecycle,
  main: Knex,
  poolMax: number,
): Promise<Knex> {
  if (!config.hgdReadUrl) return main;
  const readUrl = config.hgdReadUrl;
  return life.start(
    'postgres-read',
    async () => {
      const knex = hgdSearchDb(config, { poolMax })!;
      try {
        await knex.raw('select 1');
      } catch (e) {
        await knex.destroy();
        throw new StartupError(`HGD_READ_URL: cannot connect to ${redactUrl(readUrl)}: ${reason(e)}`);
      }
      return knex;
    },
    (knex) => knex.destroy(),
  );
}

// ---------------------------------------------------------------------------------------------------------------

/** Connects to everything, failing fast with a one-line error naming the variable that is wrong. */
export async function startApp(config: Config, logger: Logger, opts: StartOptions = {}): Promise<App> {
  const consume = opts.consume ?? true;
  const life = new Lifecycle((part, e) => logger.warn({ part, err: safeError(e) }, 'stop failed'));
  // One connection per partition in flight, plus the relay, readiness and lag refresh.
  const knex = await openDatabase(config, life, config.kafka.concurrency + 4);
  const search = await openSearchDatabase(config, life, knex, config.kafka.concurrency + 2);
  const admin = await openKafkaAdmin(config, life);
  let codec: AvroCodec;
  try {
    codec = await openCodec(config);
    await ensureTopics(
      admin,
      topicBindings(config).map((b) => b.topic),
      config.kafka.topicPartitions,
    );
    // The runtime role cannot migrate (docs/database-roles.md): `vss-bridge migrate` runs first, as the owner.
    const pending = await pendingMigrations(knex);
    if (pending.length > 0) {
      throw new StartupError(
        `DATABASE_URL: ${redactUrl(config.databaseUrl)} lacks ${pending.length} migration(s) (${pending[0]}…); run \`vss-bridge migrate\` first`,
      );
    }
  } catch (e) {
    await life.stop();
    throw e;
  }

  const events = new RuntimeEvents();
  const metrics = new Metrics();
  metrics.subscribe(events);
  const kafka = kafkaClientFromConfig(config, logger);
  const encode = (topic: string, record: unknown) => codec.encode(topic, record);
  const relay = outboxRelay(config, knex, kafka, logger, events);
  const handlers = await flowHandlers(config, knex, events, search);
  const processor = new MessageProcessor({
    groupId: config.kafka.groupId,
    decoder: codec,
    store: new PgEventStore(knex, {
      groupId: config.kafka.groupId,
      topics: config.topics,
      encode,
      onCommitted: () => relay.wake(),
    }),
    handlers,
    isTransient: isTransientInfraError,
    // The rest of a dead letter (key, headers, error, source) stays well under 64 KiB.
    maxDeadLetterValueBytes: Math.max(1024, config.kafka.maxMessageBytes - 64 * 1024),
    logger: logger.child({ component: 'processor' }),
    events,
  });
  const consumer = new ConsumerLoop(kafka, {
    groupId: config.kafka.groupId,
    sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    heartbeatIntervalMs: config.kafka.heartbeatIntervalMs,
    rebalanceTimeoutMs: config.kafka.rebalanceTimeoutMs,
    partitionsConsumedConcurrently: config.kafka.concurrency,
    batch: {
      maxEvents: config.kafka.batchMaxEvents,
      maxBytes: config.kafka.batchMaxBytes,
      maxMs: config.kafka.batchMaxMs,
    },
    lingerMs: config.kafka.batchLingerMs,
    topics: [...handlers.keys()],
    processor,
    logger: logger.child({ component: 'consumer' }),
    events,
  });
  const review = new ReviewDesk({
    cases: new PgReviewCases(knex),
    hgd: hgdReads(knex),
    codeChanges: new PgCodeChangeLog(knex),
    effects: new PgEffectStore(knex, { topics: config.topics, encode, onCommitted: () => relay.wake() }),
  });
  const http = new OpsServer({
    port: config.httpPort,
    host: '0.0.0.0',
    logger: logger.child({ component: 'http' }),
    metrics,
    review,
    readiness: [
      { name: 'postgres', check: async () => void (await knex.raw('select 1')) },
      { name: 'kafka', check: async () => void (await admin.describeCluster()) },
      {
        // A parked record needs an operator: the adapter is alive but not doing all of its job.
        name: 'outbox',
        check: async () => {
          const { parked } = await outboxBacklog(knex);
          if (parked > 0)
            throw new Error(`${parked} record(s) parked: the broker refuses them (see the runbook)`);
        },
      },
      {
        name: 'schema-registry',
        // Through the codec's client: the registry's TLS, basic auth and timeout (a bare fetch has none of them).
        check: () => codec.ping(),
      },
      ...cdcReadiness(config, knex, admin, metrics),
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
  // Stop order (reverse of registration): timers, consumer, relay (after a last drain), console; then Kafka admin
  // and the database registered above.
  life.add({ name: 'console', stop: () => consoleServer.stop() });
  if (opts.relay ?? true) relay.start();
  life.add({
    name: 'outbox-relay',
    stop: async () => {
      await relay.drainAll().catch(() => 0);
      await relay.stop();
    },
  });
  let httpPort = 0;
  if (opts.serveHttp ?? consume) {
    httpPort = await consoleServer.start();
    logger.info({ port: httpPort }, 'console and ops http listening (/review, /healthz, /readyz, /metrics)');
  }
  life.add({ name: 'consumer', stop: () => consumer.stop() });
  if (consume) await consumer.start();
  const timer = refreshGauges(config, admin, knex, http, metrics, [...handlers.keys()], logger);
  life.add({ name: 'gauges', stop: async () => clearInterval(timer) });
  if (consume) {
    // Personal data past its retention is deleted or anonymised at start and then daily (docs/retention.md).
    const stopRetention = scheduleRetention(knex, config.retention, {
      onReport: (r) => logger.info({ counts: r }, 'retention run'),
      onError: (e) => logger.warn({ err: safeError(e) }, 'retention run failed; will try again'),
    });
    life.add({ name: 'retention', stop: async () => stopRetention() });
  }

  logger.info(
    { groupId: config.kafka.groupId, topics: [...handlers.keys()], consume },
    consume ? 'vss-bridge ready: consuming' : 'vss-bridge ready',
  );
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
    stop: () => life.stop(),
  };
}

/** Lag, readiness and outbox figures exported as metrics, refreshed every 5 s (Prometheus never calls /readyz). */
function refreshGauges(
  config: Config,
  admin: Admin,
  knex: Knex,
  http: OpsServer,
  metrics: Metrics,
  topics: string[],
  logger: Logger,
): NodeJS.Timeout {
  const timer = setInterval(() => {
    fetchLag(admin, config.kafka.groupId, topics)
      .then((rows) => {
        for (const r of rows) {
          const labels = { group: r.group, topic: r.topic, partition: String(r.partition) };
          metrics.lag.set(labels, r.lag);
          if (r.lastCommitAt !== null)
            metrics.lastCommitAge.set(labels, (Date.now() - r.lastCommitAt) / 1000);
        }
      })
      .catch((e: unknown) => logger.debug({ err: safeError(e) }, 'lag refresh failed'));
    void http.readiness();
    outboxBacklog(knex)
      .then((b) => {
        metrics.outboxBacklog.set(b.unsent);
        metrics.outboxParked.set(b.parked);
        metrics.outboxOldestAge.set(b.oldestAgeSeconds);
      })
      .catch(() => undefined);
  }, 5000);
  timer.unref();
  return timer;
}

/** Review cases for a read-only command: PostgreSQL only (no Kafka, no registry, no migration, no topics). */
export async function openReviewReader(
  config: Config,
): Promise<{ cases: PgReviewCases; stop(): Promise<void> }> {
  const life = new Lifecycle();
  const knex = await openDatabase(config, life, 2);
  return { cases: new PgReviewCases(knex), stop: () => life.stop() };
}

/**
 * The review desk for a command that resolves a case: PostgreSQL, the registry (to encode the outputs) and the
 * broker (to publish them right away). Neither migrates nor creates topics.
 */
export async function openReviewDesk(
  config: Config,
  logger: Logger,
): Promise<{ desk: ReviewDesk; relay: OutboxRelay; knex: Knex; stop(): Promise<void> }> {
  const life = new Lifecycle((part, e) => logger.warn({ part, err: safeError(e) }, 'stop failed'));
  const knex = await openDatabase(config, life, 3);
  await openKafkaAdmin(config, life);
  let codec: AvroCodec;
  try {
    codec = await openCodec(config);
  } catch (e) {
    await life.stop();
    throw e;
  }
  const relay = outboxRelay(config, knex, kafkaClientFromConfig(config, logger), logger);
  life.add({ name: 'outbox-relay', stop: () => relay.stop() });
  const desk = new ReviewDesk({
    cases: new PgReviewCases(knex),
    hgd: hgdReads(knex),
    codeChanges: new PgCodeChangeLog(knex),
    effects: new PgEffectStore(knex, { topics: config.topics, encode: (t, r) => codec.encode(t, r) }),
  });
  return { desk, relay, knex, stop: () => life.stop() };
}

function reason(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length > 0) return reason(e.errors[0]);
  const err = e as { code?: string; message?: string };
  return err.code && err.message && !err.message.includes(err.code)
    ? `${err.code}: ${err.message}`
    : (err.message ?? String(e));
}
