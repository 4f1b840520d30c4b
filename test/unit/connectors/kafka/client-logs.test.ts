import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { logCreator } from '../../../../connectors/kafka/client.js';
import type { Logger } from '../../../../src/runtime/logger.js';

function capture() {
  const lines: [string, string][] = [];
  const at = (level: string) => (_fields: unknown, msg: string) => void lines.push([level, msg]);
  const logger = {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
  } as unknown as Logger;
  return { lines, log: logCreator(logger)() };
}

const entry = (level: logLevel, message: string, extra: Record<string, unknown> = {}) => ({
  namespace: 'Connection',
  level,
  label: 'ERROR',
  log: { timestamp: '', logger: 'kafkajs', message, ...extra },
});

describe('kafkajs log levels', () => {
  it('a routine rebalance or leader move (retriable broker error) is logged at info, not error', () => {
    const { lines, log } = capture();
    log(
      entry(logLevel.ERROR, 'Response Heartbeat(key: 12, version: 3)', {
        error: 'The group is rebalancing, so a rejoin is needed',
      }),
    );
    log(
      entry(logLevel.ERROR, 'Response ListOffsets(key: 2, version: 3)', {
        error: 'This server is not the leader for that topic-partition',
      }),
    );
    expect(lines.map(([l]) => l)).toEqual(['info', 'info']);
  });

  it('other errors stay errors', () => {
    const { lines, log } = capture();
    log(
      entry(logLevel.ERROR, 'Response SaslAuthenticate', {
        error: 'Request is not valid given the current SASL state',
      }),
    );
    log(entry(logLevel.ERROR, 'Crash: KafkaJSNumberOfRetriesExceeded'));
    expect(lines.map(([l]) => l)).toEqual(['error', 'error']);
  });
});
