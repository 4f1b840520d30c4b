/**
 * `npm run demo`: brings a synthetic HGD into the local stack, starts `vss-bridge run` (the main job) as its own
 * process, produces a realistic mixed stream of the three kinds of registration events (with some bad messages),
 * shows live progress, then a summary. The stack and the adapter are left running to look around.
 *
 * Options: --members N (default 300000), --lookups N (3000), --children N (1500), --adults N (1500), --bad N (60).
 * The demo runs on its own database (`vss_demo`), topic prefix (`demo.`), consumer group and archive directory
 * (scripts/demo-settings.ts), creates the database when missing, and resets them at the start, so it can be run
 * again. Anything else is refused unless DEMO_ALLOW_REMOTE=1.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { createDb } from '../connectors/db/knex.js';
import { OperatorStore } from '../connectors/db/operators.js';
import { migrateLatest } from '../connectors/db/migrate.js';
import { importMembers, refreshNameFrequencies } from '../connectors/hgd/import.js';
import { kafkaFromConfig } from '../connectors/kafka/client.js';
import { fetchLag } from '../connectors/kafka/lag.js';
import { ensureTopics } from '../connectors/kafka/topics.js';
import { topicBindings } from '../connectors/registry/bindings.js';
import { AvroCodec } from '../connectors/registry/codec.js';
import { registerAsUpstream } from '../connectors/registry/compatibility.js';
import { memberToLine } from '../src/matching/lines.js';
import { loadConfig } from '../src/runtime/config.js';
import { demoSettings } from './demo-settings.js';
import { Progress } from '../src/cli/progress.js';
import { generateHgd, generateQueries, type GeneratedPerson } from '../bench/generator/index.js';
import { toCodeLookupFailed } from '../bench/scenario/defence.js';
import { buildRegistrationEvents } from '../bench/scenario/registrations.js';
import { validateRecord } from '../src/domain/validation.js';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const MEMBERS = arg('members', 300_000);
const LOOKUPS = arg('lookups', 3000);
const CHILDREN = arg('children', 1500);
const ADULTS = arg('adults', 1500);
const BAD = arg('bad', 60);
const SEED = arg('seed', 2021);
const say = (s: string) => process.stdout.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The guard again (scripts/demo runs it first): this file may be started on its own.
const settings = demoSettings(process.env);
if (!settings.ok) {
  process.stderr.write(`demo: refusing to run:\n  - ${settings.reasons.join('\n  - ')}\n`);
  process.exit(2);
}
Object.assign(process.env, settings.env);
const config = loadConfig();
// The demo's own database is dropped and created afresh on every run (the audit of code changes refuses TRUNCATE).
if (!config.databaseOwnerUrl) throw new Error('DATABASE_OWNER_URL: required by the demo');
await recreateDatabase(config.databaseOwnerUrl);
const stateDir = join(ROOT, '.stack');
mkdirSync(stateDir, { recursive: true });
const pidFile = join(stateDir, 'demo-adapter.pid');
const logFile = join(stateDir, 'demo-adapter.log');
const archiveDir = resolve(ROOT, config.archiveDir);
const t0 = Date.now();

say(
  'vss-bridge demo: Defence code mapping (rule 3), child accounts (rules 1–2), 15+ registrations (rule 4)\n',
);

// 1. A previous demo's adapter goes first, then the demo's state is reset.
if (existsSync(pidFile)) {
  const pid = Number(readFileSync(pidFile, 'utf8'));
  try {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100; i++) {
      process.kill(pid, 0);
      await sleep(200);
    }
  } catch {
    /* not running */
  }
  rmSync(pidFile, { force: true });
}
// The demo resets and seeds the database as the owner role (the adapter itself runs as the runtime role).
if (!config.databaseOwnerUrl)
  throw new Error('DATABASE_OWNER_URL: required by the demo (or VSS_PROFILE=local)');
const knex = createDb(config.databaseOwnerUrl);
await migrateLatest(knex, { runtimeRole: config.databaseRuntimeRole });
const kafka = kafkaFromConfig(config);
const admin = kafka.admin();
await admin.connect();
const bindings = topicBindings(config);
const existing = new Set(await admin.listTopics());
const toDelete = bindings.map((b) => b.topic).filter((t) => existing.has(t));
if (toDelete.length > 0) {
  await admin.deleteTopics({ topics: toDelete, timeout: 30_000 });
  await sleep(1000);
}
await admin.deleteGroups([config.kafka.groupId]).catch(() => undefined);
await ensureTopics(
  admin,
  bindings.map((b) => b.topic),
);
rmSync(archiveDir, { recursive: true, force: true });

// 2. A synthetic HGD.
say(`1. generating and importing a synthetic HGD of ${MEMBERS.toLocaleString('en')} members`);
const people: GeneratedPerson[] = [];
function* lines() {
  for (const p of generateHgd({ seed: SEED, members: MEMBERS })) {
    people.push(p);
    yield `${memberToLine(p.member)}\n`;
  }
}
const importBar = new Progress('   import', MEMBERS);
let last = 0;
const summary = await importMembers(knex, Readable.from(lines()), {
  truncate: true,
  onProgress: (p) => {
    importBar.tick(p.lines - last);
    last = p.lines;
  },
});
importBar.done();
await refreshNameFrequencies(knex);
say(
  `   ${summary.imported.toLocaleString('en')} members imported (${Math.round(summary.rowsPerSecond).toLocaleString('en')} rows/s), ${summary.rejected} rejected`,
);

// 3. The adapter: `vss-bridge run`, as its own process, left running afterwards.
say('2. starting the adapter (vss-bridge run)');
const out = openSync(logFile, 'a');
const adapter = spawn(process.execPath, [join(ROOT, 'bin/vss-bridge.mjs'), 'run'], {
  cwd: ROOT,
  env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' },
  detached: true,
  stdio: ['ignore', out, out],
});
closeSync(out);
writeFileSync(pidFile, String(adapter.pid));
adapter.unref();
const base = `http://127.0.0.1:${config.httpPort}`;
for (let i = 0; ; i++) {
  const ok = await fetch(`${base}/readyz`)
    .then((r) => r.ok)
    .catch(() => false);
  if (ok) break;
  if (i > 240 || adapter.exitCode !== null)
    throw new Error(`the adapter did not become ready; see ${logFile}`);
  await sleep(250);
}
say(`   ready: ${base}/readyz (pid ${adapter.pid}, log ${logFile})`);

// 4. The mixed stream.
say(
  `3. producing ${LOOKUPS} code-lookup failures, ${CHILDREN} child and ${ADULTS} adult registrations, ${BAD} bad messages`,
);
const { queries } = generateQueries(people, { seed: SEED + 1, count: Math.ceil(LOOKUPS * 1.1) });
const lookups = queries
  .map((q, i) => toCodeLookupFailed(q, i, SEED, `97${String(10_000_000 + i * 7919).slice(-8)}`))
  .filter((e) => validateRecord('CodeLookupFailed', e).length === 0)
  .slice(0, LOOKUPS);
const regs = buildRegistrationEvents(people, { seed: SEED, children: CHILDREN, adults: ADULTS, archiveDir });
// VssID's part: its subjects (FORWARD_TRANSITIVE) and writer schemas, registered as its producer would.
await registerAsUpstream(config.schemaRegistryUrl, bindings);
const codec = new AvroCodec({ registryUrl: config.schemaRegistryUrl, bindings });
await codec.init();
const T = config.topics;
type Msg = { topic: string; key: string; value: Buffer };
const stream: Msg[] = [];
for (const e of lookups)
  stream.push({
    topic: T.codeLookupFailed,
    key: e.requestId,
    value: await codec.encode(T.codeLookupFailed, e),
  });
for (const e of regs.child)
  stream.push({
    topic: T.childRegistrationSubmitted,
    key: e.registrationId,
    value: await codec.encode(T.childRegistrationSubmitted, e),
  });
for (const e of regs.adult)
  stream.push({
    topic: T.adultRegistrationSubmitted,
    key: e.registrationId,
    value: await codec.encode(T.adultRegistrationSubmitted, e),
  });
const inputs = [T.codeLookupFailed, T.childRegistrationSubmitted, T.adultRegistrationSubmitted];
for (let i = 0; i < BAD; i++) {
  const good = stream[(i * 37) % stream.length]!;
  const value =
    i % 3 === 0
      ? randomBytes(48)
      : i % 3 === 1
        ? good.value.subarray(0, good.value.length - 9)
        : Buffer.concat([Buffer.from([1]), good.value.subarray(1)]);
  stream.push({ topic: inputs[i % 3]!, key: `bad-${i}`, value });
}
// Shuffle (seeded) so the three flows interleave like real traffic.
for (let i = stream.length - 1; i > 0; i--) {
  const j = (i * 2654435761) % (i + 1);
  [stream[i], stream[j]] = [stream[j]!, stream[i]!];
}
const producer = kafka.producer({ idempotent: true });
await producer.connect();
const produceStart = Date.now();
for (let i = 0; i < stream.length; i += 500) {
  const chunk = stream.slice(i, i + 500);
  const byTopic = new Map<string, { key: string; value: Buffer }[]>();
  for (const m of chunk)
    byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), { key: m.key, value: m.value }]);
  await producer.sendBatch({
    acks: -1,
    topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
  });
}
await producer.disconnect();

// 5. Live progress until everything is decided, published and the lag is back to zero.
say('4. the adapter at work');
const bar = new Progress('   processed', stream.length);
let done = 0;
let lagTotal = Number.POSITIVE_INFINITY;
let unsent = Number.POSITIVE_INFINITY;
const deadline = Date.now() + 15 * 60_000;
while (done < stream.length || lagTotal > 0 || unsent > 0) {
  const n = Number((await knex('bridge.inbox').count<{ c: string }[]>('* as c'))[0]?.c ?? 0);
  bar.tick(n - done);
  done = n;
  lagTotal = (await fetchLag(admin, config.kafka.groupId, inputs)).reduce((a, r) => a + r.lag, 0);
  unsent = Number(
    (await knex('bridge.outbox').whereNull('sent_at').count<{ c: string }[]>('* as c'))[0]?.c ?? 0,
  );
  if (Date.now() > deadline) throw new Error(`the demo did not finish in 15 minutes; see ${logFile}`);
  await sleep(500);
}
bar.done();
const lastAt = (await knex('bridge.inbox').max<{ m: Date }[]>('processed_at as m'))[0]?.m;
const seconds = ((lastAt ? new Date(lastAt).getTime() : Date.now()) - produceStart) / 1000;

// 6. Summary.
const rows = (await knex('bridge.inbox')
  .select('topic', 'outcome')
  .count<{ topic: string; outcome: string; c: string }[]>('* as c')
  .groupBy('topic', 'outcome')) as { topic: string; outcome: string; c: string }[];
const flowOf: Record<string, string> = {
  [T.codeLookupFailed]: 'defence code mapping',
  [T.childRegistrationSubmitted]: 'child registration',
  [T.adultRegistrationSubmitted]: 'adult (15+) registration',
};
const outcomes = ['match', 'no_match', 'approved', 'rejected', 'review', 'dlq'];
say('\nSummary');
say(`  ${'flow'.padEnd(26)}${outcomes.map((o) => o.padStart(10)).join('')}${'total'.padStart(10)}`);
for (const t of inputs) {
  const counts = outcomes.map((o) => Number(rows.find((r) => r.topic === t && r.outcome === o)?.c ?? 0));
  const other = rows
    .filter((r) => r.topic === t && !outcomes.includes(r.outcome))
    .reduce((a, r) => a + Number(r.c), 0);
  say(
    `  ${flowOf[t]!.padEnd(26)}${counts.map((c) => String(c || '-').padStart(10)).join('')}${String(counts.reduce((a, b) => a + b, 0) + other).padStart(10)}`,
  );
}
const codeChanges = Number((await knex('bridge.code_changes').count<{ c: string }[]>('* as c'))[0]?.c ?? 0);
const reviews = (await knex('bridge.review_cases')
  .select('kind')
  .count<{ kind: string; c: string }[]>('* as c')
  .groupBy('kind')) as { kind: string; c: string }[];
const archived = Number((await knex('bridge.archive_records').count<{ c: string }[]>('* as c'))[0]?.c ?? 0);
const dlq = rows.filter((r) => r.outcome === 'dlq').reduce((a, r) => a + Number(r.c), 0);
say('');
say(`  HGD BHXH code changes (audited):  ${codeChanges}`);
say(`  review cases opened:              ${reviews.map((r) => `${r.kind} ${r.c}`).join(', ') || '0'}`);
say(`  archive records (form 01 + ID):   ${archived}`);
say(`  dead letters (<topic>.dlq):       ${dlq}`);
say(`  consumer lag now:                 ${lagTotal}`);
say(
  `  end-to-end:                       ${stream.length} events in ${seconds.toFixed(1)} s = ${Math.round(stream.length / seconds)} events/s (produce → decided)`,
);
say(`  demo total time:                  ${((Date.now() - t0) / 1000).toFixed(0)} s`);
// The operator console: a demo reviewer with a fresh password each run.
const demoPassword = randomBytes(12).toString('base64url');
const operators = new OperatorStore(knex);
if (!(await operators.setPassword('demo', demoPassword)))
  await operators.add({ id: 'demo', displayName: 'Demo reviewer', role: 'reviewer', password: demoPassword });
say('\nOperator console (the review cases above are in its queue):');
say(`  ${base}/review`);
say(`  login: demo   password: ${demoPassword}   (role: reviewer)`);
const E = `TOPIC_PREFIX=${config.topicPrefix} KAFKA_GROUP_ID=${config.kafka.groupId} DATABASE_URL=${process.env.DATABASE_URL}`;
say(`\nThe stack and the adapter keep running. Look around (the demo's settings: ${E}):`);
say(`  export ${E}`);
say('  npx vss-bridge lag                      # consumer lag per partition');
say(`  curl ${base}/metrics    # Prometheus metrics`);
say(
  '  npx vss-bridge review list              # open review cases (then: review show <case>; review resolve <case> --member <id> --operator demo)',
);
say(`  npx vss-bridge dlq list --topic ${config.topics.codeLookupFailed}   # dead letters by reason`);
say(`  adapter log: ${logFile}; stop it: kill $(cat ${pidFile}); stop the stack: npm run stack:down`);
await admin.disconnect();
await knex.destroy();
process.exit(0);

/** Drops the demo's database if it exists and creates it again, as the owner (via the server's `postgres` db). */
async function recreateDatabase(url: string): Promise<void> {
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.slice(1));
  u.pathname = '/postgres';
  const admin = createDb(u.toString(), { poolMax: 1 });
  try {
    await admin.raw('drop database if exists ?? with (force)', [name]);
    await admin.raw('create database ??', [name]);
  } finally {
    await admin.destroy();
  }
}
