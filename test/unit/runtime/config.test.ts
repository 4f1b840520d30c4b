import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_TOPICS, loadConfig } from '../../../src/runtime/config.js';
import { runtimeDb } from '../../../src/runtime/connections.js';

const RUNTIME_URL = 'postgres://app:pw@db.example:5432/vss';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig({ DATABASE_URL: RUNTIME_URL, ...env });
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

describe('loadConfig', () => {
  it('defaults point at the local stack; its credentials only with VSS_PROFILE=local', () => {
    const c = loadConfig({ VSS_PROFILE: 'local' });
    expect(c.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(c.schemaRegistryUrl).toBe('http://127.0.0.1:8081');
    expect(c.databaseUrl).toBe('postgres://vss_runtime:vss_runtime@127.0.0.1:5432/vss');
    expect(c.databaseOwnerUrl).toBe('postgres://vss:vss@127.0.0.1:5432/vss');
    expect(c.databaseRuntimeRole).toBe('vss_runtime');
    expect(c.topics).toEqual(DEFAULT_TOPICS);
    expect(c.kafka.groupId).toBe('vss-bridge');
    expect(c.bqpCodePattern).toBeNull();
  });

  it('without VSS_PROFILE=local a missing DATABASE_URL is an error, and no owner URL is made up', () => {
    const noDb = loadConfig({});
    expect(noDb.databaseUrl).toBe('');
    expect(() => runtimeDb(noDb)).toThrow(
      /^invalid configuration: DATABASE_URL: required .*VSS_PROFILE=local/,
    );
    const c = loadConfig({ DATABASE_URL: RUNTIME_URL });
    expect(c.databaseOwnerUrl).toBeNull();
    expect(c.databaseRuntimeRole).toBe('app');
    expect(loadConfig({ DATABASE_URL: RUNTIME_URL, DATABASE_RUNTIME_ROLE: 'svc' }).databaseRuntimeRole).toBe(
      'svc',
    );
    expect(problemsOf({ DATABASE_RUNTIME_ROLE: 'x; drop' })[0]).toMatch(/^DATABASE_RUNTIME_ROLE/);
    expect(problemsOf({ VSS_PROFILE: 'prod' })[0]).toMatch(/^VSS_PROFILE/);
  });

  it('applies the topic prefix and per-topic overrides', () => {
    const c = loadConfig({
      DATABASE_URL: RUNTIME_URL,
      TOPIC_PREFIX: 'staging.',
      TOPIC_CODE_LOOKUP_FAILED: 'lookup.failed',
    });
    expect(c.topics.codeLookupFailed).toBe('staging.lookup.failed');
    expect(c.topics.registrationDecided).toBe('staging.vssid.registration.decided');
  });

  it.each([
    ['KAFKA_BROKERS', 'not a broker', 'KAFKA_BROKERS'],
    ['KAFKA_BROKERS', 'host:99999', 'KAFKA_BROKERS'],
    ['DATABASE_URL', 'mysql://x@y/z', 'DATABASE_URL'],
    ['DATABASE_URL', 'postgres://vss:secret@127.0.0.1:5432', 'DATABASE_URL'],
    ['SCHEMA_REGISTRY_URL', 'ftp://x', 'SCHEMA_REGISTRY_URL'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL'],
    ['HTTP_PORT', '70000', 'HTTP_PORT'],
    ['KAFKA_SSL', 'maybe', 'KAFKA_SSL'],
    ['TOPIC_PREFIX', 'a b', 'TOPIC_PREFIX'],
    ['BQP_CODE_PATTERN', '([', 'BQP_CODE_PATTERN'],
    ['KAFKA_SASL_MECHANISM', 'plain', 'KAFKA_SASL_USERNAME'],
  ])('%s=%s is rejected with a message naming %s', (name, value, named) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(named);
  });

  it('lists every bad variable at once and never prints a database password', () => {
    const problems = problemsOf({
      KAFKA_BROKERS: 'x',
      DATABASE_URL: 'postgres://vss:secret@127.0.0.1:5432',
      LOG_LEVEL: 'x',
    });
    expect(problems.map((p) => p.split(':')[0])).toEqual(['KAFKA_BROKERS', 'DATABASE_URL', 'LOG_LEVEL']);
    expect(problems.join(' ')).not.toContain('secret');
  });

  it('transport: PLAIN only over TLS; TLS files turn TLS on; registry credentials leave the URL', () => {
    const plain = { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' };
    expect(problemsOf(plain)[0]).toMatch(/^KAFKA_SASL_MECHANISM: plain .*only with KAFKA_SSL=true/);
    expect(problemsOf({ ...plain, KAFKA_SSL: 'true' })).toEqual([]);
    expect(problemsOf({ KAFKA_SSL_CA_FILE: '/no/such/ca.pem' })[0]).toMatch(
      /^KAFKA_SSL_CA_FILE: no such file/,
    );
    expect(problemsOf({ DATABASE_SSL_CERT_FILE: 'package.json' })[0]).toMatch(/set both or neither/);
    const c = loadConfig({
      DATABASE_URL: RUNTIME_URL,
      KAFKA_SSL_CA_FILE: 'package.json',
      DATABASE_SSL_SERVERNAME: 'db.example',
      SCHEMA_REGISTRY_URL: 'https://reg:s3cret@registry.example:8081/',
    });
    expect(c.kafka.ssl).toBe(true);
    expect(c.databaseSsl).toBe(true);
    expect(c.schemaRegistryUrl).toBe('https://registry.example:8081');
    expect(c.schemaRegistryAuth).toEqual({ username: 'reg', password: 's3cret' });
    expect(problemsOf({ SCHEMA_REGISTRY_URL: 'ftp://u:s3cret@x' }).join(' ')).not.toContain('s3cret');
  });
});
