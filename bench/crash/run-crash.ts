/**
 * Crash test of the Defence flow (issue "exactly once"): produce N CodeLookupFailed events, run the adapter as
 * a child process and kill -9 it at random moments K times (restarting it each time), restart PostgreSQL and
 * the Kafka broker once each while it works, then check that every event has exactly one outcome, that code
 * changes equal auto-matches, and that every CodeMapping reached both output topics.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Knex } from 'knex';
import { importMembers, refreshNameFrequencies } from '../../connectors/hgd/import.js';
import { memberToLine } from '../../src/matching/lines.js';
import { topicBindings } from '../../connectors/registry/bindings.js';
import { ensureTopics } from '../../connectors/kafka/topics.js';
import type { CodeMapping } from '../../src/contracts/generated.js';
import type { Config } from '../../src/runtime/config.js';
import { createTestDatabase } from '../../test/support/db.js';
import { testCodec, testConfig } from '../../test/support/app.js';
import { testKafka } from '../../test/support/kafka.js';
import { readAll } from '../../test/support/topic-reader.js';
import { buildDefenceScenario, produceLookups } from '../scenario/defence.js';

const ROOT = new URL('../..', import.meta.url).pathname;

export interface CrashOptions {
  events: number;
  members: number;
  kills: number;
  restartPostgres: boolean;
  restartKafka: boolean;
  seed: number;
  /** After the adapter made progress, kill it within this many ms (random). */
  killWithinMs?: number;
  log?: (line: string) => void;
}

export interface CrashReport {
  events: number;
  kills: number;
  restarts: string[];
  outcomes: Record<string, number>;
  inboxEvents: number;
  codeChanges: number;
  distinctMembersChanged: number;
  autoMatches: number;
  defenceMappings: { records: number; distinctIds: number; distinctRequests: number };
  vssidMappings: { records: number; distinctIds: number; mapped: number; noMatch: number };
  conflictingIds: number;
  hgdCodesMatchMappings: boolean;
  dlq: number;
  seconds: number;
  logFile: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function count(knex: Knex, table: string, where: Record<string, unknown> = {}): Promise<number> {
  const r = (await knex(table).where(where).count<{ c: string }[]>('* as c'))[0];
  return Number(r?.c ?? 0);
}

export async function runCrashScenario(opts: CrashOptions): Promise<CrashReport> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const started = Date.now();
  const db = await createTestDatabase();
  const config: Config = testConfig(db.url, { KAFKA_SESSION_TIMEOUT_MS: '6000' });
  const kafka = testKafka('crash-test');
  const logDir = join(ROOT, '.stack', 'crash');
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${config.kafka.groupId}.log`);
  const logStream = createWriteStream(logFile);
  try {
    const scenario = buildDefenceScenario({ seed: opts.seed, members: opts.members, events: opts.events });
    const imported = await importMembers(
      db.knex,
      Readable.from([scenario.members.map((m) => memberToLine(m)).join('\n')]),
    );
    if (imported.rejected > 0) throw new Error(`HGD seed: ${imported.rejected} member line(s) rejected`);
    await refreshNameFrequencies(db.knex);
    log(`seeded ${scenario.members.length} HGD members; producing ${scenario.events.length} events`);

    const codec = await testCodec(config); // input schemas registered as VssID's producer would
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(
      admin,
      topicBindings(config).map((b) => b.topic),
    );
    await admin.disconnect();
    const topic = config.topics.codeLookupFailed;
    await produceLookups(kafka, codec, topic, scenario.events);

    const env = {
      ...process.env,
      DATABASE_URL: db.url,
      TOPIC_PREFIX: config.topicPrefix,
      KAFKA_GROUP_ID: config.kafka.groupId,
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      HTTP_PORT: '0',
      LOG_LEVEL: 'warn',
    };
    let child: ChildProcess | null = null;
    const start = () => {
      const c = spawn(process.execPath, [join(ROOT, 'bin/vss-bridge.mjs'), 'run'], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      c.stdout?.pipe(logStream, { end: false });
      c.stderr?.pipe(logStream, { end: false });
      child = c;
      return c;
    };
    const exited = (c: ChildProcess) =>
      new Promise<number | null>((r) =>
        c.exitCode !== null || c.signalCode !== null ? r(c.exitCode) : c.once('exit', (code) => r(code)),
      );
    const inbox = () => count(db.knex, 'bridge.inbox');
    const restarts: string[] = [];
    const stack = (cmd: string) => {
      const t0 = Date.now();
      const r = spawnSync('bash', [join(ROOT, 'scripts/stack'), cmd], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      if (r.status !== 0) throw new Error(`scripts/stack ${cmd} failed: ${r.stderr.toString()}`);
      restarts.push(`${cmd} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      log(`  ${cmd} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    };

    let kills = 0;
    const pgAt = Math.max(1, Math.floor(opts.kills / 3));
    const kafkaAt = Math.max(2, Math.floor((2 * opts.kills) / 3));
    while (kills < opts.kills) {
      const before = await inbox();
      if (before >= scenario.events.length) break;
      const c = start();
      // Kill at a random moment once it has made some progress (or after a while), so kills land mid-work; on a
      // loaded machine the start and the first batch can take long, hence the long wait.
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline && (await inbox()) === before) await sleep(100);
      if (opts.restartPostgres && kills === pgAt && !restarts.some((r) => r.startsWith('restart-postgres'))) {
        stack('restart-postgres');
        await sleep(1500);
      }
      if (opts.restartKafka && kills === kafkaAt && !restarts.some((r) => r.startsWith('restart-kafka'))) {
        stack('restart-kafka');
        await sleep(1500);
      }
      await sleep(Math.random() * (opts.killWithinMs ?? 400));
      c.kill('SIGKILL');
      await exited(c);
      kills++;
      log(`  kill -9 #${kills}: ${await inbox()}/${scenario.events.length} events handled`);
    }
    // Last run: let it finish, then a graceful SIGTERM.
    const last = start();
    const lastStarted = Date.now();
    const finishBy = Date.now() + 15 * 60_000;
    for (;;) {
      const [handled, unsent] = [await inbox(), await count(db.knex, 'bridge.outbox', { sent_at: null })];
      if (handled >= scenario.events.length && unsent === 0) break;
      if (Date.now() > finishBy) throw new Error(`did not finish: ${handled} handled, ${unsent} unsent`);
      await sleep(250);
    }
    // A graceful stop needs the adapter's signal handlers, installed once it started: with micro-batches the work
    // can be done before that.
    await sleep(Math.max(0, lastStarted + 8000 - Date.now()));
    last.kill('SIGTERM');
    const code = await exited(last);
    if (code !== 0) throw new Error(`adapter exited with ${code} after SIGTERM (log: ${logFile})`);
    void child;

    // Verification.
    const outcomes: Record<string, number> = {};
    for (const r of await db
      .knex('bridge.inbox')
      .select('outcome')
      .count<{ outcome: string; count: string }[]>('* as count')
      .groupBy('outcome')) {
      outcomes[r.outcome] = Number(r.count);
    }
    const changes = await db.knex('bridge.code_changes').select('member_id', 'new_code', 'event_id');
    const decode = async (t: string) =>
      Promise.all((await readAll(kafka, t)).map((r) => codec.decode<CodeMapping>(t, r.value)));
    const defence = await decode(config.topics.defenceCodeMappingDecided);
    const vssid = await decode(config.topics.vssidCodeMappingDecided);
    const dlq = (await readAll(kafka, `${topic}.dlq`)).length;
    // "Duplicates allowed only with identical ids": one request must never have two different ids on a topic.
    const idsPerRequest = new Map<string, Set<string>>();
    for (const m of [...defence.map((d) => ['d', d] as const), ...vssid.map((v) => ['v', v] as const)]) {
      const k = `${m[0]}:${m[1].requestId}`;
      const s = idsPerRequest.get(k) ?? new Set<string>();
      s.add(m[1].eventId);
      idsPerRequest.set(k, s);
    }
    const conflictingIds = [...idsPerRequest.values()].filter((s) => s.size > 1).length;
    const hgd = new Map(
      (
        await db
          .knex('hgd.members')
          .whereIn(
            'member_id',
            changes.map((c) => c.member_id),
          )
          .select('member_id', 'bhxh_code')
      ).map((r: { member_id: string; bhxh_code: string }) => [r.member_id, r.bhxh_code]),
    );
    const distinctDefence = new Map(defence.map((d) => [d.eventId, d]));
    const report: CrashReport = {
      events: scenario.events.length,
      kills,
      restarts,
      outcomes,
      inboxEvents: await inbox(),
      codeChanges: changes.length,
      distinctMembersChanged: new Set(changes.map((c) => c.member_id)).size,
      autoMatches: outcomes.match ?? 0,
      defenceMappings: {
        records: defence.length,
        distinctIds: distinctDefence.size,
        distinctRequests: new Set(defence.map((d) => d.requestId)).size,
      },
      vssidMappings: {
        records: vssid.length,
        distinctIds: new Set(vssid.map((v) => v.eventId)).size,
        mapped: new Set(vssid.filter((v) => v.outcome === 'MAPPED').map((v) => v.eventId)).size,
        noMatch: new Set(vssid.filter((v) => v.outcome === 'NO_MATCH').map((v) => v.eventId)).size,
      },
      conflictingIds,
      hgdCodesMatchMappings: [...distinctDefence.values()].every(
        (d) => d.memberId !== null && hgd.get(d.memberId) === d.bqpCode,
      ),
      dlq,
      seconds: (Date.now() - started) / 1000,
      logFile,
    };
    return report;
  } finally {
    logStream.end();
    await db.drop();
  }
}
