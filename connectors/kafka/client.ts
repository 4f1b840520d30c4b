import { createRequire } from 'node:module';
import { Kafka, logLevel as KafkaLogLevel, type LogEntry, type SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import type { Config } from '../../src/runtime/config.js';
import { tlsOptions } from '../../src/runtime/connections.js';
import { createConfluentKafka } from './confluent.js';
import type { Logger } from '../../src/runtime/logger.js';

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  /** false: no TLS; true: TLS against the system CAs; an object: TLS with these options (CA, cert, servername). */
  ssl?: boolean | ConnectionOptions;
  sasl?: Config['kafka']['sasl'];
  logger?: Logger;
  /** Faster give-up for probes and CLIs; the long-running consumer keeps kafkajs defaults. */
  retries?: number;
}

/**
 * The texts of the broker's routine protocol errors, from kafkajs' own table: the retriable ones (a leader moving,
 * a topic being created) and the group-coordination answers that announce a rebalance (REBALANCE_IN_PROGRESS …).
 * kafkajs logs every error response at error level; these it handles itself, so they must not page anyone.
 */
const GROUP_COORDINATION = new Set([
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'MEMBER_ID_REQUIRED',
]);
const ROUTINE_BROKER_ERRORS = new Set(
  (
    createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as {
      errorCodes: { type: string; message: string; retriable: boolean }[];
    }
  ).errorCodes
    .filter((e) => e.retriable || GROUP_COORDINATION.has(e.type))
    .map((e) => e.message),
);

/** kafkajs log entries go to pino at debug/warn/error; kafkajs' own noisy info goes to debug. */
export function logCreator(logger: Logger | undefined) {
  return () =>
    ({ level, log }: LogEntry) => {
      if (!logger) return;
      const { message, ...extra } = log;
      const fields = { kafkajs: extra };
      const routine = typeof extra.error === 'string' && ROUTINE_BROKER_ERRORS.has(extra.error);
      if (level === KafkaLogLevel.ERROR && routine) logger.info(fields, message);
      else if (level === KafkaLogLevel.ERROR) logger.error(fields, message);
      // Bounded producer retries are deliberate (the outbox re-sends with the same ids), so kafkajs' warning
      // about them is not news to an operator.
      else if (
        level === KafkaLogLevel.WARN &&
        !message.startsWith('Limiting retries for the idempotent producer')
      )
        logger.warn(fields, message);
      else logger.debug(fields, message);
    };
}

// We use the default (murmur2, Java-compatible) partitioner deliberately; no need to warn on every producer.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

export function createKafka(opts: KafkaClientOptions): Kafka {
  return new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    ssl:
      opts.ssl === true || opts.ssl === undefined || opts.ssl === false
        ? (opts.ssl ?? false)
        : { ...opts.ssl, rejectUnauthorized: true },
    sasl: (opts.sasl ?? undefined) as SASLOptions | undefined,
    logLevel: opts.logger ? KafkaLogLevel.WARN : KafkaLogLevel.NOTHING,
    logCreator: logCreator(opts.logger),
    connectionTimeout: 3000,
    requestTimeout: 30000,
    retry: opts.retries === undefined ? { initialRetryTime: 300, retries: 8 } : { retries: opts.retries },
  });
}

export function kafkaFromConfig(config: Config, logger?: Logger, retries?: number): Kafka {
  return createKafka({
    brokers: config.kafka.brokers,
    clientId: config.kafka.clientId,
    ssl: config.kafka.ssl ? tlsOptions(config.kafka.tls, 'KAFKA_SSL') : false,
    sasl: config.kafka.sasl,
    ...(logger ? { logger } : {}),
    ...(retries === undefined ? {} : { retries }),
  });
}

/**
 * The client of the data path (the consumer group and the producer of `run` and of the outbox relay), chosen by
 * KAFKA_CLIENT: kafkajs (default) or the confluent client (docs/adr/0005-kafka-client.md). Admin operations and
 * the test and benchmark harnesses stay on kafkajs.
 */
export function kafkaClientFromConfig(config: Config, logger?: Logger): Kafka {
  const kafka = kafkaFromConfig(config, logger);
  if ((config.kafka.client ?? 'kafkajs') === 'kafkajs') return kafka;
  return createConfluentKafka({
    brokers: config.kafka.brokers,
    clientId: config.kafka.clientId,
    ssl: config.kafka.ssl,
    tls: config.kafka.tls,
    sasl: config.kafka.sasl,
    logger,
    admin: () => kafka.admin(),
  });
}
