import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type {
  AdultRegistrationSubmitted,
  DocumentRef,
  RegistrationDecision,
} from '../../../../src/contracts/generated.js';
import {
  decideAdultRegistration,
  evaluateAdultRegistration,
  type AdultCaseEvidence,
} from '../../../../src/flows/adult-registration/decide.js';
import type { DocumentInspection, DocumentStore } from '../../../../src/ports/documents.js';
import type { RuleResult } from '../../../../src/flows/registration/rules.js';
import type { ArchiveEffect, EmitEffect, OpenReviewEffect } from '../../../../src/domain/effects.js';
import { adultEvent, HGD_MEMBERS, memoryHgd, type DeepPartial } from '../registration/fixtures.js';
import { reviewCaseId } from '../../../../src/domain/ids.js';

const PDF = Buffer.from('%PDF-1.7\nform 01 signed\n%%EOF\n');
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('id card scan')]);
const HTML = Buffer.from('<html>not a pdf</html>');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The archive in memory; 'locked/…' keys are unreadable, 'link/…' keys escape the root. */
function memoryDocuments(files: Record<string, Buffer>): DocumentStore {
  return {
    async inspect(key, opts = {}): Promise<DocumentInspection> {
      if (key.startsWith('locked/')) return { status: 'unreadable', detail: 'EACCES' };
      if (key.startsWith('link/')) return { status: 'outside_root' };
      const b = files[key];
      if (!b) return { status: 'not_found' };
      const sizeMatches = opts.expectedSize === undefined || opts.expectedSize === b.length;
      return {
        status: 'found',
        sizeBytes: b.length,
        sha256: sizeMatches ? sha(b) : null,
        head: b.subarray(0, 16),
      };
    },
  };
}

const files = {
  '2026/03/form01.pdf': PDF,
  '2026/03/id.jpg': JPEG,
  '2026/03/fake.pdf': HTML,
  '2026/03/copy-of-form.pdf': PDF,
};
const ref = (key: string, b: Buffer, mediaType: string): DocumentRef => ({
  uri: `archive://${key}`,
  sha256: sha(b),
  sizeBytes: b.length,
  mediaType,
});
const FORM = ref('2026/03/form01.pdf', PDF, 'application/pdf');
const IDCOPY = ref('2026/03/id.jpg', JPEG, 'image/jpeg');
const ports = { ...memoryHgd(HGD_MEMBERS), documents: memoryDocuments(files) };
const opts = { retentionYears: 10, now: () => new Date('2026-03-02T03:00:00Z') };

function event(over: DeepPartial<AdultRegistrationSubmitted> = {}): AdultRegistrationSubmitted {
  return adultEvent({ form01: FORM, idCopy: IDCOPY, ...over } as DeepPartial<AdultRegistrationSubmitted>);
}

async function rule(e: AdultRegistrationSubmitted, name: string): Promise<RuleResult | undefined> {
  const { log } = await evaluateAdultRegistration(e, ports, opts);
  return log.results.find((r) => r.rule === name);
}

const decisionOf = (effects: { kind: string }[]) =>
  effects.filter(
    (e): e is EmitEffect => e.kind === 'emit' && (e as EmitEffect).topic === 'registrationDecided',
  )[0]?.record as RegistrationDecision;

describe('adult registration: the approved path', () => {
  it('approves, archives form 01 and the ID copy in the same decision, with the BHXH code from HGD', async () => {
    const e = event();
    const d = await decideAdultRegistration(e, ports, opts);
    expect(d.outcome).toBe('approved');
    const archive = d.effects.filter((x): x is ArchiveEffect => x.kind === 'archive');
    expect(archive).toEqual([
      {
        kind: 'archive',
        registrationId: e.registrationId,
        documentKind: 'FORM_01',
        sha256: sha(PDF),
        sizeBytes: PDF.length,
        uri: 'archive://2026/03/form01.pdf',
        mediaType: 'application/pdf',
        retentionUntil: '2036-03-02',
      },
      {
        kind: 'archive',
        registrationId: e.registrationId,
        documentKind: 'ID_COPY',
        sha256: sha(JPEG),
        sizeBytes: JPEG.length,
        uri: 'archive://2026/03/id.jpg',
        mediaType: 'image/jpeg',
        retentionUntil: '2036-03-02',
      },
    ]);
    expect(decisionOf(d.effects)).toMatchObject({
      kind: 'ADULT',
      outcome: 'APPROVED',
      bhxhCode: '7912121212',
      reasonCodes: [],
      decidedBy: 'AUTO',
    });
  });

  it('a relative path and an upper-case digest are accepted; the stored uri is canonical', async () => {
    const e = event({ form01: { ...FORM, uri: '2026/03/form01.pdf', sha256: sha(PDF).toUpperCase() } });
    const d = await decideAdultRegistration(e, ports, opts);
    expect(d.outcome).toBe('approved');
    expect(d.effects.find((x): x is ArchiveEffect => x.kind === 'archive')).toMatchObject({
      uri: 'archive://2026/03/form01.pdf',
      sha256: sha(PDF),
    });
  });

  it('found by BHXH code when the ID number is not on record (passport)', async () => {
    const e = event({
      idDocument: { kind: 'PASSPORT', number: 'C1234567' },
      person: { bhxhCode: '7912121212' },
    });
    const { log, hgd } = await evaluateAdultRegistration(e, ports, opts);
    expect(hgd.how).toBe('bhxh_code');
    // HGD holds a CCCD, the person registers with a passport: a human looks.
    expect(log.results.find((r) => r.rule === 'hgd.agrees')).toMatchObject({
      result: 'review',
      code: 'HGD_RECORD_MISMATCH',
    });
  });
});

describe('rule person.age15: 15 or over on the submission date', () => {
  const girl = (dob: string, submittedOn: string): DeepPartial<AdultRegistrationSubmitted> => ({
    submittedOn,
    person: { fullName: 'Võ Thị Hạnh', dateOfBirth: dob, gender: 'FEMALE', bhxhCode: null },
    idDocument: { kind: 'CMND', number: '123456780' },
  });
  it.each([
    ['the day before the 15th birthday', '2010-02-14', '2025-02-13', 'reject', 'AGE_UNDER_15'],
    ['on the 15th birthday', '2010-02-14', '2025-02-14', 'pass', undefined],
    ['16', '2010-02-14', '2026-03-02', 'pass', undefined],
    ['14', '2012-01-01', '2026-03-02', 'reject', 'AGE_UNDER_15'],
    // Leap-day birth: 15 on 1 March in the non-leap 15th year (identifiers.ageOn).
    ['leap-day birth, 28 Feb of the 15th year', '2008-02-29', '2023-02-28', 'reject', 'AGE_UNDER_15'],
    ['leap-day birth, 1 Mar of the 15th year', '2008-02-29', '2023-03-01', 'pass', undefined],
    ['leap-day birth, 29 Feb of a leap 16th year', '2008-02-29', '2024-02-29', 'pass', undefined],
  ])('%s', async (_l, dob, on, result, code) => {
    const r = await rule(event(girl(dob, on)), 'person.age15');
    expect(r?.result).toBe(result);
    expect(r?.code).toBe(code);
  });
});

describe('rules id.*: ID number per kind', () => {
  it.each<
    [
      string,
      AdultRegistrationSubmitted['idDocument'] | DeepPartial<AdultRegistrationSubmitted['idDocument']>,
      string,
      string,
      string | undefined,
    ]
  >([
    ['CCCD, consistent', { kind: 'CCCD', number: '079079000111' }, 'id.consistent', 'pass', undefined],
    ['CCCD, 11 digits', { kind: 'CCCD', number: '07907900011' }, 'id.format', 'reject', 'ID_NUMBER_INVALID'],
    [
      'CCCD, province 097',
      { kind: 'CCCD', number: '097079000111' },
      'id.format',
      'reject',
      'ID_NUMBER_INVALID',
    ],
    [
      'CCCD of another birth year',
      { kind: 'CCCD', number: '079080000111' },
      'id.consistent',
      'reject',
      'ID_NUMBER_INCONSISTENT',
    ],
    [
      'CCCD of a woman for a man',
      { kind: 'CCCD', number: '079179000111' },
      'id.consistent',
      'reject',
      'ID_NUMBER_INCONSISTENT',
    ],
    ['CMND, 9 digits', { kind: 'CMND', number: '123456789' }, 'id.format', 'pass', undefined],
    ['CMND, 12 digits', { kind: 'CMND', number: '079079000111' }, 'id.format', 'pass', undefined],
    ['CMND, 10 digits', { kind: 'CMND', number: '1234567890' }, 'id.format', 'reject', 'ID_NUMBER_INVALID'],
    ['passport', { kind: 'PASSPORT', number: 'C1234567' }, 'id.format', 'pass', undefined],
    [
      'passport, lower-case letter',
      { kind: 'PASSPORT', number: 'c1234567' },
      'id.format',
      'reject',
      'ID_NUMBER_INVALID',
    ],
    [
      'passport, 8 digits',
      { kind: 'PASSPORT', number: 'C12345678' },
      'id.format',
      'reject',
      'ID_NUMBER_INVALID',
    ],
    ['unknown kind', { kind: 'UNKNOWN', number: '079079000111' }, 'id.format', 'reject', 'ID_KIND_UNKNOWN'],
  ])('%s', async (_l, idDocument, name, result, code) => {
    const r = await rule(event({ idDocument } as DeepPartial<AdultRegistrationSubmitted>), name);
    expect(r?.result).toBe(result);
    expect(r?.code).toBe(code);
  });
});

describe('rules document.*: both documents in the archive as declared', () => {
  it.each<[string, DeepPartial<AdultRegistrationSubmitted>, string, string | undefined]>([
    ['both verified', {}, 'pass', undefined],
    ['wrong hash', { form01: { ...FORM, sha256: sha(JPEG) } }, 'reject', 'DOCUMENT_HASH_MISMATCH:FORM_01'],
    [
      'wrong size',
      { form01: { ...FORM, sizeBytes: PDF.length + 1 } },
      'reject',
      'DOCUMENT_SIZE_MISMATCH:FORM_01',
    ],
    [
      'missing file',
      { form01: { ...FORM, uri: 'archive://2026/03/nope.pdf' } },
      'reject',
      'DOCUMENT_NOT_FOUND:FORM_01',
    ],
    [
      'path traversal',
      { form01: { ...FORM, uri: '../../etc/passwd' } },
      'reject',
      'DOCUMENT_PATH_INVALID:FORM_01',
    ],
    ['absolute path', { form01: { ...FORM, uri: '/etc/passwd' } }, 'reject', 'DOCUMENT_PATH_INVALID:FORM_01'],
    [
      'file URI',
      { form01: { ...FORM, uri: 'file:///etc/passwd' } },
      'reject',
      'DOCUMENT_PATH_INVALID:FORM_01',
    ],
    [
      'symbolic link out of the archive',
      { form01: { ...FORM, uri: 'archive://link/passwd' } },
      'reject',
      'DOCUMENT_PATH_INVALID:FORM_01',
    ],
    [
      'media type not allowed',
      { form01: { ...FORM, mediaType: 'text/html' } },
      'reject',
      'DOCUMENT_MEDIA_TYPE_NOT_ALLOWED:FORM_01',
    ],
    [
      'bytes are not the declared type',
      { form01: ref('2026/03/fake.pdf', HTML, 'application/pdf') },
      'reject',
      'DOCUMENT_CONTENT_MISMATCH:FORM_01',
    ],
    ['empty reference', { form01: { ...FORM, uri: '' } }, 'reject', 'DOCUMENT_MISSING:FORM_01'],
    ['blank reference', { form01: { ...FORM, uri: '   ' } }, 'reject', 'DOCUMENT_MISSING:FORM_01'],
    [
      'declared hash in capitals',
      { form01: { ...FORM, sha256: FORM.sha256.toUpperCase() } },
      'pass',
      undefined,
    ],
    [
      'unreadable by us',
      { form01: { ...FORM, uri: 'archive://locked/form.pdf' } },
      'review',
      'DOCUMENT_UNREADABLE:FORM_01',
    ],
  ])('form 01: %s', async (_l, over, result, code) => {
    const r = await rule(event(over), 'document.FORM_01');
    expect(r?.result).toBe(result);
    expect(r?.code).toBe(code);
  });

  it.each<[string, DeepPartial<AdultRegistrationSubmitted>, string]>([
    ['wrong hash', { idCopy: { ...IDCOPY, sha256: 'ab'.repeat(32) } }, 'DOCUMENT_HASH_MISMATCH:ID_COPY'],
    ['missing file', { idCopy: { ...IDCOPY, uri: '2026/03/none.jpg' } }, 'DOCUMENT_NOT_FOUND:ID_COPY'],
    [
      'traversal',
      { idCopy: { ...IDCOPY, uri: 'archive://2026/../../../etc/shadow' } },
      'DOCUMENT_PATH_INVALID:ID_COPY',
    ],
  ])('ID copy: %s → rejected', async (_l, over, code) => {
    const d = await decideAdultRegistration(event(over), ports, opts);
    expect(d.outcome).toBe('rejected');
    expect(decisionOf(d.effects).reasonCodes).toEqual([code]);
    expect(d.effects.some((x) => x.kind === 'archive')).toBe(false);
  });

  it('the same file given as form 01 and ID copy', async () => {
    const e = event({ idCopy: ref('2026/03/copy-of-form.pdf', PDF, 'application/pdf') });
    const d = await decideAdultRegistration(e, ports, opts);
    expect(decisionOf(d.effects).reasonCodes).toEqual(['DOCUMENTS_NOT_DISTINCT']);
  });

  it('several problems: every failing document reason is reported', async () => {
    const e = event({
      form01: { ...FORM, uri: '../../etc/passwd' },
      idCopy: { ...IDCOPY, sha256: 'ab'.repeat(32) },
    });
    const d = await decideAdultRegistration(e, ports, opts);
    expect(decisionOf(d.effects).reasonCodes).toEqual([
      'DOCUMENT_PATH_INVALID:FORM_01',
      'DOCUMENT_HASH_MISMATCH:ID_COPY',
    ]);
  });
});

describe('rules hgd.*: the person in HGD', () => {
  it.each<[string, DeepPartial<AdultRegistrationSubmitted>, string, string, string | undefined]>([
    ['found by ID number', {}, 'hgd.record', 'pass', undefined],
    ['agrees (ASCII name)', { person: { fullName: 'LE MINH TUAN' } }, 'hgd.agrees', 'pass', undefined],
    [
      'agrees (NFD name)',
      { person: { fullName: 'Lê Minh Tuấn'.normalize('NFD') } },
      'hgd.agrees',
      'pass',
      undefined,
    ],
    [
      'another name',
      { person: { fullName: 'Lê Minh Hoàng' } },
      'hgd.agrees',
      'reject',
      'HGD_RECORD_MISMATCH',
    ],
    [
      'another date of birth',
      { person: { dateOfBirth: '1979-11-29' } },
      'hgd.agrees',
      'reject',
      'HGD_RECORD_MISMATCH',
    ],
    ['marks differ', { person: { fullName: 'Lê Minh Tuân' } }, 'hgd.agrees', 'review', 'HGD_RECORD_MISMATCH'],
    [
      'another declared BHXH code, same person by ID',
      { person: { bhxhCode: null } },
      'hgd.record',
      'pass',
      undefined,
    ],
    [
      'ID number and BHXH code name different people',
      { person: { bhxhCode: '7900000555' } },
      'hgd.record',
      'review',
      'HGD_IDENTIFIERS_CONFLICT',
    ],
    [
      'year-only record (old CMND) agrees at its precision',
      {
        person: { fullName: 'Hoàng Văn Nam', dateOfBirth: '1960-05-05', bhxhCode: null },
        idDocument: { kind: 'CMND', number: '123456789' },
      },
      'hgd.agrees',
      'pass',
      undefined,
    ],
    [
      'unknown person, nobody similar',
      {
        person: { fullName: 'Trịnh Văn Quyết', dateOfBirth: '1970-01-01', bhxhCode: null },
        idDocument: { kind: 'CCCD', number: '001070000001' },
      },
      'hgd.record',
      'reject',
      'HGD_RECORD_NOT_FOUND',
    ],
    [
      'found only by matching (HGD holds no such ID)',
      { person: { bhxhCode: null }, idDocument: { kind: 'PASSPORT', number: 'B7654321' } },
      'hgd.record',
      'review',
      'HGD_FOUND_BY_MATCHING_ONLY',
    ],
  ])('%s', async (_l, over, name, result, code) => {
    const r = await rule(event(over), name);
    expect(r?.result).toBe(result);
    expect(r?.code).toBe(code);
  });

  it('several members hold the ID number: review with each as a candidate', async () => {
    const dup = [
      ...HGD_MEMBERS,
      {
        ...HGD_MEMBERS.find((m) => m.memberId === 'A-1')!,
        memberId: 'A-1b',
        householdCode: '7900000009',
        bhxhCode: '7912121299',
      },
    ];
    const e = event();
    const d = await decideAdultRegistration(
      e,
      { ...memoryHgd(dup), documents: memoryDocuments(files) },
      opts,
    );
    expect(d.outcome).toBe('review');
    const open = d.effects.find((x): x is OpenReviewEffect => x.kind === 'openReview')!;
    expect(open.reasonCodes).toEqual(['HGD_AMBIGUOUS_ID_NUMBER']);
    expect(open.reviewKind).toBe('ADULT_REGISTRATION');
    expect(open.caseId).toBe(reviewCaseId('ADULT_REGISTRATION', e.registrationId));
    expect(open.candidates.map((c) => c.memberId)).toEqual(['A-1', 'A-1b']);
    // The verified documents travel with the case, so an operator's approval archives them.
    const ev = open.evidence as AdultCaseEvidence;
    expect(ev.archive?.map((a) => a.documentKind)).toEqual(['FORM_01', 'ID_COPY']);
    expect(ev.hgd).toEqual({ memberIds: ['A-1', 'A-1b'], how: null }); // no one record was found
    expect(decisionOf(d.effects)).toMatchObject({
      outcome: 'IN_REVIEW',
      caseId: open.caseId,
      kind: 'ADULT',
      decidedBy: 'AUTO',
    });
  });

  it('a member without a BHXH code goes to review', async () => {
    const noCode = HGD_MEMBERS.map((m) => (m.memberId === 'A-1' ? { ...m, bhxhCode: null } : m));
    const d = await decideAdultRegistration(
      event({ person: { bhxhCode: null } }),
      { ...memoryHgd(noCode), documents: memoryDocuments(files) },
      opts,
    );
    expect(d.outcome).toBe('review');
    expect(d.effects.find((x): x is OpenReviewEffect => x.kind === 'openReview')?.reasonCodes).toEqual([
      'HGD_NO_BHXH_CODE',
    ]);
  });
});

describe('adult registration: the time of the decision', () => {
  it('is the clock given, else the current time', async () => {
    const given = await decideAdultRegistration(event(), ports, opts);
    expect(decisionOf(given.effects).occurredAt).toEqual(new Date('2026-03-02T03:00:00Z'));
    const before = Date.now();
    const current = await decideAdultRegistration(event(), ports, { retentionYears: 10 });
    const at = decisionOf(current.effects).occurredAt.getTime();
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
  });
});

describe('hgd.agrees: each difference of the record found, on its own', () => {
  const withA1 = (change: Partial<(typeof HGD_MEMBERS)[number]>) =>
    HGD_MEMBERS.map((m) => (m.memberId === 'A-1' ? { ...m, ...change } : m));
  async function agrees(
    change: Partial<(typeof HGD_MEMBERS)[number]>,
    over: DeepPartial<AdultRegistrationSubmitted> = {},
  ) {
    const { log } = await evaluateAdultRegistration(
      event(over),
      { ...memoryHgd(withA1(change)), documents: memoryDocuments(files) },
      opts,
    );
    return log.results.find((r) => r.rule === 'hgd.agrees');
  }
  it.each<[string, Partial<(typeof HGD_MEMBERS)[number]>, 'review' | 'reject']>([
    ['no date of birth on record', { dob: null }, 'review'],
    ['another gender', { gender: 'F' }, 'reject'],
  ])('%s → %s', async (_l, change, severity) => {
    expect(await agrees(change)).toMatchObject({ result: severity, code: 'HGD_RECORD_MISMATCH' });
  });
  it('the record found by ID number holds another BHXH code than the one declared → review', async () => {
    const r = await agrees({ bhxhCode: '7912121299' });
    expect(r).toMatchObject({ result: 'review', code: 'HGD_RECORD_MISMATCH' });
  });
  it('the record has no gender: agrees', async () => {
    expect(await agrees({ gender: null })).toEqual({ rule: 'hgd.agrees', result: 'pass' });
  });
});
