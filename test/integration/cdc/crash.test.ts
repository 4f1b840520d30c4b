import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CdcConfig } from '../../../connectors/cdc/config.js';
import { verifyIndex } from '../../../connectors/cdc/verify.js';
import { importMembers } from '../../../connectors/hgd/import.js';
import { generateHgd } from '../../../bench/generator/households.js';
import { memberToLine, memberToSnakeCase } from '../../../src/matching/lines.js';
import { feedConfig, settle, startFeed, stopFeed } from '../../support/cdc.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { STACK, uniqueName, waitFor } from '../../support/stack.js';

/**
 * Kill -9 of the index follower and kill -9 + restart of the Kafka Connect worker in the middle of a burst of
 * HGD writes: afterwards `hgd verify-index` finds no drift. The worker is this test's own (scripts/stack
 * start-connect on another port, its own group and topics), so the stack's worker is not disturbed.
 */
const ROOT = new URL('../../../', import.meta.url).pathname;
const PORT = process.env.CDC_TEST_CONNECT_PORT ?? '18083';
const stateDir = mkdtempSync(join(tmpdir(), 'vss-connect-'));
const stackEnv = {
  ...process.env,
  VSS_STACK_DIR: stateDir,
  CONNECT_PORT: PORT,
  CONNECT_GROUP: uniqueName('connect-crash'),
};

/** scripts/stack without blocking the event loop (HGD keeps being written meanwhile). */
function stackAsync(cmd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('bash', [join(ROOT, 'scripts/stack'), cmd], {
      env: stackEnv,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`scripts/stack ${cmd} failed: ${err}`)),
    );
  });
}

function stack(cmd: string): void {
  const r = spawnSync('bash', [join(ROOT, 'scripts/stack'), cmd], {
    env: stackEnv,
    encoding: 'utf8',
    timeout: 240_000,
  });
  if (r.status !== 0) throw new Error(`scripts/stack ${cmd} failed: ${r.stderr}`);
}

async function killWorker(): Promise<void> {
  const pid = Number(readFileSync(join(stateDir, 'connect', 'connect.pid'), 'utf8'));
  process.kill(pid, 'SIGKILL');
  await waitFor('the worker to be gone', () => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  });
}

let db: TestDatabase;
let cfg: CdcConfig;
let child: ChildProcess | null = null;
let restarted = false;
const people = [...generateHgd({ seed: 99, members: 6000 })].map((p) => p.member);

function startFollower(): ChildProcess {
  const p = spawn(process.execPath, ['bin/vss-bridge.mjs', 'cdc', 'follow', '--max-batch', '500'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      DATABASE_OWNER_URL: db.ownerUrl,
      KAFKA_BROKERS: STACK.kafkaBrokers.join(','),
      CONNECT_URL: cfg.connectUrl,
      CDC_CONNECTOR: cfg.connectorName,
      CDC_TOPIC_PREFIX: cfg.topicPrefix,
      CDC_SLOT: cfg.slotName,
      CDC_PUBLICATION: cfg.publication,
      CDC_GROUP_ID: cfg.groupId,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return p;
}

beforeAll(async () => {
  stack('start-connect');
  db = await createTestDatabase();
  cfg = feedConfig(db, `http://127.0.0.1:${PORT}`);
  await importMembers(db.knex, Readable.from(people.slice(0, 5000).map((m) => `${memberToLine(m)}\n`)));
  await startFeed(db, cfg);
}, 300_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  if (cfg) await stopFeed(cfg).catch(() => undefined);
  try {
    stack('stop-connect');
  } catch {
    // reported by the test itself
  }
  await db?.drop();
});

describe('HGD change feed under crashes', () => {
  it('kill -9 of the follower and of the Connect worker during a burst: zero drift', async () => {
    child = startFollower();
    await settle(db.knex, 120_000);
    let phase = 0;
    const writes = (async () => {
      // 90 rounds of about 100 changes: updates of names and places, inserts, deletes.
      for (let round = 0; round < 90; round++) {
        await db.knex.transaction(async (tx) => {
          const ids = people.slice((round * 80) % 4900, ((round * 80) % 4900) + 95).map((m) => m.memberId);
          await tx.raw(
            `update hgd.members set full_name = full_name || ' ' || chr(65 + (random() * 20)::int), ward_code = ?
              where member_id = any(?::text[])`,
            [String(round).padStart(5, '0'), ids],
          );
          const add = people[5000 + round * 10];
          if (add) await tx('hgd.members').insert(memberToSnakeCase(add)).onConflict('member_id').ignore();
          await tx('hgd.members')
            .where('member_id', people[4999 - round]!.memberId)
            .delete();
        });
        if (round === 20) phase = 1;
        if (round === 40) phase = 2;
        if (round === 60) await waitFor('the worker to restart', () => restarted, 240_000, 200);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await waitFor('a third of the burst', () => phase >= 1, 120_000);
    child.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    child = startFollower();
    await waitFor('two thirds of the burst', () => phase >= 2, 120_000);
    // The burst goes on while the worker is down and while it restarts; the rest comes after it runs again.
    await killWorker();
    await stackAsync('start-connect');
    restarted = true;
    await writes;
    await settle(db.knex, 180_000);
    const r = await verifyIndex(db.knex, { chunkSize: 1000 });
    expect(r, JSON.stringify(r)).toMatchObject({ drift: 0 });
    expect(r.members).toBeGreaterThan(4900);
  }, 600_000);
});
