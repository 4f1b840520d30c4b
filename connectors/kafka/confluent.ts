import { createRequire } from 'node:module';
import kafkajs from 'kafkajs';
import type {
  Admin,
  Consumer,
  ConsumerConfig,
  ConsumerRunConfig,
  ConsumerSubscribeTopic,
  ConsumerSubscribeTopics,
  Kafka,
  Producer,
  ProducerBatch,
  ProducerConfig,
  ProducerRecord,
  TopicPartitionOffsetAndMetadata,
} from 'kafkajs';
import type { Config } from '../../src/runtime/config.js';
import type { Logger } from '../../src/runtime/logger.js';

/**
 * KAFKA_CLIENT=confluent: the consumer group and the producer on @confluentinc/kafka-javascript (librdkafka behind
 * a KafkaJS-compatible API), presented to the rest of the code as the kafkajs `Kafka` it already uses, so the
 * consumer loop and the publisher run unchanged (docs/adr/0005-kafka-client.md). Only what they use is bridged:
 * `consumer()` (connect, subscribe, run with eachBatch/eachMessage, commitOffsets, the group events the loop
 * listens to, disconnect) and `producer()` (send, sendBatch). `admin()` stays on kafkajs.
 *
 * The package is optional and native (it compiles librdkafka when no prebuilt binary can be downloaded), so it
 * is loaded only when asked for, with an error that says how to install it.
 */
export const CONFLUENT_PACKAGE = '@confluentinc/kafka-javascript';

interface CkjsConsumer {
  connect(): Promise<void>;
  subscribe(s: { topics: (string | RegExp)[] }): Promise<void>;
  run(cfg: Record<string, unknown>): Promise<void>;
  commitOffsets(tps: TopicPartitionOffsetAndMetadata[]): Promise<void>;
  disconnect(): Promise<void>;
}
interface CkjsProducer {
  connect(): Promise<void>;
  send(r: Record<string, unknown>): Promise<unknown>;
  sendBatch(b: Record<string, unknown>): Promise<unknown>;
  disconnect(): Promise<void>;
}
interface CkjsKafka {
  consumer(cfg: Record<string, unknown>): CkjsConsumer;
  producer(cfg: Record<string, unknown>): CkjsProducer;
}
interface CkjsModule {
  KafkaJS: { Kafka: new (cfg: Record<string, unknown>) => CkjsKafka };
}
interface CkjsError {
  code?: number;
  type?: string;
  fatal?: boolean;
  message?: string;
}

let loaded: CkjsModule | null = null;

/** The package, or an error naming what to install; nothing is loaded while KAFKA_CLIENT=kafkajs. */
export function loadConfluent(): CkjsModule {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)(CONFLUENT_PACKAGE) as CkjsModule;
    return loaded;
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new Error(
      `KAFKA_CLIENT=confluent: the optional package ${CONFLUENT_PACKAGE} is not installed or its native ` +
        `build is missing (install it with \`bash scripts/kafka-client confluent\`; docs/adr/0005-kafka-client.md): ${why}`,
      { cause: e },
    );
  }
}

// librdkafka error codes (rdkafka.h): the rebalance callback's two cases, and broker answers that no retry heals,
// named as kafkajs names them so the publisher's refusal check (by `type`) works for both clients.
const ERR_ASSIGN_PARTITIONS = -175;
const ERR_REVOKE_PARTITIONS = -174;
const REFUSAL_TYPES = new Map<number, string>([
  [10, 'MESSAGE_TOO_LARGE'], // ERR_MSG_SIZE_TOO_LARGE (also librdkafka's own check before sending)
  [18, 'RECORD_LIST_TOO_LARGE'],
  [87, 'INVALID_RECORD'],
  [2, 'CORRUPT_MESSAGE'], // ERR_INVALID_MSG
  [32, 'INVALID_TIMESTAMP'],
]);
/** Usage errors: ERR__INVALID_ARG, ERR__NOT_IMPLEMENTED, ERR__STATE. */
const USAGE = new Set([-186, -170, -172]);

/**
 * A librdkafka failure as the kafkajs error the rest of the code classifies: `type` for a permanent refusal,
 * `retriable` for everything librdkafka itself would retry (not fatal, not a refusal, not a usage error).
 */
export function asKafkajsError(e: unknown): Error {
  const err = (e ?? {}) as CkjsError;
  if (typeof err.code !== 'number') return e instanceof Error ? e : new Error(String(e));
  const type = REFUSAL_TYPES.get(err.code) ?? err.type;
  const retriable = !err.fatal && !USAGE.has(err.code) && !REFUSAL_TYPES.has(err.code);
  // kafkajs' constructor takes a cause (its typings do not say so).
  const out = new kafkajs.KafkaJSError(err.message ?? 'librdkafka error', {
    retriable,
    cause: e,
  } as ConstructorParameters<typeof kafkajs.KafkaJSError>[1]);
  return Object.assign(out, { type, code: err.code });
}

const EVENTS = {
  GROUP_JOIN: 'consumer.group_join',
  REBALANCING: 'consumer.rebalancing',
  CRASH: 'consumer.crash',
  DISCONNECT: 'consumer.disconnect',
} as const;

/**
 * A kafkajs-shaped consumer over the confluent one. kafkajs takes `fromBeginning` at subscribe() and `autoCommit`
 * at run(); the confluent client needs both when the consumer is created, so creation waits for run().
 */
class ConfluentConsumer {
  readonly events = EVENTS;
  private readonly listeners = new Map<string, Set<(e: unknown) => void>>();
  private inner: CkjsConsumer | null = null;
  private topics: (string | RegExp)[] = [];
  private fromBeginning = false;
  private connected = false;

  constructor(
    private readonly kafka: CkjsKafka,
    private readonly cfg: ConsumerConfig,
    private readonly logger: ReturnType<typeof librdkafkaLogger>,
    private readonly librdkafka: Record<string, unknown> = {},
  ) {}

  on(event: string, listener: (e: unknown) => void): () => void {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener);
    this.listeners.set(event, set);
    return () => set.delete(listener);
  }

  private emit(type: string, payload: Record<string, unknown>): void {
    for (const l of this.listeners.get(type) ?? []) l({ id: 0, type, timestamp: Date.now(), payload });
  }

  async connect(): Promise<void> {
    this.connected = true;
  }

  async subscribe(s: ConsumerSubscribeTopics | ConsumerSubscribeTopic): Promise<void> {
    if (!this.connected) throw new Error('subscribe before connect');
    this.topics.push(...('topics' in s ? s.topics : [s.topic]));
    if (s.fromBeginning !== undefined) this.fromBeginning = s.fromBeginning;
  }

  async run(run: ConsumerRunConfig = {}): Promise<void> {
    const { autoCommit, autoCommitInterval, autoCommitThreshold, ...rest } = run;
    if (autoCommitThreshold !== undefined && autoCommitThreshold !== null)
      throw new Error('autoCommitThreshold is not supported by the confluent client');
    const c = this.cfg;
    const kafkaJS: Record<string, unknown> = {
      groupId: c.groupId,
      fromBeginning: this.fromBeginning,
      autoCommit: autoCommit ?? true,
      logger: this.logger,
    };
    if (autoCommitInterval !== undefined && autoCommitInterval !== null)
      kafkaJS.autoCommitInterval = autoCommitInterval;
    for (const k of [
      'sessionTimeout',
      'rebalanceTimeout',
      'heartbeatInterval',
      'maxWaitTimeInMs',
      'allowAutoTopicCreation',
      'maxBytes',
      'maxBytesPerPartition',
      'minBytes',
      'retry',
    ] as const) {
      if (c[k] !== undefined) kafkaJS[k] = c[k];
    }
    const groupId = c.groupId;
    const inner = this.kafka.consumer({
      // The package hands eachBatch at most 32 records, kafkajs a whole fetch; the consumer loop commits at the end
      // of each batch. 1,000 brought the bare pipe level with kafkajs (ADR 0005), the adapter only part of the way.
      'js.consumer.max.batch.size': 1000,
      ...this.librdkafka,
      kafkaJS,
      // Group events for the consumer loop (readiness, metrics): librdkafka reports them through this callback.
      rebalance_cb: (err: { code: number }, assignment: { topic: string; partition: number }[]) => {
        if (err.code === ERR_ASSIGN_PARTITIONS) {
          const memberAssignment: Record<string, number[]> = {};
          for (const a of assignment) (memberAssignment[a.topic] ??= []).push(a.partition);
          this.emit(EVENTS.GROUP_JOIN, { groupId, memberAssignment });
        } else if (err.code === ERR_REVOKE_PARTITIONS) {
          this.emit(EVENTS.REBALANCING, { groupId });
        }
        return undefined; // keep the client's own assignment handling
      },
    });
    this.inner = inner;
    try {
      await inner.connect();
      await inner.subscribe({ topics: this.topics });
      await inner.run(rest as Record<string, unknown>);
    } catch (e) {
      const error = asKafkajsError(e);
      this.emit(EVENTS.CRASH, { error, groupId, restart: false });
      throw error;
    }
  }

  async commitOffsets(tps: TopicPartitionOffsetAndMetadata[]): Promise<void> {
    if (!this.inner) throw new Error('commitOffsets before run');
    try {
      await this.inner.commitOffsets(tps);
    } catch (e) {
      throw asKafkajsError(e);
    }
  }

  async disconnect(): Promise<void> {
    const inner = this.inner;
    this.inner = null;
    this.connected = false;
    if (inner) await inner.disconnect();
    this.emit(EVENTS.DISCONNECT, {});
  }
}

/**
 * A kafkajs-shaped producer. The confluent client takes `acks` when the producer is created, not per send; the
 * adapter always sends with acks=-1 (all in-sync replicas), which is what an idempotent producer needs anyway.
 */
class ConfluentProducer {
  private readonly inner: CkjsProducer;

  constructor(
    kafka: CkjsKafka,
    cfg: ProducerConfig,
    logger: ReturnType<typeof librdkafkaLogger>,
    librdkafka: Record<string, unknown> = {},
  ) {
    const kafkaJS: Record<string, unknown> = { acks: -1, logger };
    for (const k of [
      'idempotent',
      'maxInFlightRequests',
      'allowAutoTopicCreation',
      'retry',
      'metadataMaxAge',
      'transactionTimeout',
    ] as const) {
      if (cfg[k] !== undefined) kafkaJS[k] = cfg[k];
    }
    // No linger, as kafkajs: the relay sends one batch at a time and waits for it (librdkafka waits 5 ms by default).
    this.inner = kafka.producer({ 'linger.ms': 0, ...librdkafka, kafkaJS });
  }

  private static acks(acks: number | undefined): void {
    if (acks !== undefined && acks !== -1)
      throw new Error(`the confluent client is set up with acks=-1; a send asked for acks=${acks}`);
  }

  async connect(): Promise<void> {
    try {
      await this.inner.connect();
    } catch (e) {
      throw asKafkajsError(e);
    }
  }

  async send({ acks, timeout: _t, compression: _c, ...record }: ProducerRecord): Promise<unknown> {
    ConfluentProducer.acks(acks);
    try {
      return await this.inner.send(record as unknown as Record<string, unknown>);
    } catch (e) {
      throw asKafkajsError(e);
    }
  }

  async sendBatch({ acks, timeout: _t, compression: _c, ...batch }: ProducerBatch): Promise<unknown> {
    ConfluentProducer.acks(acks);
    try {
      return await this.inner.sendBatch(batch as unknown as Record<string, unknown>);
    } catch (e) {
      throw asKafkajsError(e);
    }
  }

  async disconnect(): Promise<void> {
    await this.inner.disconnect();
  }
}

/**
 * librdkafka's log lines to pino at the level librdkafka gave them (its info as debug), as kafkajs' are: a broker
 * that cannot be reached is an error on both paths.
 */
export function librdkafkaLogger(logger: Logger | undefined) {
  const out = (level: 'error' | 'warn' | 'info' | 'debug') => (message: string, extra?: unknown) => {
    if (!logger) return;
    const fields = { librdkafka: extra };
    if (level === 'error' || level === 'warn') logger[level](fields, message);
    else logger.debug(fields, message);
  };
  return {
    error: out('error'),
    warn: out('warn'),
    info: out('info'),
    debug: out('debug'),
    namespace: () => librdkafkaLogger(logger),
    setLogLevel: () => undefined,
  };
}

export interface ConfluentOptions {
  brokers: string[];
  clientId: string;
  tls: Config['kafka']['tls'];
  ssl: boolean;
  sasl: Config['kafka']['sasl'];
  logger?: Logger | undefined;
  /** kafkajs for what is not bridged (admin). */
  admin: () => Admin;
  /** librdkafka settings beside the KafkaJS-style ones (benchmarks only, e.g. `js.consumer.max.batch.size`). */
  consumerConfig?: Record<string, unknown>;
  producerConfig?: Record<string, unknown>;
}

/** The confluent client behind the kafkajs `Kafka` type (the bridged subset only; see the module comment). */
export function createConfluentKafka(opts: ConfluentOptions): Kafka {
  const { KafkaJS } = loadConfluent();
  if (opts.tls?.servername)
    throw new Error(
      'KAFKA_SSL_SERVERNAME is not supported with KAFKA_CLIENT=confluent (librdkafka has no override)',
    );
  const logger = librdkafkaLogger(opts.logger);
  const outer: Record<string, unknown> = {};
  if (opts.tls?.caFile) outer['ssl.ca.location'] = opts.tls.caFile;
  if (opts.tls?.certFile) outer['ssl.certificate.location'] = opts.tls.certFile;
  if (opts.tls?.keyFile) outer['ssl.key.location'] = opts.tls.keyFile;
  const kafka = new KafkaJS.Kafka({
    ...outer,
    kafkaJS: {
      clientId: opts.clientId,
      brokers: opts.brokers,
      ssl: opts.ssl,
      ...(opts.sasl ? { sasl: opts.sasl } : {}),
      connectionTimeout: 3000,
      requestTimeout: 30000,
      logLevel: opts.logger ? 2 : 0, // WARN : NOTHING, the same levels as kafkajs'
      logger,
    },
  });
  const bridged = {
    consumer: (cfg: ConsumerConfig) =>
      new ConfluentConsumer(kafka, cfg, logger, opts.consumerConfig) as unknown as Consumer,
    producer: (cfg: ProducerConfig = {}) =>
      new ConfluentProducer(kafka, cfg, logger, opts.producerConfig) as unknown as Producer,
    admin: opts.admin,
  };
  return bridged as unknown as Kafka;
}
