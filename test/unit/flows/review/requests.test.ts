import { describe, expect, it } from 'vitest';
import {
  defenceRequestOf,
  registrationRequestOf,
  verifiedArchiveOf,
} from '../../../../src/flows/review/requests.js';
import { ReviewRefused } from '../../../../src/flows/review/actions.js';
import { reviewCase } from './cases.js';

// What a case stored when it was opened, decoded field by field: each way a stored case can be broken is refused
// with STORED_CASE_INVALID, never cast into a wrong output.

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof ReviewRefused ? e.refusal : `not a refusal: ${String(e)}`;
  }
  return 'accepted';
};

const rec = {
  kind: 'archive',
  registrationId: 'R',
  documentKind: 'FORM_01',
  sha256: 'a'.repeat(64),
  sizeBytes: 3,
  uri: 'archive://x',
  mediaType: 'application/pdf',
  retentionUntil: '2036-01-01',
};
const adult = (evidence: unknown) =>
  reviewCase({ caseId: 'A', kind: 'ADULT_REGISTRATION', evidence: evidence as Record<string, unknown> });

describe('registrationRequestOf', () => {
  it('reads the event and registration ids', () => {
    const c = reviewCase({
      caseId: 'R1',
      kind: 'CHILD_REGISTRATION',
      request: { eventId: 'E-9', registrationId: 'REG-9', x: 1 },
    });
    expect(registrationRequestOf(c)).toEqual({ eventId: 'E-9', registrationId: 'REG-9' });
  });
  it.each([
    ['an empty id', { eventId: 'E-9', registrationId: '' }],
    ['a number as id', { eventId: 'E-9', registrationId: 9 }],
    ['no event id', { registrationId: 'REG-9' }],
    ['no stored request at all', null],
  ])('refuses %s', (_l, request) => {
    const c = reviewCase({ caseId: 'R1', kind: 'CHILD_REGISTRATION', request: request as never });
    expect(refusal(() => registrationRequestOf(c))).toBe('STORED_CASE_INVALID');
  });
});

describe('defenceRequestOf', () => {
  it('refuses a request without a request id, or with an empty event id', () => {
    const c = (request: unknown) =>
      reviewCase({ caseId: 'D', kind: 'DEFENCE_CODE_MAPPING', request: request as never });
    expect(refusal(() => defenceRequestOf(c({ eventId: 'E', bqpCode: '1' })))).toBe('STORED_CASE_INVALID');
    expect(refusal(() => defenceRequestOf(c({ eventId: '', requestId: 'Q', bqpCode: '1' })))).toBe(
      'STORED_CASE_INVALID',
    );
    expect(defenceRequestOf(c({ eventId: 'E', requestId: 'Q', bqpCode: '1' }))).toEqual({
      eventId: 'E',
      requestId: 'Q',
      bqpCode: '1',
    });
  });
});

describe('verifiedArchiveOf', () => {
  it('the two records as archive effects, every field kept', () => {
    expect(
      verifiedArchiveOf(adult({ archive: [rec, { ...rec, documentKind: 'ID_COPY', sizeBytes: 0 }] })),
    ).toEqual([rec, { ...rec, documentKind: 'ID_COPY', sizeBytes: 0 }]);
  });
  it.each([
    ['no evidence', null],
    ['no archive', {}],
    ['an archive that is not a list', { archive: 'x' }],
    ['one record', { archive: [rec] }],
    ['three records', { archive: [rec, rec, rec] }],
  ])('%s: not verified (null)', (_l, evidence) => {
    expect(verifiedArchiveOf(adult(evidence))).toBeNull();
  });
  it.each([
    ['a size that is not a number', { sizeBytes: '3' }],
    ['no size', { sizeBytes: undefined }],
    ['no hash', { sha256: undefined }],
    ['an empty URI', { uri: '' }],
    ['no media type', { mediaType: undefined }],
    ['no retention date', { retentionUntil: undefined }],
    ['no registration id', { registrationId: undefined }],
    ['no document kind', { documentKind: undefined }],
  ])('refuses a record with %s', (_l, change) => {
    const broken = { ...rec, ...change };
    expect(refusal(() => verifiedArchiveOf(adult({ archive: [rec, broken] })))).toBe('STORED_CASE_INVALID');
  });
});
