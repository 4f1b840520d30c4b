import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AvroCodec } from '../../connectors/registry/codec.js';
import type { CodeLookupFailed, CodeMapping, DeadLetter, ReviewCase } from '../../src/contracts/generated.js';
import { OperatorStore } from '../../connectors/db/operators.js';
import type { App } from '../../src/runtime/app.js';
import type { Config } from '../../src/runtime/config.js';
import type { MemberLine } from '../support/app.js';
import type { TestDatabase } from '../support/db.js';
import { useAdapter } from '../support/harness.js';
import { committedToEnd } from '../support/kafka.js';
import { waitFor } from '../support/stack.js';
import { lookupEvent } from '../support/events.js';
import { readAll } from '../support/topic-reader.js';

const members: MemberLine[] = [
  // A clear match: full date, ID number, parents.
  {
    member_id: 'M-1',
    household_code: '0100000001',
    full_name: 'Nguyễn Văn Hùng',
    dob: '1985-03-12',
    gender: 'M',
    id_number: '001085012345',
    bhxh_code: '0112345678',
    province_code: '01',
    father_name: 'Nguyễn Văn Tâm',
    mother_name: 'Trần Thị Lan',
    relation_to_head: 'chủ hộ',
  },
  // Twins with the same name and date of birth: never an automatic match.
  {
    member_id: 'M-2',
    household_code: '0100000002',
    full_name: 'Trần Thị Mai',
    dob: '1990-07-01',
    gender: 'F',
    bhxh_code: '0122222222',
    province_code: '01',
    father_name: 'Trần Văn Nam',
    mother_name: 'Lê Thị Hoa',
    relation_to_head: 'con',
  },
  {
    member_id: 'M-3',
    household_code: '0100000002',
    full_name: 'Trần Thị Mai',
    dob: '1990-07-01',
    gender: 'F',
    bhxh_code: '0133333333',
    province_code: '01',
    father_name: 'Trần Văn Nam',
    mother_name: 'Lê Thị Hoa',
    relation_to_head: 'con',
  },
  // A clear match whose BQP code is already held by M-5.
  {
    member_id: 'M-4',
    household_code: '7900000004',
    full_name: 'Lê Minh Tuấn',
    dob: '1979-11-30',
    gender: 'M',
    id_number: '079079000111',
    bhxh_code: '7912121212',
    province_code: '79',
    father_name: 'Lê Văn Sáu',
    mother_name: 'Phạm Thị Bảy',
    relation_to_head: 'chủ hộ',
  },
  {
    member_id: 'M-5',
    household_code: '7900000005',
    full_name: 'Võ Thị Hạnh',
    dob: '1982-02-14',
    gender: 'F',
    id_number: '079182000222',
    bhxh_code: '9700000555',
    province_code: '79',
    relation_to_head: 'chủ hộ',
  },
];

/** The declared identity defaults to a man born 1985-03-12; each case overrides what it needs. */
const lookup = (over: Partial<CodeLookupFailed['person']>, bqpCode: string): CodeLookupFailed =>
  lookupEvent(
    0,
    { dateOfBirth: { value: '1985-03-12', precision: 'DAY' }, gender: 'MALE', provinceCode: null, ...over },
    bqpCode,
  );

describe('Defence code-mapping flow, end to end on the real stack', () => {
  let db: TestDatabase;
  let config: Config;
  let app: App;
  let kafka: Kafka;
  let codec: AvroCodec;
  const clear = lookup(
    {
      fullName: 'NGUYEN VAN HUNG',
      idNumber: '001085012345',
      provinceCode: '01',
      fatherName: 'Nguyễn Văn Tâm',
      motherName: 'Trần Thị Lan',
    },
    '9712345601',
  );
  const ambiguous = lookup(
    {
      fullName: 'Trần Thị Mai',
      dateOfBirth: { value: '1990-07-01', precision: 'DAY' },
      gender: 'FEMALE',
      provinceCode: '01',
    },
    '9712345602',
  );
  const absent = lookup(
    { fullName: 'Phạm Quốc Bảo', dateOfBirth: { value: '1970', precision: 'YEAR' }, provinceCode: '31' },
    '9712345603',
  );
  const inUse = lookup(
    {
      fullName: 'Lê Minh Tuấn',
      dateOfBirth: { value: '1979-11-30', precision: 'DAY' },
      idNumber: '079079000111',
      provinceCode: '79',
      fatherName: 'Lê Văn Sáu',
      motherName: 'Phạm Thị Bảy',
    },
    '9700000555',
  );

  const h = useAdapter({ members });
  beforeAll(() => void ({ db, config, app, codec, kafka } = h));

  it('decides each case, changes only the clear match, and publishes every output', async () => {
    const topic = config.topics.codeLookupFailed;
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const good = [clear, ambiguous, absent, inUse];
    for (const e of good) {
      await producer.send({ topic, messages: [{ key: e.requestId, value: await codec.encode(topic, e) }] });
    }
    // Malformed input, and a redelivery of the clear match (same eventId): one outcome each.
    await producer.send({ topic, messages: [{ key: 'bad', value: randomBytes(40) }] });
    await producer.send({
      topic,
      messages: [{ key: clear.requestId, value: await codec.encode(topic, clear) }],
    });
    await producer.disconnect();

    // Every record read, the redelivered copy included: the group committed to the end of the input topic (an
    // inbox count cannot show this, a duplicate adds no row).
    await waitFor(
      'offsets committed to the end',
      () => committedToEnd(kafka, config.kafka.groupId, topic),
      60_000,
    );
    expect(await db.knex('bridge.inbox').count<{ count: string }[]>('* as count')).toEqual([{ count: 5 }]);
    const inbox = await db.knex('bridge.inbox').select('event_id', 'outcome');
    const outcomeOf = (id: string) => inbox.find((r) => r.event_id === id)?.outcome;
    expect(outcomeOf(clear.eventId)).toBe('match');
    expect(outcomeOf(ambiguous.eventId)).toBe('review');
    expect(outcomeOf(absent.eventId)).toBe('no_match');
    expect(outcomeOf(inUse.eventId)).toBe('review');
    expect(inbox.filter((r) => r.outcome === 'dlq')).toHaveLength(1);

    // HGD: only M-1 changed, to the BQP code; M-4 kept its code (the BQP code belongs to M-5).
    const codes = Object.fromEntries(
      (await db.knex('hgd.members').select('member_id', 'bhxh_code')).map((r) => [r.member_id, r.bhxh_code]),
    );
    expect(codes).toMatchObject({
      'M-1': '9712345601',
      'M-2': '0122222222',
      'M-3': '0133333333',
      'M-4': '7912121212',
      'M-5': '9700000555',
    });

    const audit = await db.knex('bridge.code_changes').select();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      member_id: 'M-1',
      old_code: '0112345678',
      new_code: '9712345601',
      actor: 'auto',
      event_id: clear.eventId,
    });

    const cases = await db.knex('bridge.review_cases').select().orderBy('subject_id');
    expect(cases.map((c) => [c.subject_id, c.reason_codes]).sort()).toEqual(
      [
        [ambiguous.requestId, ['AMBIGUOUS_MATCH']],
        [inUse.requestId, ['BQP_CODE_IN_USE']],
      ].sort(),
    );
    const ambiguousCase = cases.find((c) => c.subject_id === ambiguous.requestId);
    expect(
      ambiguousCase.candidates
        .map((c: { memberId: string }) => c.memberId)
        .sort()
        .slice(0, 2),
    ).toEqual(['M-2', 'M-3']);

    // Every output topic.
    // Each output topic read to its end offset: an extra record would show.
    await waitFor('outbox drained', async () => {
      const [row] = await db.knex('bridge.outbox').whereNull('sent_at').count<{ n: string }[]>('* as n');
      return Number(row?.n) === 0;
    });
    const decode = async <T>(t: string, _n: number) =>
      Promise.all((await readAll(kafka, t)).map((r) => codec.decode<T>(t, r.value)));
    const defence = await decode<CodeMapping>(config.topics.defenceCodeMappingDecided, 1);
    expect(defence).toHaveLength(1);
    expect(defence[0]).toMatchObject({
      outcome: 'MAPPED',
      memberId: 'M-1',
      bqpCode: '9712345601',
      previousCode: '0112345678',
      decidedBy: 'AUTO',
    });
    const vssid = await decode<CodeMapping>(config.topics.vssidCodeMappingDecided, 2);
    expect(vssid.map((m) => [m.requestId, m.outcome]).sort()).toEqual(
      [
        [clear.requestId, 'MAPPED'],
        [absent.requestId, 'NO_MATCH'],
      ].sort(),
    );
    expect(vssid.find((m) => m.outcome === 'NO_MATCH')?.reasonCodes).toEqual(['NOT_FOUND_IN_HGD']);
    const reviews = await decode<ReviewCase>(config.topics.reviewCaseChanged, 2);
    expect(reviews.map((r) => r.status)).toEqual(['OPENED', 'OPENED']);
    const dead = await decode<DeadLetter>(`${topic}.dlq`, 1);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      sourceTopic: topic,
      errorCode: 'DECODE_FAILED',
      consumerGroup: config.kafka.groupId,
    });
    expect(dead[0]?.originalKey?.toString()).toBe('bad');
  });

  it('an operator resolves the ambiguous case: same guarded change and events, operator in the audit', async () => {
    const open = await app.review.list({ status: 'open' });
    const c = open.find((x) => x.subjectId === ambiguous.requestId);
    expect(c).toBeDefined();
    await expect(
      app.review.resolve(
        c!.caseId,
        { kind: 'member', memberId: 'M-404', note: null },
        { id: 'alice', role: 'reviewer' },
      ),
    ).rejects.toThrow(/not among the candidates/);
    const after = await app.review.resolve(
      c!.caseId,
      {
        kind: 'member',
        memberId: 'M-3',
        note: 'checked the birth order',
      },
      { id: 'alice', role: 'reviewer' },
    );
    expect(after).toMatchObject({
      status: 'resolved',
      resolution: 'member',
      resolutionMemberId: 'M-3',
      resolvedBy: 'alice',
    });
    await expect(
      app.review.resolve(c!.caseId, { kind: 'no_match', note: null }, { id: 'bob', role: 'reviewer' }),
    ).rejects.toThrow(/already resolved/);

    const m3 = await db.knex('hgd.members').where({ member_id: 'M-3' }).first();
    expect(m3.bhxh_code).toBe('9712345602');
    const audit = await db.knex('bridge.code_changes').where({ member_id: 'M-3' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor: 'operator:alice',
      old_code: '0133333333',
      new_code: '9712345602',
      case_id: c!.caseId,
    });

    await waitFor('outbox drained', async () => {
      const [row] = await db.knex('bridge.outbox').whereNull('sent_at').count<{ n: string }[]>('* as n');
      return Number(row?.n) === 0;
    });
    const defence = await Promise.all(
      (await readAll(kafka, config.topics.defenceCodeMappingDecided)).map((r) =>
        codec.decode<CodeMapping>(config.topics.defenceCodeMappingDecided, r.value),
      ),
    );
    expect(defence).toHaveLength(2);
    expect(defence.find((m) => m.memberId === 'M-3')).toMatchObject({
      decidedBy: 'OPERATOR',
      operator: 'alice',
      caseId: c!.caseId,
    });
    const vssid = await readAll(kafka, config.topics.vssidCodeMappingDecided);
    expect(vssid).toHaveLength(3);
    // Records of different cases sit on different partitions: no order across them, so look the case up.
    const reviews = await Promise.all(
      (await readAll(kafka, config.topics.reviewCaseChanged)).map((r) =>
        codec.decode<ReviewCase>(config.topics.reviewCaseChanged, r.value),
      ),
    );
    expect(reviews).toHaveLength(3);
    const resolved = reviews.filter((r) => r.caseId === c!.caseId && r.status === 'RESOLVED');
    expect(resolved).toHaveLength(1);
    expect(resolved[0]).toMatchObject({ resolvedBy: 'alice', resolution: 'member:M-3' });
  });

  it('the review HTTP endpoint lists and resolves cases as JSON, for an operator with a token', async () => {
    const base = `http://127.0.0.1:${app.httpPort}`;
    const operators = new OperatorStore(db.knex);
    await operators.add({ id: 'carol', role: 'reviewer' });
    const token = await operators.issueToken('carol');
    const api = (path: string, body?: unknown) =>
      fetch(`${base}${path}`, {
        ...(body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) }),
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
    expect((await fetch(`${base}/review-cases?status=open`)).status).toBe(401);
    const list = (await (await api('/review-cases?status=open')).json()) as {
      cases: { caseId: string }[];
    };
    const c = (await app.review.list({ status: 'open' })).find((x) => x.subjectId === inUse.requestId);
    expect(c).toBeDefined();
    expect(list.cases.map((x) => x.caseId)).toContain(c!.caseId);
    const bad = await api(`/review-cases/${c!.caseId}/resolve`, {});
    expect(bad.status).toBe(400);
    const forged = await api(`/review-cases/${c!.caseId}/resolve`, { noMatch: true, by: 'someone-else' });
    expect(forged.status).toBe(400);
    const res = await api(`/review-cases/${c!.caseId}/resolve`, {
      noMatch: true,
      note: 'BQP code belongs to someone else',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ resolution: 'no_match', resolvedBy: 'carol' });
    const row = await db.knex('bridge.review_cases').where({ case_id: c!.caseId }).first();
    expect(row).toMatchObject({ status: 'resolved', resolution: 'no_match', resolved_by: 'carol' });
    const again = await api(`/review-cases/${c!.caseId}/resolve`, { noMatch: true });
    expect(again.status).toBe(409);
  });

  it('the review CLI lists, shows and resolves a case (same events, operator recorded)', async () => {
    const twinsAgain = lookup(
      {
        fullName: 'TRAN THI MAI',
        dateOfBirth: { value: '1990-07-01', precision: 'DAY' },
        gender: 'FEMALE',
        provinceCode: '01',
      },
      '9712345609',
    );
    const topic = config.topics.codeLookupFailed;
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({
      topic,
      messages: [{ key: twinsAgain.requestId, value: await codec.encode(topic, twinsAgain) }],
    });
    await producer.disconnect();
    await waitFor('a review case for the new request', async () =>
      (await app.review.list({ status: 'open' })).some((c) => c.subjectId === twinsAgain.requestId),
    );
    const operators = new OperatorStore(db.knex);
    await operators.add({ id: 'erin', role: 'reviewer' });
    await operators.add({ id: 'frank', role: 'reviewer' });
    const erin = await operators.issueToken('erin');
    const frank = await operators.issueToken('frank');
    const env = {
      ...process.env,
      DATABASE_URL: db.url,
      TOPIC_PREFIX: config.topicPrefix,
      KAFKA_GROUP_ID: config.kafka.groupId,
      LOG_LEVEL: 'error',
    };
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ['bin/vss-bridge.mjs', 'review', ...args], {
        env,
        encoding: 'utf8',
        timeout: 60_000,
      });

    const listed = cli('list', '--json');
    expect(listed.status).toBe(0);
    const open = JSON.parse(listed.stdout) as { caseId: string; subjectId: string }[];
    const caseId = open.find((c) => c.subjectId === twinsAgain.requestId)?.caseId;
    expect(caseId).toBeDefined();
    const shown = cli('show', caseId!);
    expect(shown.status).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      caseId,
      status: 'open',
      reasonCodes: ['AMBIGUOUS_MATCH'],
    });

    expect(cli('resolve', caseId!, '--token', erin).status).not.toBe(0); // neither --member nor --no-match
    // A free-text operator is not a credential.
    const byName = cli('resolve', caseId!, '--no-match', '--by', 'erin');
    expect(byName.status).not.toBe(0);
    expect(cli('resolve', caseId!, '--no-match', '--token', 'vssb_000000000000_forged').status).toBe(1);
    const resolved = cli(
      'resolve',
      caseId!,
      '--no-match',
      '--token',
      erin,
      '--note',
      'neither twin serves in BQP',
    );
    expect(resolved.status).toBe(0);
    expect(resolved.stdout).toMatch(
      // The running adapter's relay holds the publisher lock (one publisher per database keeps per-key order).
      new RegExp(`case ${caseId} resolved: no_match by erin; events left to the running adapter to publish`),
    );
    const again = cli('resolve', caseId!, '--no-match', '--token', frank);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('already resolved');

    // The running adapter's relay publishes the resolution's events on its next poll.
    let vssid: CodeMapping[] = [];
    await waitFor('the operator decision on the VssID topic', async () => {
      vssid = await Promise.all(
        (await readAll(kafka, config.topics.vssidCodeMappingDecided)).map((r) =>
          codec.decode<CodeMapping>(config.topics.vssidCodeMappingDecided, r.value),
        ),
      );
      return vssid.some((m) => m.requestId === twinsAgain.requestId);
    });
    expect(vssid.find((m) => m.requestId === twinsAgain.requestId)).toMatchObject({
      outcome: 'NO_MATCH',
      decidedBy: 'OPERATOR',
      operator: 'erin',
      caseId,
      reasonCodes: ['REJECTED_BY_OPERATOR'],
    });
  });
});
