import { describe, expect, it } from 'vitest';
import { connectorConfig, loadCdcConfig } from '../../../connectors/cdc/config.js';
import { parseChange, type MemberChange } from '../../../connectors/cdc/events.js';
import { indexEntry, nameTokens, planBatch, type MemberState } from '../../../connectors/cdc/plan.js';
import { pgArray } from '../../../connectors/cdc/store.js';
import type { MemberRecord } from '../../../src/matching/types.js';
import { memberToSnakeCase } from '../../../src/matching/lines.js';

const base: MemberRecord = {
  memberId: 'm1',
  householdCode: 'H1',
  fullName: 'Nguyễn Văn An',
  dob: '1990-01-02',
  dobPrecision: 'day',
  gender: 'M',
  idNumber: null,
  bhxhCode: null,
  provinceCode: '79',
  wardCode: '26734',
  fatherName: null,
  motherName: null,
  relationToHead: null,
  version: 1,
};

function row(m: MemberRecord) {
  // Debezium's row image carries the table's columns (these are the member line's) plus version and updated_at.
  return { ...memberToSnakeCase(m), version: m.version, updated_at: '2026-11-26T00:41:18.922647Z' };
}

function msg(op: string, m: MemberRecord | null, lsn: number, snapshot = 'false', id = 'm1') {
  return Buffer.from(
    JSON.stringify({
      before: op === 'd' ? { member_id: id, full_name: '' } : null,
      after: m ? row(m) : null,
      source: { table: 'members', schema: 'hgd', lsn, snapshot, ts_ms: 1_000 },
      op,
    }),
  );
}

function change(
  op: MemberChange['op'],
  m: MemberRecord | null,
  lsn: number,
  snapshot: MemberChange['snapshot'] = 'no',
  id = 'm1',
): MemberChange {
  return { table: 'members', op, memberId: m?.memberId ?? id, after: m, lsn, snapshot, sourceTsMs: 1 };
}

describe('Debezium change events', () => {
  it('parses inserts, updates, deletes and snapshot reads of members', () => {
    const c = parseChange(Buffer.from('{"member_id":"m1"}'), msg('c', base, 100));
    expect(c).toMatchObject({
      ok: true,
      event: { table: 'members', op: 'c', memberId: 'm1', lsn: 100, snapshot: 'no' },
    });
    const d = parseChange(Buffer.from('{"member_id":"m1"}'), msg('d', null, 200));
    expect(d).toMatchObject({ ok: true, event: { op: 'd', memberId: 'm1', after: null } });
    expect(parseChange(null, msg('r', base, 5, 'last'))).toMatchObject({ event: { snapshot: 'last' } });
    expect(parseChange(null, msg('r', base, 5, 'first'))).toMatchObject({ event: { snapshot: 'yes' } });
    expect(parseChange(null, null)).toEqual({ ok: true, event: null });
  });

  it('refuses what it does not understand, without quoting values', () => {
    const r = parseChange(
      null,
      Buffer.from('{"op":"u","after":{"full_name":"Nguyễn Văn An"},"source":{"table":"members","lsn":1}}'),
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).not.toMatch(/Nguy/);
    expect(parseChange(null, Buffer.from('not json')).ok).toBe(false);
    expect(parseChange(null, Buffer.from('{"op":"u","source":{"table":"members"}}')).ok).toBe(false);
  });
});

describe('planBatch', () => {
  it('counts name tokens incrementally: a rename moves one count, a delete removes it', () => {
    const p1 = planBatch(new Map(), [change('c', base, 10)]);
    expect(p1.totalDelta).toBe(1);
    expect(p1.frequencyDeltas.get('given\u0000an')).toBe(1);
    const state: MemberState = { ...p1.members[0]! };
    const p2 = planBatch(new Map([['m1', state]]), [
      change('u', { ...base, fullName: 'Nguyễn Văn Bình' }, 20),
    ]);
    expect(p2.totalDelta).toBe(0);
    expect(p2.frequencyDeltas.get('given\u0000an')).toBe(-1);
    expect(p2.frequencyDeltas.get('given\u0000binh')).toBe(1);
    expect(p2.frequencyDeltas.has('family\u0000nguyen')).toBe(false);
    const p3 = planBatch(new Map([['m1', { ...p2.members[0]! }]]), [change('d', null, 30)]);
    expect(p3.totalDelta).toBe(-1);
    expect(p3.members[0]).toMatchObject({ deleted: true, keys: [], lsn: 30 });
  });

  it('is idempotent by LSN: a re-sent streamed change is a no-op', () => {
    const first = planBatch(new Map(), [
      change('c', base, 10),
      change('u', { ...base, dob: '1991-01-02' }, 20),
    ]);
    const state = new Map([['m1', { ...first.members[0]! }]]);
    const again = planBatch(state, [change('c', base, 10), change('u', { ...base, dob: '1991-01-02' }, 20)]);
    expect(again).toMatchObject({ applied: 0, duplicates: 2, members: [], totalDelta: 0 });
  });

  it('keeps the last of several changes of one member in a batch, and a delete then re-insert', () => {
    const p = planBatch(new Map(), [
      change('c', base, 10),
      change('d', null, 11),
      change('c', { ...base, fullName: 'Trần Thị Cúc', gender: 'F' }, 12),
    ]);
    expect(p.members).toHaveLength(1);
    expect(p.members[0]).toMatchObject({ deleted: false, given: 'cuc', lsn: 12 });
    expect(p.members[0]!.digest).toBe(indexEntry({ ...base, fullName: 'Trần Thị Cúc', gender: 'F' }).digest);
    expect(p.totalDelta).toBe(1);
    expect(p.frequencyDeltas.get('given\u0000an')).toBeUndefined();
  });

  it('always applies snapshot reads (they are the row as of the snapshot) and records the snapshot', () => {
    const state = new Map([
      [
        'm1',
        {
          memberId: 'm1',
          family: 'nguyen',
          given: 'an',
          digest: 'x',
          lsn: 500,
          snapshotLsn: null,
          deleted: false,
          keys: null,
        },
      ],
    ]);
    const p = planBatch(state, [change('r', base, 300, 'yes')]);
    expect(p.members[0]).toMatchObject({ lsn: 0, snapshotLsn: 300, digest: indexEntry(base).digest });
    expect(p.totalDelta).toBe(0);
  });

  it('changes the keys when an indexed field changes, not when the BHXH code does', () => {
    expect(indexEntry({ ...base, dob: '1991-01-02' }).digest).not.toBe(indexEntry(base).digest);
    expect(indexEntry({ ...base, bhxhCode: '7999000123' }).digest).toBe(indexEntry(base).digest);
  });
});

describe('connector configuration', () => {
  it('fills the template from the environment and the HGD database URL', () => {
    const c = loadCdcConfig(
      {
        CDC_CONNECTOR: 'x',
        CDC_SLOT: 's1',
        CDC_PUBLICATION: 'p1',
        CDC_TOPIC_PREFIX: 't1',
        CONNECT_PORT: '9999',
      },
      'postgres://vss:secret@db.example:6543/hgd',
    );
    expect(c.connectUrl).toBe('http://127.0.0.1:9999');
    const cfg = connectorConfig(c);
    expect(cfg).toMatchObject({
      'database.hostname': 'db.example',
      'database.port': '6543',
      'database.dbname': 'hgd',
      'database.user': 'vss_cdc',
      'slot.name': 's1',
      'publication.name': 'p1',
      'publication.autocreate.mode': 'disabled',
      'topic.prefix': 't1',
      'plugin.name': 'pgoutput',
      'table.include.list': 'hgd.households,hgd.members',
    });
    expect(JSON.stringify(cfg)).not.toMatch(/secret/);
  });
});

describe('planBatch key rewrites', () => {
  it('rewrites keys only when they change', () => {
    const first = planBatch(new Map(), [change('c', base, 10)]);
    expect(first.members[0]!.keysChanged).toBe(true);
    const state = new Map([['m1', { ...first.members[0]! }]]);
    const code = planBatch(state, [change('u', { ...base, bhxhCode: '7999000123' }, 20)]);
    expect(code.members[0]!.keysChanged).toBe(false);
    const moved = planBatch(state, [change('u', { ...base, provinceCode: '01' }, 20)]);
    expect(moved.members[0]!.keysChanged).toBe(true);
  });
});

describe('planBatch key diffs', () => {
  it('writes only the keys that changed when the indexed ones are known, all of them otherwise', () => {
    const first = planBatch(new Map(), [change('c', base, 10)]);
    expect(first.members[0]!.keyDiff).toBeNull();
    const was = first.members[0]!;
    const moved = { ...base, provinceCode: '01', wardCode: null };
    const p = planBatch(new Map([['m1', { ...was }]]), [change('u', moved, 20)]);
    const now = indexEntry(moved).keys;
    const diff = p.members[0]!.keyDiff!;
    // Removed: indexed but no longer wanted; added: wanted but not indexed; the rest left alone.
    expect(diff.removed).toEqual(was.keys.filter((k) => !now.includes(k)));
    expect(diff.added).toEqual(now.filter((k) => !was.keys.includes(k)));
    expect(diff.removed.length).toBeGreaterThan(0);
    expect(diff.added.length).toBeGreaterThan(0);
    const kept = now.filter((k) => was.keys.includes(k));
    expect(kept.length).toBeGreaterThan(0);
    // Applying the diff to the indexed keys gives exactly the new keys.
    const applied = [...was.keys.filter((k) => !diff.removed.includes(k)), ...diff.added].sort();
    expect(applied).toEqual(now);
    // Keys not recorded (a state from before they were): everything is rewritten.
    const unknown = planBatch(new Map([['m1', { ...was, keys: null }]]), [change('u', moved, 20)]);
    expect(unknown.members[0]!.keyDiff).toBeNull();
    // A delete removes every indexed key; a re-insert after a delete adds them all.
    const del = planBatch(new Map([['m1', { ...was }]]), [change('d', null, 30)]);
    expect(del.members[0]!.keyDiff).toEqual({ removed: was.keys, added: [] });
    const back = planBatch(new Map([['m1', { ...del.members[0]! }]]), [change('c', base, 40)]);
    expect(back.members[0]!.keyDiff).toEqual({ removed: [], added: was.keys });
  });

  it('diffs against the state before the batch when a member changes several times in it', () => {
    const was = planBatch(new Map(), [change('c', base, 10)]).members[0]!;
    const p = planBatch(new Map([['m1', { ...was }]]), [
      change('u', { ...base, provinceCode: '01' }, 20),
      change('u', { ...base, fullName: 'Nguyễn Văn Bình' }, 30),
    ]);
    const now = indexEntry({ ...base, fullName: 'Nguyễn Văn Bình' }).keys;
    const diff = p.members[0]!.keyDiff!;
    expect([...was.keys.filter((k) => !diff.removed.includes(k)), ...diff.added].sort()).toEqual(now);
  });
});

describe('pgArray', () => {
  it('writes a PostgreSQL array literal with every element quoted and escaped', () => {
    expect(pgArray(['a"b', 'c\\d', null, '', 'x, {y}'])).toBe('{"a\\"b","c\\\\d",NULL,"","x, {y}"}');
    expect(pgArray([1, -2, true])).toBe('{1,-2,true}');
    expect(pgArray([])).toBe('{}');
  });
});

describe('indexEntry name tokens', () => {
  it('are the ones nameTokens gives for the full name', () => {
    for (const fullName of [
      'Nguyễn Văn An',
      'Huỳnh Thị Bích Ngọc',
      'Hoàng  Minh-Đức',
      'An',
      '',
      '  ',
      "Lê O'Neil",
      'Vũ Thị Thu Hà',
      'Võ Thị Thu Hà',
    ]) {
      const e = indexEntry({ ...base, fullName });
      expect({ family: e.family, given: e.given }, fullName).toEqual(nameTokens(fullName));
    }
  });
});
