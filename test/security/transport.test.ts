/**
 * Every connection secured, the same in every command (issue "Hardening", item 2). Our own TLS-only PostgreSQL
 * (client certificate required), Kafka broker (mTLS listener; SASL_SSL with SCRAM-SHA-256 and PLAIN) and an
 * HTTPS registry front (client certificate and basic auth) — certificates made by the test — and the CLI
 * commands run against them as operators run them. Wrong CA, wrong server name, missing client certificate
 * are refused; passwords never appear in any output.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../connectors/db/knex.js';
import { startApp, type App } from '../../src/runtime/app.js';
import { loadConfig } from '../../src/runtime/config.js';
import { dbOptions } from '../../src/runtime/connections.js';
import { testCodec, testLogger } from '../support/app.js';
import { lookupEvent } from '../support/events.js';
import { uniqueName, waitFor } from '../support/stack.js';
import {
  freePort,
  makeCerts,
  startTlsKafka,
  startTlsPostgres,
  startTlsRegistryProxy,
  type Certs,
  type TlsKafka,
  type TlsPostgres,
  type TlsRegistry,
} from './tls-stack.js';

interface Run {
  code: number;
  out: string;
}

/** `vss-bridge <args>` in a child process with exactly this environment (plus PATH). */
function cli(args: string[], env: Record<string, string>, timeoutMs = 90_000): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['bin/vss-bridge.mjs', ...args], {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', HTTP_PORT: '0', ...env },
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code: code ?? -1, out });
    });
  });
}

describe('transport: TLS to PostgreSQL, Kafka and the registry in every command', () => {
  let dir: string;
  let certs: Certs;
  let pg: TlsPostgres;
  let kafka: TlsKafka;
  let registry: TlsRegistry;
  let secrets: string[];
  /** Everything a command needs against our TLS servers, as operators would set it. */
  let env: Record<string, string>;
  const prefix = `${uniqueName('tls')}.`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vss-tls-'));
    certs = makeCerts(join(dir, 'certs'));
    const [pgPort] = [await freePort()];
    pg = startTlsPostgres(certs, pgPort);
    registry = await startTlsRegistryProxy(certs);
    kafka = await startTlsKafka(certs);
    secrets = [
      pg.ownerPassword,
      pg.runtimePassword,
      kafka.scramPassword,
      kafka.plainPassword,
      registry.password,
    ];
    env = {
      DATABASE_URL: pg.url('vss_runtime'),
      DATABASE_OWNER_URL: pg.url('vss'),
      DATABASE_SSL: 'true',
      DATABASE_SSL_CA_FILE: certs.ca,
      DATABASE_SSL_CERT_FILE: certs.clientCert,
      DATABASE_SSL_KEY_FILE: certs.clientKey,
      KAFKA_BROKERS: `127.0.0.1:${kafka.sslPort}`,
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: certs.ca,
      KAFKA_SSL_CERT_FILE: certs.clientCert,
      KAFKA_SSL_KEY_FILE: certs.clientKey,
      SCHEMA_REGISTRY_URL: registry.url,
      SCHEMA_REGISTRY_USERNAME: registry.username,
      SCHEMA_REGISTRY_PASSWORD: registry.password,
      SCHEMA_REGISTRY_SSL_CA_FILE: certs.ca,
      SCHEMA_REGISTRY_SSL_CERT_FILE: certs.clientCert,
      SCHEMA_REGISTRY_SSL_KEY_FILE: certs.clientKey,
      TOPIC_PREFIX: prefix,
      KAFKA_GROUP_ID: uniqueName('g-tls'),
    };
  }, 240_000);

  afterAll(async () => {
    await kafka?.stop();
    await registry?.stop();
    pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function noSecrets(r: Run): void {
    for (const s of secrets) expect(r.out).not.toContain(s);
  }

  it('PostgreSQL: migrate, hgd import, hgd refresh-frequencies and match all connect over TLS with a client certificate', async () => {
    const migrate = await cli(['migrate'], env);
    expect(migrate.out).toContain('privileges granted');
    expect(migrate.code).toBe(0);
    const members = join(dir, 'members.jsonl');
    writeFileSync(
      members,
      [
        {
          member_id: 'M1',
          household_code: '0100000001',
          full_name: 'Nguyễn Văn An',
          dob: '1980-01-02',
          gender: 'M',
        },
        {
          member_id: 'M2',
          household_code: '0100000001',
          full_name: 'Trần Thị Bình',
          dob: '1982-03-04',
          gender: 'F',
        },
      ]
        .map((m) => JSON.stringify(m))
        .join('\n'),
    );
    const imp = await cli(['hgd', 'import', '--file', members], env);
    expect(imp.out).toMatch(/imported 2/);
    expect(imp.code).toBe(0);
    const freq = await cli(['hgd', 'refresh-frequencies'], env);
    expect(freq.code).toBe(0);
    const queries = join(dir, 'queries.jsonl');
    writeFileSync(
      queries,
      JSON.stringify({ query_id: 'q1', full_name: 'Nguyễn Văn An', dob: '1980-01-02', gender: 'M' }),
    );
    const match = await cli(['match', '--file', queries, '--out', join(dir, 'out.jsonl')], env);
    expect(match.out).toMatch(/queries 1: match \d, review \d/);
    expect(match.code).toBe(0);
    expect(readFileSync(join(dir, 'out.jsonl'), 'utf8')).toContain('"query_id":"q1"');
    // The control for the refusals below: the same command, with the whole TLS configuration, succeeds.
    writeFileSync(join(dir, 'q-empty.jsonl'), '');
    const empty = await cli(['match', '--file', join(dir, 'q-empty.jsonl')], env);
    expect(empty.code).toBe(0);
    for (const r of [migrate, imp, freq, match, empty]) noSecrets(r);
  });

  it.each([
    [
      'without TLS (the server refuses plain connections)',
      {
        DATABASE_SSL: 'false',
        DATABASE_SSL_CA_FILE: '',
        DATABASE_SSL_CERT_FILE: '',
        DATABASE_SSL_KEY_FILE: '',
      },
    ],
    ['trusting the system CAs instead of ours', { DATABASE_SSL_CA_FILE: '' }],
    ['trusting another CA', { DATABASE_SSL_CA_FILE: 'ROGUE' }],
    ['expecting another server name', { DATABASE_SSL_SERVERNAME: 'db.elsewhere.example' }],
    ['without a client certificate', { DATABASE_SSL_CERT_FILE: '', DATABASE_SSL_KEY_FILE: '' }],
  ])('PostgreSQL %s: refused, and no password printed', async (_what, change) => {
    const e: Record<string, string> = { ...env, ...change };
    if (e.DATABASE_SSL_CA_FILE === 'ROGUE') e.DATABASE_SSL_CA_FILE = certs.rogueCa;
    const queries = join(dir, 'q-empty.jsonl');
    writeFileSync(queries, '');
    const r = await cli(['match', '--file', queries], e);
    expect(r.code).not.toBe(0);
    noSecrets(r);
  });

  it('Kafka: lag over the mTLS listener; SCRAM-SHA-256 over SASL_SSL; PLAIN only with TLS; wrong CA or server name refused', async () => {
    const ok = await cli(['lag', '--json'], env);
    expect(ok.out).toContain('"totalLag":0');
    expect(ok.code).toBe(0);

    const scram = {
      ...env,
      KAFKA_BROKERS: `127.0.0.1:${kafka.saslPort}`,
      KAFKA_SSL_CERT_FILE: '',
      KAFKA_SSL_KEY_FILE: '',
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: 'alice',
      KAFKA_SASL_PASSWORD: kafka.scramPassword,
    };
    const s = await cli(['lag', '--json'], scram);
    expect(s.code).toBe(0);
    const wrong = await cli(['lag', '--json'], { ...scram, KAFKA_SASL_PASSWORD: 'not-it-S3cret' });
    expect(wrong.code).not.toBe(0);
    expect(wrong.out).not.toContain('not-it-S3cret');

    const plain = {
      ...scram,
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'bob',
      KAFKA_SASL_PASSWORD: kafka.plainPassword,
    };
    const p = await cli(['lag', '--json'], plain);
    expect(p.code).toBe(0);
    const clear = await cli(['lag', '--json'], { ...plain, KAFKA_SSL: 'false', KAFKA_SSL_CA_FILE: '' });
    expect(clear.code).toBe(2);
    expect(clear.out).toMatch(/KAFKA_SASL_MECHANISM: plain .* only with KAFKA_SSL=true/);

    const rogue = await cli(['lag', '--json'], { ...env, KAFKA_SSL_CA_FILE: certs.rogueCa });
    expect(rogue.code).not.toBe(0);
    const name = await cli(['lag', '--json'], { ...env, KAFKA_SSL_SERVERNAME: 'kafka.elsewhere.example' });
    expect(name.code).not.toBe(0);
    for (const r of [ok, s, wrong, p, clear, rogue, name]) noSecrets(r);
  });

  it('registry: schemas register/check over HTTPS with a client certificate and basic auth; credentials in the URL are never printed', async () => {
    const reg = await cli(['schemas', 'register'], env);
    expect(reg.out).toMatch(/registered .*-value id=\d+/);
    expect(reg.code).toBe(0);
    const inUrl = {
      ...env,
      SCHEMA_REGISTRY_USERNAME: '',
      SCHEMA_REGISTRY_PASSWORD: '',
      SCHEMA_REGISTRY_URL: registry.url.replace(
        'https://',
        `https://${registry.username}:${registry.password}@`,
      ),
    };
    const check = await cli(['schemas', 'check'], inUrl);
    expect(check.out).toMatch(/compatible {2}/);
    expect(check.code).toBe(0);
    const badPw = await cli(['schemas', 'check'], { ...env, SCHEMA_REGISTRY_PASSWORD: 'wrong-S3cret' });
    expect(badPw.code).not.toBe(0);
    expect(badPw.out).not.toContain('wrong-S3cret');
    const noCert = await cli(['schemas', 'check'], {
      ...env,
      SCHEMA_REGISTRY_SSL_CERT_FILE: '',
      SCHEMA_REGISTRY_SSL_KEY_FILE: '',
    });
    expect(noCert.code).not.toBe(0);
    const unreachable = await cli(['schemas', 'check'], {
      ...inUrl,
      SCHEMA_REGISTRY_URL: `https://u:gone-S3cret@127.0.0.1:${await freePort()}`,
    });
    expect(unreachable.code).not.toBe(0);
    expect(unreachable.out).not.toContain('gone-S3cret');
    for (const r of [reg, check, badPw, noCert]) noSecrets(r);
  });

  it('run: the adapter consumes over mTLS, writes over TLS as the runtime role, decodes through the HTTPS registry, and is ready', async () => {
    const config = loadConfig({ ...env, LOG_LEVEL: 'warn' });
    let app: App | null = null;
    try {
      app = await startApp(config, testLogger('fatal'));
      // The input schema registered as VssID would register it (through the HTTPS front, with auth).
      const codec = await testCodec(config);
      const producer = new Kafka({
        clientId: 'tls-producer',
        brokers: [`127.0.0.1:${kafka.sslPort}`],
        ssl: {
          ca: readFileSync(certs.ca, 'utf8'),
          cert: readFileSync(certs.clientCert, 'utf8'),
          key: readFileSync(certs.clientKey, 'utf8'),
        },
        logLevel: logLevel.NOTHING,
      }).producer();
      await producer.connect();
      const event = lookupEvent(1);
      await producer.send({
        topic: config.topics.codeLookupFailed,
        messages: [{ key: randomUUID(), value: await codec.encode(config.topics.codeLookupFailed, event) }],
      });
      await producer.disconnect();
      codec.close();
      const owner = createDb(pg.url('vss'), dbOptions(config, { poolMax: 1 }));
      try {
        await waitFor(
          'the event processed',
          async () => {
            const rows = await owner('bridge.inbox').where({ event_id: event.eventId });
            return rows.length === 1;
          },
          60_000,
        );
      } finally {
        await owner.destroy();
      }
      const ready = await app.http.readiness();
      expect(ready, JSON.stringify(ready.checks)).toMatchObject({ ready: true });
    } finally {
      await app?.stop();
    }
  });
});
