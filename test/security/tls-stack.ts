/**
 * Our own TLS-only servers for the transport tests, on free 127.0.0.1 ports (the shared stack is never touched):
 * a certificate authority made here with the openssl CLI, a PostgreSQL cluster (initdb into a temp dir) that
 * accepts only TLS with a client certificate, a Kafka broker with an mTLS listener and a SASL_SSL listener
 * (SCRAM-SHA-256 and PLAIN), and an HTTPS proxy in front of the shared schema registry that wants a client
 * certificate and basic auth.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { request as httpRequest } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { STACK, waitFor } from '../support/stack.js';

const ROOT = new URL('../../', import.meta.url).pathname;

export async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface Certs {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A CA that signed nothing here: trusting it instead must fail. */
  rogueCa: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

/** A CA, a server certificate for localhost / 127.0.0.1, a client certificate, and an unrelated CA. */
export function makeCerts(dir: string): Certs {
  mkdirSync(dir, { recursive: true });
  const days = ['-days', '2'];
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      ...days,
      '-subj',
      '/CN=vss-bridge test CA',
    ],
    dir,
  );
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'rogue.key',
      '-out',
      'rogue.pem',
      ...days,
      '-subj',
      '/CN=rogue CA',
    ],
    dir,
  );
  writeFileSync(
    join(dir, 'server.ext'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
  );
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, cn] of [
    ['server', 'localhost'],
    ['client', 'vss_runtime'],
  ] as const) {
    openssl(
      [
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
        '-subj',
        `/CN=${cn}`,
      ],
      dir,
    );
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${name}.pem`,
        ...days,
        '-extfile',
        `${name}.ext`,
      ],
      dir,
    );
  }
  return {
    dir,
    ca: join(dir, 'ca.pem'),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.pem'),
    clientKey: join(dir, 'client.key'),
    rogueCa: join(dir, 'rogue.pem'),
  };
}

const asRoot = process.getuid?.() === 0;
function pgBin(): string {
  const dirs = execFileSync('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1'])
    .toString()
    .trim();
  if (!dirs)
    throw new Error(
      'PostgreSQL binaries not found under /usr/lib/postgresql (scripts/stack up installs them)',
    );
  return dirs;
}
/** Runs a PostgreSQL tool as the postgres OS user when we are root (the server refuses to run as root). */
function asPg(cmd: string, args: string[]): string {
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  return execFileSync(file, argv, { stdio: 'pipe' }).toString();
}

export interface TlsPostgres {
  port: number;
  ownerPassword: string;
  runtimePassword: string;
  url(user: 'vss' | 'vss_runtime'): string;
  stop(): void;
}

/** A PostgreSQL cluster that accepts only TLS connections with a client certificate signed by our CA. */
export function startTlsPostgres(certs: Certs, port: number): TlsPostgres {
  const bin = pgBin();
  const dir = mkdtempSync(join(tmpdir(), 'vss-tls-pg-'));
  const data = join(dir, 'data');
  const run = join(dir, 'run');
  mkdirSync(run);
  for (const [from, to] of [
    [certs.serverCert, 'server.pem'],
    [certs.serverKey, 'server.key'],
    [certs.ca, 'ca.pem'],
  ] as const)
    writeFileSync(join(dir, to), readFileSync(from));
  chmodSync(join(dir, 'server.key'), 0o600);
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    for (const p of [dir, run, join(dir, 'server.pem'), join(dir, 'server.key'), join(dir, 'ca.pem')])
      chownSync(p, uid, gid);
  }
  asPg(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth-local=trust',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
  ]);
  writeFileSync(
    join(data, 'postgresql.conf'),
    `${readFileSync(join(data, 'postgresql.conf'), 'utf8')}
listen_addresses = '127.0.0.1'
port = ${port}
unix_socket_directories = '${run}'
max_connections = 60
shared_buffers = 32MB
fsync = off
ssl = on
ssl_cert_file = '${join(dir, 'server.pem')}'
ssl_key_file = '${join(dir, 'server.key')}'
ssl_ca_file = '${join(dir, 'ca.pem')}'
`,
  );
  writeFileSync(
    join(data, 'pg_hba.conf'),
    `local all all trust
hostssl all all 127.0.0.1/32 scram-sha-256 clientcert=verify-ca
hostnossl all all 127.0.0.1/32 reject
`,
  );
  asPg(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'postgres.log'), '-w', '-t', '60', 'start']);
  const ownerPassword = 'owner-S3cret-pg';
  const runtimePassword = 'runtime-S3cret-pg';
  asPg('psql', [
    '-h',
    run,
    '-p',
    String(port),
    '-U',
    'postgres',
    '-d',
    'postgres',
    '-v',
    'ON_ERROR_STOP=1',
    '-q',
    '-c',
    `create role vss login createdb password '${ownerPassword}'`,
    '-c',
    `create role vss_runtime login password '${runtimePassword}'`,
    '-c',
    'create database vss owner vss',
  ]);
  return {
    port,
    ownerPassword,
    runtimePassword,
    url: (user) =>
      `postgres://${user}:${user === 'vss' ? ownerPassword : runtimePassword}@127.0.0.1:${port}/vss`,
    stop() {
      try {
        asPg(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export interface TlsKafka {
  /** mTLS listener (ssl.client.auth=required). */
  sslPort: number;
  /** SASL_SSL listener: SCRAM-SHA-256 (alice / scramPassword) and PLAIN (bob / plainPassword). */
  saslPort: number;
  scramPassword: string;
  plainPassword: string;
  stop(): Promise<void>;
}

function kafkaLibs(): string {
  const cache = process.env.VSS_CACHE_DIR ?? join(ROOT, '.cache');
  const libs = join(cache, 'kafka-3.9.1', 'libs');
  if (!existsSync(join(libs, '.complete')))
    throw new Error(`Kafka jars not found in ${libs} (run: bash scripts/stack up)`);
  return libs;
}

/** A one-node KRaft broker with TLS listeners only towards clients. */
export async function startTlsKafka(certs: Certs): Promise<TlsKafka> {
  const [sslPort, saslPort, internal, controller] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const dir = mkdtempSync(join(tmpdir(), 'vss-tls-kafka-'));
  const keystore = join(dir, 'server-keystore.pem');
  writeFileSync(keystore, readFileSync(certs.serverKey, 'utf8') + readFileSync(certs.serverCert, 'utf8'));
  const scramPassword = 'alice-S3cret-kafka';
  const plainPassword = 'bob-S3cret-kafka';
  const props = join(dir, 'server.properties');
  writeFileSync(
    props,
    `process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${controller}
listeners=SSL://127.0.0.1:${sslPort},SASL_SSL://127.0.0.1:${saslPort},INTERNAL://127.0.0.1:${internal},CONTROLLER://127.0.0.1:${controller}
advertised.listeners=SSL://127.0.0.1:${sslPort},SASL_SSL://127.0.0.1:${saslPort},INTERNAL://127.0.0.1:${internal}
listener.security.protocol.map=SSL:SSL,SASL_SSL:SASL_SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=INTERNAL
controller.listener.names=CONTROLLER
sasl.enabled.mechanisms=SCRAM-SHA-256,PLAIN
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_bob="${plainPassword}";
ssl.keystore.type=PEM
ssl.keystore.location=${keystore}
ssl.truststore.type=PEM
ssl.truststore.location=${certs.ca}
listener.name.ssl.ssl.client.auth=required
log.dirs=${join(dir, 'data')}
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
`,
  );
  const log4j = join(dir, 'log4j.properties');
  writeFileSync(
    log4j,
    'log4j.rootLogger=WARN, stdout\nlog4j.appender.stdout=org.apache.log4j.ConsoleAppender\nlog4j.appender.stdout.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n\n',
  );
  const cp = `${kafkaLibs()}/*`;
  const java = ['-cp', cp, `-Dlog4j.configuration=file:${log4j}`];
  const cid = execFileSync('java', [...java, 'kafka.tools.StorageTool', 'random-uuid'])
    .toString()
    .trim()
    .split('\n')
    .pop()!;
  execFileSync(
    'java',
    [
      ...java,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      cid,
      '-c',
      props,
      '--add-scram',
      `SCRAM-SHA-256=[name=alice,password=${scramPassword}]`,
    ],
    { stdio: 'pipe' },
  );
  const proc: ChildProcess = spawn('java', ['-Xms128m', '-Xmx384m', ...java, 'kafka.Kafka', props], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  proc.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const probe = new Kafka({
    clientId: 'tls-probe',
    brokers: [`127.0.0.1:${sslPort}`],
    ssl: {
      ca: readFileSync(certs.ca, 'utf8'),
      cert: readFileSync(certs.clientCert, 'utf8'),
      key: readFileSync(certs.clientKey, 'utf8'),
    },
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 2000,
  });
  try {
    await waitFor(
      'the TLS broker',
      async () => {
        if (proc.exitCode !== null) throw new Error(`broker exited ${proc.exitCode}: ${out}`);
        const a = probe.admin();
        try {
          await a.connect();
          await a.describeCluster();
          // The group coordinator answers only once the offsets topic exists: commands asking about groups
          // (lag) would otherwise meet "not the correct coordinator" on a broker this fresh.
          await a.describeGroups(['tls-probe']);
          return true;
        } finally {
          await a.disconnect().catch(() => undefined);
        }
      },
      120_000,
      1000,
    );
  } catch (e) {
    proc.kill('SIGKILL');
    throw new Error(`${(e as Error).message}\n${out}`);
  }
  return {
    sslPort,
    saslPort,
    scramPassword,
    plainPassword,
    async stop() {
      proc.kill('SIGTERM');
      await new Promise<void>((r) => {
        const t = setTimeout(() => {
          proc.kill('SIGKILL');
          r();
        }, 15_000);
        proc.once('exit', () => {
          clearTimeout(t);
          r();
        });
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TlsRegistry {
  url: string;
  username: string;
  password: string;
  stop(): Promise<void>;
}

/** HTTPS in front of the shared registry: a client certificate and basic auth required. */
export async function startTlsRegistryProxy(certs: Certs): Promise<TlsRegistry> {
  const username = 'registry-user';
  const password = 'reg-S3cret-pw';
  const expected = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const target = new URL(STACK.registryUrl);
  const server: HttpsServer = createHttpsServer(
    {
      key: readFileSync(certs.serverKey),
      cert: readFileSync(certs.serverCert),
      ca: readFileSync(certs.ca),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      if (req.headers.authorization !== expected) {
        res
          .writeHead(401, { 'Content-Type': 'application/json' })
          .end('{"error_code":401,"message":"Unauthorized"}');
        return;
      }
      const up = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          path: req.url,
          method: req.method,
          headers: { ...req.headers, host: target.host, authorization: '' },
        },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on('error', () => res.writeHead(502).end());
      req.pipe(up);
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `https://127.0.0.1:${port}`,
    username,
    password,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
