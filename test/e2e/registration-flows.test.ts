import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AvroCodec } from '../../connectors/registry/codec.js';
import type {
  AdultRegistrationSubmitted,
  ChildRegistrationSubmitted,
  DocumentRef,
  RegistrationDecision,
  ReviewCase,
} from '../../src/contracts/generated.js';
import type { App } from '../../src/runtime/app.js';
import type { Config } from '../../src/runtime/config.js';
import { adultEvent, childEvent, type DeepPartial } from '../unit/flows/registration/fixtures.js';
import type { MemberLine } from '../support/app.js';
import type { TestDatabase } from '../support/db.js';
import { useAdapter } from '../support/harness.js';
import { waitFor } from '../support/stack.js';
import { committedToEnd } from '../support/kafka.js';
import { readAll } from '../support/topic-reader.js';

const HH = '0100000001';
const members: MemberLine[] = [
  {
    member_id: 'P-1',
    household_code: HH,
    full_name: 'Nguyễn Văn Hùng',
    dob: '1985-03-12',
    gender: 'M',
    id_number: '001085012345',
    bhxh_code: '0112345678',
    province_code: '01',
    relation_to_head: 'chủ hộ',
  },
  {
    member_id: 'P-2',
    household_code: HH,
    full_name: 'Trần Thị Lan',
    dob: '1987-09-01',
    gender: 'F',
    id_number: '001187004321',
    bhxh_code: '0112345679',
    province_code: '01',
    relation_to_head: 'vợ',
  },
  {
    member_id: 'C-1',
    household_code: HH,
    full_name: 'Nguyễn Minh An',
    dob: '2015-06-10',
    gender: 'M',
    id_number: '001215000123',
    bhxh_code: '0112345001',
    province_code: '01',
    father_name: 'Nguyễn Văn Hùng',
    mother_name: 'Trần Thị Lan',
    relation_to_head: 'con',
  },
  {
    member_id: 'C-3',
    household_code: '0100000008',
    full_name: 'Đỗ Thu Trang',
    dob: '2016-02-29',
    gender: 'F',
    bhxh_code: '0112345003',
    province_code: '01',
    relation_to_head: 'con',
  },
  {
    member_id: 'T-1',
    household_code: '0100000009',
    full_name: 'Lê Thị Hoa',
    dob: '2014-04-04',
    gender: 'F',
    bhxh_code: '0112345011',
    province_code: '01',
    father_name: 'Lê Văn Sơn',
    mother_name: 'Vũ Thị Hà',
  },
  {
    member_id: 'T-2',
    household_code: '0100000009',
    full_name: 'Lê Thị Hoa',
    dob: '2014-04-04',
    gender: 'F',
    bhxh_code: '0112345012',
    province_code: '01',
    father_name: 'Lê Văn Sơn',
    mother_name: 'Vũ Thị Hà',
  },
  {
    member_id: 'A-1',
    household_code: '7900000001',
    full_name: 'Lê Minh Tuấn',
    dob: '1979-11-30',
    gender: 'M',
    id_number: '079079000111',
    bhxh_code: '7912121212',
    province_code: '79',
  },
  {
    member_id: 'A-2',
    household_code: '7900000002',
    full_name: 'Võ Thị Hạnh',
    dob: '2010-02-14',
    gender: 'F',
    id_number: '079310000222',
    bhxh_code: '7900000555',
    province_code: '79',
  },
];

const PDF = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\nform 01, signed\n%%EOF\n');
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('JFIF id card scan')]);
const HTML = Buffer.from('<html>definitely not a PDF</html>');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const ref = (uri: string, b: Buffer, mediaType: string): DocumentRef => ({
  uri,
  sha256: sha(b),
  sizeBytes: b.length,
  mediaType,
});
const FORM = ref('archive://2026/03/form01.pdf', PDF, 'application/pdf');
const IDCOPY = ref('2026/03/id.jpg', JPEG, 'image/jpeg');

const child = (over: DeepPartial<ChildRegistrationSubmitted> = {}) => childEvent(over);
const adult = (over: DeepPartial<AdultRegistrationSubmitted> = {}) =>
  adultEvent({ form01: FORM, idCopy: IDCOPY, ...over } as DeepPartial<AdultRegistrationSubmitted>);

/** Events and the reason codes each must be rejected with (at least). */
const childRejected: [ChildRegistrationSubmitted, string][] = [
  [
    child({
      submittedOn: '2026-03-02',
      child: { dateOfBirth: '2007-01-01', personalIdNumber: null },
      birthCertificate: { dateOfBirth: '2007-01-01' },
    }),
    'CHILD_NOT_UNDER_18',
  ],
  [
    child({
      child: { dateOfBirth: '2026-03-05', personalIdNumber: null },
      birthCertificate: { dateOfBirth: '2026-03-05' },
    }),
    'CHILD_BORN_AFTER_SUBMISSION',
  ],
  [child({ child: { idCardNumber: '001215009999' } }), 'CHILD_HAS_ID_CARD'],
  [child({ parent: { accountStatus: 'LOCKED' } }), 'PARENT_ACCOUNT_NOT_APPROVED'],
  [child({ child: { fullName: 'Nguyễn Minh Khôi' } }), 'BIRTH_CERT_NAME_MISMATCH'],
  [child({ birthCertificate: { dateOfBirth: '2015-06-11' } }), 'BIRTH_CERT_DOB_MISMATCH'],
  [child({ birthCertificate: { gender: 'FEMALE' } }), 'BIRTH_CERT_GENDER_MISMATCH'],
  [
    child({
      relationship: 'MOTHER',
      parent: { fullName: 'Vũ Thị Hà', idNumber: '001190000777', bhxhCode: null },
    }),
    'PARENT_NOT_ON_BIRTH_CERT',
  ],
  [child({ relationship: 'GUARDIAN', parent: { fullName: 'Bùi Văn Giám' } }), 'GUARDIAN_NEEDS_DOCUMENT'],
  [child({ child: { bhxhCode: '0199999999' } }), 'HGD_RECORD_NOT_FOUND'],
  [child({ child: { bhxhCode: '0112345003' } }), 'HGD_RECORD_MISMATCH'],
];

const adultRejected: [AdultRegistrationSubmitted, string][] = [
  [
    adult({
      submittedOn: '2025-02-13',
      person: { fullName: 'Võ Thị Hạnh', dateOfBirth: '2010-02-14', gender: 'FEMALE', bhxhCode: null },
      idDocument: { kind: 'CCCD', number: '079310000222' },
    }),
    'AGE_UNDER_15',
  ],
  [adult({ form01: { ...FORM, sha256: sha(JPEG) } }), 'DOCUMENT_HASH_MISMATCH:FORM_01'],
  [adult({ form01: { ...FORM, sizeBytes: PDF.length + 10 } }), 'DOCUMENT_SIZE_MISMATCH:FORM_01'],
  [adult({ form01: { ...FORM, uri: 'archive://2026/03/missing.pdf' } }), 'DOCUMENT_NOT_FOUND:FORM_01'],
  [adult({ form01: { ...FORM, uri: '../../etc/passwd' } }), 'DOCUMENT_PATH_INVALID:FORM_01'],
  [adult({ idCopy: { ...IDCOPY, uri: '/etc/passwd' } }), 'DOCUMENT_PATH_INVALID:ID_COPY'],
  [adult({ idCopy: { ...IDCOPY, uri: 'archive://2026/03/escape.jpg' } }), 'DOCUMENT_PATH_INVALID:ID_COPY'],
  [adult({ idCopy: { ...IDCOPY, mediaType: 'text/html' } }), 'DOCUMENT_MEDIA_TYPE_NOT_ALLOWED:ID_COPY'],
  [adult({ form01: ref('2026/03/fake.pdf', HTML, 'application/pdf') }), 'DOCUMENT_CONTENT_MISMATCH:FORM_01'],
  [adult({ idCopy: ref('2026/03/form01-again.pdf', PDF, 'application/pdf') }), 'DOCUMENTS_NOT_DISTINCT'],
  [
    adult({
      person: { fullName: 'Trịnh Văn Quyết', dateOfBirth: '1970-01-01', bhxhCode: null, provinceCode: '01' },
      idDocument: { kind: 'CCCD', number: '001070000001' },
    }),
    'HGD_RECORD_NOT_FOUND',
  ],
  [adult({ person: { dateOfBirth: '1979-11-29' } }), 'HGD_RECORD_MISMATCH'],
];

describe('Registration flows (child via parent/guardian, 15+ with archived documents), end to end on the real stack', () => {
  let db: TestDatabase;
  let config: Config;
  let app: App;
  let kafka: Kafka;
  let codec: AvroCodec;

  const childOk = child();
  const childGuardian = child({
    relationship: 'GUARDIAN',
    guardianshipDocumentRef: 'archive://guardianship/QD-12.pdf',
    parent: { fullName: 'Bùi Văn Giám', idNumber: '001170000888', bhxhCode: null, householdCode: HH },
  });
  const childTwins = child({
    parent: { fullName: 'Lê Văn Sơn', householdCode: '0100000009', bhxhCode: null, idNumber: '001080000999' },
    child: {
      fullName: 'Lê Thị Hoa',
      dateOfBirth: '2014-04-04',
      gender: 'FEMALE',
      bhxhCode: null,
      personalIdNumber: null,
    },
    birthCertificate: {
      fullName: 'Lê Thị Hoa',
      dateOfBirth: '2014-04-04',
      gender: 'FEMALE',
      fatherName: 'Lê Văn Sơn',
      motherName: 'Vũ Thị Hà',
    },
  });
  const childUnlinked = child({
    child: {
      fullName: 'Đỗ Thu Trang',
      dateOfBirth: '2016-02-29',
      gender: 'FEMALE',
      bhxhCode: '0112345003',
      personalIdNumber: null,
    },
    birthCertificate: { fullName: 'ĐỖ THU TRANG', dateOfBirth: '2016-02-29', gender: 'FEMALE' },
  });
  const childBadPid = child({ child: { personalIdNumber: '001214000123' } });
  const adultOk = adult();
  const adultConflict = adult({ person: { bhxhCode: '7900000555' } });
  const adultMatchOnly = adult({
    person: { bhxhCode: null },
    idDocument: { kind: 'PASSPORT', number: 'B7654321' },
  });
  const adultBadCccd = adult({ idDocument: { kind: 'CCCD', number: '079080000111' } });

  const base = mkdtempSync(path.join(tmpdir(), 'vss-e2e-archive-'));
  const archive = path.join(base, 'archive');
  const h = useAdapter({ members, env: { ARCHIVE_DIR: archive, ARCHIVE_RETENTION_YEARS: '10' } });
  beforeAll(async () => {
    ({ db, config, app, codec, kafka } = h);
    await mkdir(path.join(archive, '2026/03'), { recursive: true });
    await writeFile(path.join(archive, '2026/03/form01.pdf'), PDF);
    await writeFile(path.join(archive, '2026/03/form01-again.pdf'), PDF);
    await writeFile(path.join(archive, '2026/03/id.jpg'), JPEG);
    await writeFile(path.join(archive, '2026/03/fake.pdf'), HTML);
    await writeFile(path.join(base, 'secret.txt'), 'outside the archive');
    await symlink(path.join(base, 'secret.txt'), path.join(archive, '2026/03/escape.jpg'));
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  const decisions = async () =>
    Promise.all(
      (await readAll(kafka, config.topics.registrationDecided)).map((r) =>
        codec.decode<RegistrationDecision>(config.topics.registrationDecided, r.value),
      ),
    );
  const outboxDrained = () =>
    waitFor('outbox published', async () => {
      const r = await db.knex('bridge.outbox').whereNull('sent_at').count<{ count: string }[]>('* as count');
      return Number(r[0]?.count) === 0;
    });

  it('decides every registration once, archives only approved adult documents, and never crashes on bad references', async () => {
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const childTopic = config.topics.childRegistrationSubmitted;
    const adultTopic = config.topics.adultRegistrationSubmitted;
    const children = [
      childOk,
      ...childRejected.map(([e]) => e),
      childGuardian,
      childTwins,
      childUnlinked,
      childBadPid,
    ];
    const adults = [adultOk, ...adultRejected.map(([e]) => e), adultConflict, adultMatchOnly, adultBadCccd];
    for (const e of children) {
      await producer.send({
        topic: childTopic,
        messages: [{ key: e.registrationId, value: await codec.encode(childTopic, e) }],
      });
    }
    for (const e of adults) {
      await producer.send({
        topic: adultTopic,
        messages: [{ key: e.registrationId, value: await codec.encode(adultTopic, e) }],
      });
    }
    // Redelivery of the same events (same eventId): one decision each.
    await producer.send({
      topic: childTopic,
      messages: [{ key: childOk.registrationId, value: await codec.encode(childTopic, childOk) }],
    });
    await producer.send({
      topic: adultTopic,
      messages: [{ key: adultOk.registrationId, value: await codec.encode(adultTopic, adultOk) }],
    });
    await producer.disconnect();

    // Every record read, the redelivered copies included: committed to the end of both input topics (an inbox count
    // cannot show this, a duplicate adds no row).
    for (const t of [childTopic, adultTopic])
      await waitFor(
        `${t} committed to the end`,
        () => committedToEnd(kafka, config.kafka.groupId, t),
        60_000,
      );
    const expected = children.length + adults.length;
    expect(await db.knex('bridge.inbox').count<{ count: string }[]>('* as count')).toEqual([
      { count: expected },
    ]);
    await outboxDrained();
    const all = await decisions();
    const byReg = new Map<string, RegistrationDecision[]>();
    for (const d of all) byReg.set(d.registrationId, [...(byReg.get(d.registrationId) ?? []), d]);
    const only = (registrationId: string) => {
      const ds = byReg.get(registrationId) ?? [];
      expect(ds, registrationId).toHaveLength(1);
      return ds[0]!;
    };

    // Approved, with the BHXH code from HGD; exactly one decision despite the redelivery.
    expect(only(childOk.registrationId)).toMatchObject({
      kind: 'CHILD',
      outcome: 'APPROVED',
      bhxhCode: '0112345001',
      decidedBy: 'AUTO',
      reasonCodes: [],
    });
    expect(only(adultOk.registrationId)).toMatchObject({
      kind: 'ADULT',
      outcome: 'APPROVED',
      bhxhCode: '7912121212',
      decidedBy: 'AUTO',
    });

    // Rejected, each reason code at least once.
    for (const [e, code] of [...childRejected, ...adultRejected]) {
      const d = only(e.registrationId);
      expect(d.outcome, `${e.registrationId} → ${code}`).toBe('REJECTED');
      expect(d.reasonCodes, `${e.registrationId} → ${code}`).toContain(code);
      expect(d.bhxhCode).toBeNull();
    }

    // In review: IN_REVIEW decisions with a case each.
    const inReview = [
      [childGuardian, 'GUARDIAN_REVIEW'],
      [childTwins, 'HGD_AMBIGUOUS_MATCH'],
      [childUnlinked, 'HGD_NOT_LINKED_TO_PARENT'],
      [adultConflict, 'HGD_IDENTIFIERS_CONFLICT'],
      [adultMatchOnly, 'HGD_FOUND_BY_MATCHING_ONLY'],
    ] as const;
    for (const [e, code] of inReview) {
      const d = only(e.registrationId);
      expect(d).toMatchObject({ outcome: 'IN_REVIEW', decidedBy: 'AUTO' });
      expect(d.reasonCodes).toContain(code);
      expect(d.caseId).toMatch(/^RC-[CA]-/);
    }
    const cases = await db.knex('bridge.review_cases').select('case_id', 'kind', 'subject_id', 'status');
    expect(cases.map((c) => [c.subject_id, c.kind, c.status]).sort()).toEqual(
      inReview
        .map(([e]) => [
          e.registrationId,
          e.registrationId.startsWith('REG-C') ? 'CHILD_REGISTRATION' : 'ADULT_REGISTRATION',
          'open',
        ])
        .sort(),
    );

    // The archive: only the approved adult's documents, with the retention date from config.
    const archived = await db.knex('bridge.archive_records').select().orderBy('kind');
    expect(
      archived.map((r) => [r.registration_id, r.kind, r.uri, r.sha256, Number(r.size), r.media_type]),
    ).toEqual([
      [
        adultOk.registrationId,
        'FORM_01',
        'archive://2026/03/form01.pdf',
        sha(PDF),
        PDF.length,
        'application/pdf',
      ],
      [adultOk.registrationId, 'ID_COPY', 'archive://2026/03/id.jpg', sha(JPEG), JPEG.length, 'image/jpeg'],
    ]);
    expect(archived.map((r) => new Date(r.retention_until).getFullYear())).toEqual([2036, 2036]);

    // Review-case events for operators.
    const opened = await Promise.all(
      (await readAll(kafka, config.topics.reviewCaseChanged)).map((r) =>
        codec.decode<ReviewCase>(config.topics.reviewCaseChanged, r.value),
      ),
    );
    expect(opened.filter((r) => r.status === 'OPENED')).toHaveLength(inReview.length);

    // Nothing crashed: the app still answers and the consumer is in its group.
    expect((await fetch(`http://127.0.0.1:${app.httpPort}/healthz`)).status).toBe(200);
  });

  it('an ID number inconsistent with the date of birth is a flow decision (rejected with its reason), not a dead letter', async () => {
    // Contract validation checks the format only; consistency with the declared birth year and gender is a rule.
    const all = await decisions();
    for (const [e, code] of [
      [childBadPid, 'PERSONAL_ID_INCONSISTENT'],
      [adultBadCccd, 'ID_NUMBER_INCONSISTENT'],
    ] as const) {
      const decided = all.filter((d) => d.registrationId === e.registrationId);
      expect(decided, e.registrationId).toHaveLength(1);
      expect(decided[0]).toMatchObject({ outcome: 'REJECTED' });
      expect(decided[0]!.reasonCodes).toContain(code);
    }
    const inbox = await db.knex('bridge.inbox').where({ outcome: 'dlq' });
    expect(inbox).toHaveLength(0);
  });

  it('operators resolve the review cases: approve a child and an adult (with archive records), reject the others', async () => {
    const open = await app.review.list({ status: 'open' });
    const caseOf = (registrationId: string) => {
      const c = open.find((x) => x.subjectId === registrationId);
      expect(c, registrationId).toBeDefined();
      return c!.caseId;
    };

    const g = await app.review.resolve(
      caseOf(childGuardian.registrationId),
      {
        kind: 'member',
        memberId: 'C-1',
        note: 'guardianship decision checked',
      },
      { id: 'alice', role: 'reviewer' },
    );
    expect(g).toMatchObject({
      status: 'resolved',
      resolution: 'member',
      resolutionMemberId: 'C-1',
      resolvedBy: 'alice',
    });
    await expect(
      app.review.resolve(
        caseOf(childTwins.registrationId),
        {
          kind: 'member',
          memberId: 'NOPE',
          note: null,
        },
        { id: 'alice', role: 'reviewer' },
      ),
    ).rejects.toThrow(/not among the candidates/);
    await app.review.resolve(
      caseOf(childTwins.registrationId),
      {
        kind: 'no_match',
        note: 'cannot tell the twins apart',
      },
      { id: 'bob', role: 'reviewer' },
    );
    await expect(
      app.review.resolve(
        caseOf(childTwins.registrationId),
        {
          kind: 'no_match',
          note: null,
        },
        { id: 'bob', role: 'reviewer' },
      ),
    ).rejects.toThrow(/already resolved/);
    await app.review.resolve(
      caseOf(adultConflict.registrationId),
      {
        kind: 'member',
        memberId: 'A-1',
        note: 'BHXH code typo',
      },
      { id: 'carol', role: 'reviewer' },
    );
    await app.review.resolve(
      caseOf(adultMatchOnly.registrationId),
      {
        kind: 'no_match',
        note: null,
      },
      { id: 'carol', role: 'reviewer' },
    );
    app.relay.wake();
    await outboxDrained();

    const all = await decisions();
    const last = (registrationId: string) => all.filter((d) => d.registrationId === registrationId).at(-1);
    expect(last(childGuardian.registrationId)).toMatchObject({
      outcome: 'APPROVED',
      bhxhCode: '0112345001',
      decidedBy: 'OPERATOR',
      operator: 'alice',
    });
    expect(last(childTwins.registrationId)).toMatchObject({
      outcome: 'REJECTED',
      reasonCodes: ['REJECTED_BY_OPERATOR'],
      decidedBy: 'OPERATOR',
      operator: 'bob',
    });
    expect(last(adultConflict.registrationId)).toMatchObject({
      outcome: 'APPROVED',
      bhxhCode: '7912121212',
      decidedBy: 'OPERATOR',
      operator: 'carol',
    });
    expect(last(adultMatchOnly.registrationId)).toMatchObject({
      outcome: 'REJECTED',
      reasonCodes: ['REJECTED_BY_OPERATOR'],
    });

    const archived = await db
      .knex('bridge.archive_records')
      .where({ registration_id: adultConflict.registrationId })
      .orderBy('kind');
    expect(archived.map((r) => [r.kind, r.uri])).toEqual([
      ['FORM_01', 'archive://2026/03/form01.pdf'],
      ['ID_COPY', 'archive://2026/03/id.jpg'],
    ]);
    expect(
      await db.knex('bridge.archive_records').where({ registration_id: adultMatchOnly.registrationId }),
    ).toHaveLength(0);

    const reviews = await Promise.all(
      (await readAll(kafka, config.topics.reviewCaseChanged)).map((r) =>
        codec.decode<ReviewCase>(config.topics.reviewCaseChanged, r.value),
      ),
    );
    const resolved = reviews.filter((r) => r.status === 'RESOLVED');
    expect(resolved.map((r) => [r.subjectId, r.resolvedBy]).sort()).toEqual(
      [
        [childGuardian.registrationId, 'alice'],
        [childTwins.registrationId, 'bob'],
        [adultConflict.registrationId, 'carol'],
        [adultMatchOnly.registrationId, 'carol'],
      ].sort(),
    );
    expect(resolved.find((r) => r.subjectId === childGuardian.registrationId)).toMatchObject({
      kind: 'CHILD_REGISTRATION',
      resolution: 'member:C-1',
    });
  });
});
