import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CdcConfig } from '../../../connectors/cdc/config.js';
import { ConnectClient } from '../../../connectors/cdc/connect-client.js';
import type { IndexFollower } from '../../../connectors/cdc/follower.js';
import { CdcMonitor, feedHealth } from '../../../connectors/cdc/health.js';
import { Metrics } from '../../../src/runtime/metrics.js';
import { dropSlot, resnapshot } from '../../../connectors/cdc/setup.js';
import { verifyIndex } from '../../../connectors/cdc/verify.js';
import { importMembers } from '../../../connectors/hgd/import.js';
import { changeBhxhCode, findCandidates, loadNameFrequencies } from '../../../connectors/hgd/repository.js';
import { generateHgd } from '../../../bench/generator/households.js';
import { queryBlockingKeys } from '../../../src/matching/blocking.js';
import { memberToLine, memberToSnakeCase } from '../../../src/matching/lines.js';
import { preparePerson } from '../../../src/matching/prepare.js';
import type { MemberRecord } from '../../../src/matching/types.js';
import { feedConfig, follower, settle, startFeed, stopFeed, testKafka } from '../../support/cdc.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { waitFor } from '../../support/stack.js';

let db: TestDatabase;
let cfg: CdcConfig;
let f: IndexFollower;
const people = [...generateHgd({ seed: 1717, members: 3000 })].map((p) => p.member);

async function findable(
  m: Pick<MemberRecord, 'memberId'> & Parameters<typeof preparePerson>[0],
): Promise<boolean> {
  const found = await findCandidates(db.knex, queryBlockingKeys(preparePerson(m)));
  return found.some((c) => c.memberId === m.memberId);
}

async function noDrift(): Promise<void> {
  const r = await verifyIndex(db.knex, { chunkSize: 500 });
  expect(r, JSON.stringify(r)).toMatchObject({ drift: 0 });
}

beforeAll(async () => {
  db = await createTestDatabase();
  cfg = feedConfig(db);
  // An HGD that already has members, imported the way `hgd import` does (keys and frequencies from the import).
  await importMembers(db.knex, Readable.from(people.slice(0, 2000).map((m) => `${memberToLine(m)}\n`)));
}, 120_000);

afterAll(async () => {
  await f?.stop();
  if (cfg) await stopFeed(cfg).catch(() => undefined);
  await db?.drop();
});

describe('HGD change feed → search index', () => {
  it('takes the initial snapshot while HGD keeps writing, with no gap and no double count', async () => {
    await startFeed(db, cfg);
    f = follower(db, cfg);
    await f.start();
    // Writes racing the snapshot: either in the snapshot or streamed after its position, never lost.
    for (const m of people.slice(2000, 2300)) await db.knex('hgd.members').insert(memberToSnakeCase(m));
    await settle(db.knex, 90_000);
    const st = (await db.knex('hgd_match.cdc_state').first()) as {
      phase: string;
      snapshots: number;
      resnapshots: number;
    };
    expect(st).toMatchObject({ phase: 'streaming', snapshots: 1, resnapshots: 0 });
    await noDrift();
  });

  it('applies inserts, updates of every indexed field, and deletes', async () => {
    const fresh = people.slice(2300, 2400);
    for (const m of fresh) await db.knex('hgd.members').insert(memberToSnakeCase(m));
    const [a, b, c, d, e, g, h] = people.slice(0, 7) as [MemberRecord, ...MemberRecord[]];
    await db.knex('hgd.members').where('member_id', a.memberId).update({ full_name: 'Phạm Thị Hồng Nhung' });
    await db
      .knex('hgd.members')
      .where('member_id', b!.memberId)
      .update({ dob: '1961-07-15', dob_precision: 'day' });
    await db
      .knex('hgd.members')
      .where('member_id', c!.memberId)
      .update({ gender: c!.gender === 'M' ? 'F' : 'M' });
    await db.knex('hgd.members').where('member_id', d!.memberId).update({ id_number: '079123456789' });
    await db
      .knex('hgd.members')
      .where('member_id', e!.memberId)
      .update({ province_code: '01', ward_code: '00004' });
    await db.knex('hgd.members').where('member_id', g!.memberId).update({ household_code: 'HH-MOVED-1' });
    await db.knex('hgd.members').where('member_id', h!.memberId).delete();
    // Several changes to one member in one transaction, and a delete then re-insert of the same id.
    await db.knex.transaction(async (tx) => {
      await tx('hgd.members').where('member_id', people[7]!.memberId).update({ full_name: 'Lê Văn Tám' });
      await tx('hgd.members').where('member_id', people[7]!.memberId).update({ full_name: 'Lê Văn Chín' });
    });
    await db.knex('hgd.members').where('member_id', people[8]!.memberId).delete();
    await db.knex('hgd.members').insert(memberToSnakeCase({ ...people[8]!, fullName: 'Đỗ Thị Mười' }));
    await settle(db.knex);
    for (const m of fresh.slice(0, 20)) expect(await findable(m)).toBe(true);
    expect(await findable({ ...a, fullName: 'Phạm Thị Hồng Nhung' })).toBe(true);
    expect(await findable(h!)).toBe(false);
    expect(await findable({ ...people[7]!, fullName: 'Lê Văn Chín' })).toBe(true);
    await noDrift();
  });

  it('writes only the keys that changed, and all of them for a member whose indexed keys were not recorded', async () => {
    const keysOf = async (id: string) =>
      (
        (await db.knex.raw('select key_hash::text as k from hgd_match.member_keys where member_id = ?', [
          id,
        ])) as {
          rows: Array<{ k: string }>;
        }
      ).rows
        .map((r) => r.k)
        .sort();
    const ctids = async (id: string) =>
      new Map(
        (
          (await db.knex.raw(
            'select ctid::text as t, key_hash::text as k from hgd_match.member_keys where member_id = ?',
            [id],
          )) as { rows: Array<{ t: string; k: string }> }
        ).rows.map((r) => [r.k, r.t]),
      );
    const [m, n] = [people[30]!, people[31]!];
    const before = await ctids(m.memberId);
    const province = m.provinceCode === '01' ? '79' : '01';
    await db
      .knex('hgd.members')
      .where('member_id', m.memberId)
      .update({ province_code: province, ward_code: null });
    // A member recorded before the keys were (the column was added later): its keys are rewritten whole.
    await db.knex('hgd_match.cdc_members').where('member_id', n.memberId).update({ keys: null });
    const nBefore = await ctids(n.memberId);
    await db
      .knex('hgd.members')
      .where('member_id', n.memberId)
      .update({ province_code: province, ward_code: null });
    await settle(db.knex);
    const after = await ctids(m.memberId);
    // The keys kept are the same rows (not deleted and inserted again); the place keys are new rows.
    const kept = [...after.keys()].filter((k) => before.has(k));
    expect(kept.length).toBeGreaterThan(0);
    for (const k of kept) expect(after.get(k)).toBe(before.get(k));
    expect([...after.keys()].some((k) => !before.has(k))).toBe(true);
    const nAfter = await ctids(n.memberId);
    for (const k of [...nAfter.keys()].filter((x) => nBefore.has(x)))
      expect(nAfter.get(k)).not.toBe(nBefore.get(k));
    const stored = (await db.knex.raw(
      "select array_to_string(keys, ',') as k from hgd_match.cdc_members where member_id = ?",
      [n.memberId],
    )) as { rows: Array<{ k: string }> };
    expect(stored.rows[0]!.k.split(',').sort()).toEqual(await keysOf(n.memberId));
    expect(await findable({ ...m, provinceCode: province, wardCode: null })).toBe(true);
    await noDrift();
  });

  it("takes back the adapter's own code change once: no loop, no second change, no double count", async () => {
    const m = people[20]!;
    const before = (await db.knex('hgd.members').where('member_id', m.memberId).first()) as {
      version: number;
    };
    const stateBefore = (await db.knex('hgd_match.cdc_state').first()) as { applied: string };
    const freqBefore = await loadNameFrequencies(db.knex);
    await db.knex.transaction((tx) => changeBhxhCode(tx, m.memberId, m.bhxhCode, '7999000123'));
    await waitFor('the code change to come back', async () => {
      const s = (await db.knex('hgd_match.cdc_members').where('member_id', m.memberId).first()) as {
        lsn: number;
      };
      return Number(s.lsn) > 0;
    });
    await settle(db.knex);
    // Nothing else happens to the member: one version bump, one applied change for it, same frequencies (but the
    // settle sentinels, which are new members).
    await new Promise((r) => setTimeout(r, 1500));
    const after = (await db.knex('hgd.members').where('member_id', m.memberId).first()) as {
      version: number;
      bhxh_code: string;
    };
    expect(after).toMatchObject({ version: before.version + 1, bhxh_code: '7999000123' });
    const stateAfter = (await db.knex('hgd_match.cdc_state').first()) as { applied: string };
    // The code change and the sentinel: two member changes (households none).
    expect(Number(stateAfter.applied) - Number(stateBefore.applied)).toBe(2);
    const freqAfter = await loadNameFrequencies(db.knex);
    expect(freqAfter.total).toBe(freqBefore.total + 1);
    await noDrift();
  });

  it('detects a lost slot, repairs it by a new snapshot with an alert, and drops what was deleted meanwhile', async () => {
    const client = new ConnectClient(cfg.connectUrl);
    await client.stop(cfg.connectorName);
    await waitFor('stopped', async () => (await client.status(cfg.connectorName)).state === 'STOPPED');
    await dropSlot(cfg);
    // Changes while no slot records them: lost to the stream.
    const gone = people[30]!;
    await db.knex('hgd.members').where('member_id', gone.memberId).delete();
    const added = people[2500]!;
    await db.knex('hgd.members').insert(memberToSnakeCase(added));
    const admin = testKafka().admin();
    await admin.connect();
    const h = await feedHealth(db.knex, admin, cfg);
    await admin.disconnect();
    expect(h.problems.join('; ')).toMatch(/slot .* missing/);
    expect(h.problems.join('; ')).toMatch(/STOPPED/);
    await resnapshot(client, cfg);
    await waitFor(
      're-snapshot seen',
      async () =>
        ((await db.knex('hgd_match.cdc_state').first()) as { resnapshots: number }).resnapshots === 1,
      90_000,
    );
    await settle(db.knex, 90_000);
    expect(await findable(gone)).toBe(false);
    expect(await findable(added)).toBe(true);
    await noDrift();
    // Healthy again: the readiness check passes and says so with its figures (/readyz, status page, /metrics).
    const admin2 = testKafka().admin();
    await admin2.connect();
    const gauges = new Metrics({ processMetrics: false }).cdc;
    const shown = await new CdcMonitor(db.knex, admin2, cfg, gauges)
      .check()
      .finally(() => admin2.disconnect());
    expect(shown).toMatch(
      /^connector RUNNING, tasks RUNNING, backlog 0, slot lag \d+ B, last applied \d+ s ago, re-snapshots 1$/,
    );
  });

  it('verify-index finds injected drift of every kind and repairs it', async () => {
    const victim = people[40]!;
    await db.knex('hgd_match.member_keys').where('member_id', victim.memberId).delete();
    await db.knex.raw(
      `insert into hgd_match.member_keys (key_hash, member_id) values (42, 'no-such-member')`,
    );
    await db.knex.raw(
      `update hgd_match.name_frequencies set count = count + 3 where kind = 'given' and token = (select token from hgd_match.name_frequencies where kind = 'given' limit 1)`,
    );
    const r = await verifyIndex(db.knex, { chunkSize: 333 });
    expect(r.missing).toBe(1);
    expect(r.orphans).toBe(1);
    expect(r.frequencyDrift).toBeGreaterThanOrEqual(1);
    const fixed = await verifyIndex(db.knex, { repair: true });
    expect(fixed.repaired).toBe(true);
    await noDrift();
  });
});
