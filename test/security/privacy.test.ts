/**
 * Personal data minimised and expired (issue "Hardening", item 5): the retention job as operators run it (as the
 * runtime role), the audit of code changes reduced to what the law asks, and an import reject file without lines.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importMembers } from '../../connectors/hgd/import.js';
import { testConfig } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { vssBridge } from '../integration/ops/cli.js';

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);

describe('retention run: personal data past its retention is deleted or anonymised, and counted', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    const k = db.knex;
    const inbox = (id: string, days: number) => ({
      consumer_group: 'g',
      event_id: id,
      topic: 't',
      partition: 0,
      offset: 1,
      outcome: 'no_match',
      processed_at: ago(days),
    });
    await k('bridge.inbox').insert([inbox('old-1', 200), inbox('old-2', 91), inbox('new-1', 10)]);
    const outbox = (topic: string, sentDays: number | null, createdDays = 400) => ({
      message_id: randomUUID(),
      topic,
      key: Buffer.from('k'),
      value: Buffer.from('Nguyễn Văn An 001187004512'),
      created_at: ago(createdDays),
      sent_at: sentDays === null ? null : ago(sentDays),
    });
    await k('bridge.outbox').insert([
      outbox('t.decided', 40),
      outbox('t.decided', 5),
      outbox('t.decided', null), // never published: kept whatever its age
      outbox('t.in.dlq', 31),
      outbox('t.in.dlq', 2),
    ]);
    const review = (id: string, status: string, resolvedDays: number | null) => ({
      case_id: id,
      kind: 'DEFENCE_CODE_MAPPING',
      event_id: randomUUID(),
      subject_id: `REQ-${id}`,
      status,
      reason_codes: ['AMBIGUOUS_MATCH'],
      request: JSON.stringify({ fullName: 'Trần Thị Bình', idNumber: '001187004512' }),
      candidates: JSON.stringify([{ memberId: 'M1', fullName: 'Trần Thị Bình' }]),
      evidence: JSON.stringify({ dob: '1982-03-04' }),
      opened_at: ago(800),
      resolved_at: resolvedDays === null ? null : ago(resolvedDays),
      resolved_by: resolvedDays === null ? null : 'operator:alice',
      resolution: resolvedDays === null ? null : 'MATCHED',
      resolution_member_id: resolvedDays === null ? null : 'M1',
      note: resolvedDays === null ? null : 'called Trần Thị Bình',
    });
    await k('bridge.review_cases').insert([
      review('RC-OLD', 'resolved', 400),
      review('RC-NEW', 'resolved', 30),
      review('RC-OPEN', 'open', null),
    ]);
    const archive = (reg: string, until: string) => ({
      registration_id: reg,
      kind: 'FORM_01',
      sha256: 'a'.repeat(64),
      size: 10,
      uri: `archive://x/${reg}.pdf`,
      media_type: 'application/pdf',
      retention_until: until,
    });
    await k('bridge.archive_records').insert([
      archive('R-PAST', '2020-01-01'),
      archive('R-FUTURE', '2999-01-01'),
    ]);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('--dry-run counts and changes nothing; run deletes and anonymises exactly that, as the runtime role', async () => {
    const config = testConfig(db.url);
    const dry = await vssBridge(config, ['retention', 'run', '--dry-run', '--json']);
    expect(dry.stderr).toBe('');
    const expected = {
      inboxDeleted: 2,
      outboxDeleted: 1,
      deadLettersDeleted: 1,
      reviewCasesAnonymised: 1,
      archiveRecordsDeleted: 1,
    };
    expect(JSON.parse(dry.stdout)).toEqual({ ...expected, dryRun: true });
    expect(Number((await db.knex('bridge.inbox').count<{ c: string }[]>('* as c'))[0]!.c)).toBe(3);

    const run = await vssBridge(config, ['retention', 'run', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ ...expected, dryRun: false });
    expect((await db.knex('bridge.inbox').pluck('event_id')).sort()).toEqual(['new-1']);
    const outbox = await db.knex('bridge.outbox').select('topic', 'sent_at');
    expect(outbox).toHaveLength(3);
    expect(outbox.filter((r) => r.sent_at === null)).toHaveLength(1);
    expect(await db.knex('bridge.archive_records').pluck('registration_id')).toEqual(['R-FUTURE']);
    const old = await db.knex('bridge.review_cases').where({ case_id: 'RC-OLD' }).first();
    expect(old).toMatchObject({
      request: {},
      candidates: [],
      evidence: {},
      note: null,
      resolution: 'MATCHED',
      resolved_by: 'operator:alice',
      resolution_member_id: 'M1',
    });
    expect(old.anonymised_at).not.toBeNull();
    const kept = await db.knex('bridge.review_cases').whereIn('case_id', ['RC-NEW', 'RC-OPEN']);
    for (const c of kept) expect(JSON.stringify(c.request)).toContain('Trần Thị Bình');

    const again = await vssBridge(config, ['retention', 'run', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ inboxDeleted: 0, reviewCasesAnonymised: 0 });
  });

  it('the audit of code changes holds member, old and new code, time, actor, case and event, nothing else', async () => {
    const cols = await db.knex.raw(
      "select column_name from information_schema.columns where table_schema = 'bridge' and table_name = 'code_changes' order by column_name",
    );
    expect(cols.rows.map((r: { column_name: string }) => r.column_name)).toEqual(
      ['actor', 'case_id', 'changed_at', 'event_id', 'id', 'member_id', 'new_code', 'old_code'].sort(),
    );
  });
});

describe('hgd import: the reject file holds no personal data', () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'vss-rejects-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await db?.drop();
  });

  it('line number, member id, a reason naming the field or constraint, and a digest of the line only', async () => {
    const lines = [
      {
        member_id: 'A1',
        full_name: 'Phạm Minh Châu',
        dob: '1975-06-07',
        gender: 'F',
        bhxh_code: '0123456789',
        id_number: '001175004512',
      },
      { member_id: 'A2', full_name: 'Hoàng Văn Dũng', dob: '1975-13-07', id_number: '001175009999' },
      { member_id: 'A3', full_name: 'Vũ Thị Em', dob: '1980', gender: 'X', id_number: '001180001234' },
      {
        member_id: 'A4',
        full_name: 'Đỗ Văn Phúc',
        dob: '1981',
        bhxh_code: '0123456789',
        id_number: '001181004321',
      },
    ].map((l) => JSON.stringify(l));
    const file = join(dir, 'm.jsonl');
    writeFileSync(
      file,
      `${lines.join('\n')}\n{"member_id": "A5", "full_name": "Ngô Thị Giang", "dob": "1990-0`,
    );
    const rejects = join(dir, 'rejects.jsonl');
    const s = await importMembers(db.knex, file, { rejectsPath: rejects, batchSize: 10 });
    expect(s.imported).toBe(1);
    const text = readFileSync(rejects, 'utf8');
    const rows = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => r.line).sort()).toEqual([2, 3, 4, 5]);
    for (const r of rows) expect(Object.keys(r).sort()).toEqual(['line', 'memberId', 'reason', 'sha256']);
    expect(rows.find((r) => r.line === 4)?.reason).toMatch(/members_bhxh_code_uq/);
    for (const pii of [
      'Hoàng',
      'Vũ Thị',
      'Đỗ Văn',
      'Ngô',
      '1975',
      '0123456789',
      '001175009999',
      '001181004321',
      'Giang',
    ])
      expect(text).not.toContain(pii);
  });
});
