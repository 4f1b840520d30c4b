import kafkajs from 'kafkajs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { isTransientInfraError } from '../../../connectors/transient.js';
import { PermanentError, TransientError } from '../../../src/domain/errors.js';

const dbError = (code: string) => Object.assign(new pg.DatabaseError('x', 1, 'error'), { code });

describe('isTransientInfraError (by type, never by parsing messages of our own)', () => {
  it.each([
    ['our TransientError', new TransientError('registry down'), true],
    ['our PermanentError', new PermanentError('VALIDATION_FAILED', 'bad'), false],
    ['kafkajs retriable (connection)', new kafkajs.KafkaJSConnectionError('gone'), true],
    ['kafkajs non-retriable', new kafkajs.KafkaJSNonRetriableError('no'), false],
    [
      'kafkajs retries exhausted on a retriable cause',
      new kafkajs.KafkaJSNumberOfRetriesExceeded(new kafkajs.KafkaJSConnectionError('gone'), {
        retryCount: 5,
        retryTime: 1000,
      }),
      true,
    ],
    ['SQLSTATE 08006 connection failure', dbError('08006'), true],
    ['SQLSTATE 57P01 admin shutdown', dbError('57P01'), true],
    ['SQLSTATE 40001 serialization failure', dbError('40001'), true],
    ['SQLSTATE 53300 too many connections', dbError('53300'), true],
    ['SQLSTATE 23505 unique violation', dbError('23505'), false],
    ['SQLSTATE 42P01 undefined table', dbError('42P01'), false],
    [
      'socket error ECONNREFUSED',
      Object.assign(new Error('connect'), { code: 'ECONNREFUSED', syscall: 'connect' }),
      true,
    ],
    ['pg connection lost mid-query', new Error('Connection terminated unexpectedly'), true],
    ['a TypeError (a bug)', new TypeError('x is undefined'), false],
    ['a plain Error of ours', new Error('something else'), false],
    [
      'AggregateError of socket errors (every address refused)',
      new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED', syscall: 'connect' })]),
      true,
    ],
  ])('%s → %s', (_name, e, expected) => {
    expect(isTransientInfraError(e)).toBe(expected);
  });
});
