import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { asKafkajsError, librdkafkaLogger } from '../../../../connectors/kafka/confluent.js';
import { isTransientKafkaError } from '../../../../connectors/kafka/errors.js';
import { commitTime } from '../../../../connectors/kafka/lag.js';
import { ConfigError, loadConfig } from '../../../../src/runtime/config.js';
import { isTransientInfraError } from '../../../../connectors/transient.js';
import type { Logger } from '../../../../src/runtime/logger.js';

/** A librdkafka error as @confluentinc/kafka-javascript throws it (code, type, fatal). */
const rdError = (code: number, type: string, fatal = false) =>
  Object.assign(new Error(`Local: ${type}`), { code, type, fatal });

describe('KAFKA_CLIENT', () => {
  it('defaults to kafkajs, takes confluent, refuses anything else naming the variable', () => {
    expect(loadConfig({ VSS_PROFILE: 'local' }).kafka.client).toBe('kafkajs');
    expect(loadConfig({ VSS_PROFILE: 'local', KAFKA_CLIENT: 'confluent' }).kafka.client).toBe('confluent');
    let problems: string[] = [];
    try {
      loadConfig({ VSS_PROFILE: 'local', KAFKA_CLIENT: 'rdkafka' });
    } catch (e) {
      if (e instanceof ConfigError) problems = e.problems;
    }
    expect(problems).toEqual(["KAFKA_CLIENT: expected kafkajs|confluent, got 'rdkafka'"]);
  });
});

describe('confluent client errors, classified as the kafkajs path classifies them', () => {
  it('a broker away or a delivery timeout is retried (transient), like kafkajs retriable errors', () => {
    for (const e of [
      rdError(-195, 'ERR__TRANSPORT'),
      rdError(-187, 'ERR__ALL_BROKERS_DOWN'),
      rdError(-192, 'ERR__MSG_TIMED_OUT'),
      rdError(6, 'ERR_NOT_LEADER_FOR_PARTITION'),
    ]) {
      const k = asKafkajsError(e);
      expect(k).toBeInstanceOf(kafkajs.KafkaJSError);
      expect(isTransientKafkaError(k)).toBe(true);
      expect(isTransientInfraError(k)).toBe(true);
      expect((k as { cause?: unknown }).cause).toBe(e);
    }
  });

  it('a permanent refusal carries the kafkajs type the publisher turns into PublishRefused (not retried)', () => {
    expect(asKafkajsError(rdError(10, 'ERR_MSG_SIZE_TOO_LARGE'))).toMatchObject({
      type: 'MESSAGE_TOO_LARGE',
      retriable: false,
    });
    expect(asKafkajsError(rdError(87, 'ERR_INVALID_RECORD'))).toMatchObject({ type: 'INVALID_RECORD' });
    expect(asKafkajsError(rdError(2, 'ERR_INVALID_MSG'))).toMatchObject({ type: 'CORRUPT_MESSAGE' });
  });

  it('fatal errors and usage errors are not retried', () => {
    expect(isTransientKafkaError(asKafkajsError(rdError(-150, 'ERR__FATAL', true)))).toBe(false);
    expect(isTransientKafkaError(asKafkajsError(rdError(-186, 'ERR__INVALID_ARG')))).toBe(false);
    expect(isTransientKafkaError(asKafkajsError(rdError(-172, 'ERR__STATE')))).toBe(false);
  });

  it('anything without a librdkafka code passes through unchanged', () => {
    const e = new TypeError('x');
    expect(asKafkajsError(e)).toBe(e);
  });
});

describe('librdkafka log lines', () => {
  it('errors and warnings keep their level, librdkafka info is debug', () => {
    const seen: [string, string][] = [];
    const logger = Object.fromEntries(
      ['error', 'warn', 'info', 'debug'].map((l) => [l, (_f: unknown, m: string) => seen.push([l, m])]),
    ) as unknown as Logger;
    const l = librdkafkaLogger(logger);
    l.error(
      '[thrd:127.0.0.1:9092/1]: 127.0.0.1:9092/1: Connect to ipv4#127.0.0.1:9092 failed: Connection refused',
    );
    l.error('Error: all broker connections are down');
    l.error('Consumer encountered error while processing message');
    l.warn('Group coordinator changed');
    l.info('Received rebalance event');
    expect(seen.map(([level]) => level)).toEqual(['error', 'error', 'error', 'warn', 'debug']);
  });
});

describe('commit time in the offset metadata', () => {
  it('reads what either client committed (the confluent client adds a NUL byte), nothing else', () => {
    expect(commitTime('1795654563690')).toBe(1795654563690);
    expect(commitTime('1795654563690\u0000')).toBe(1795654563690);
    expect(commitTime('')).toBeNull();
    expect(commitTime(null)).toBeNull();
    expect(commitTime('hello')).toBeNull();
    expect(commitTime('42')).toBeNull();
  });
});
