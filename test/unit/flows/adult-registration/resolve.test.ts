import { describe, expect, it } from 'vitest';
import { reviewCase, reviewer } from '../review/cases.js';
import type { RegistrationDecision } from '../../../../src/contracts/generated.js';
import { resolveAdultCase } from '../../../../src/flows/adult-registration/resolve.js';
import type { ArchiveEffect, EmitEffect } from '../../../../src/domain/effects.js';
import { adultEvent, HGD_MEMBERS } from '../registration/fixtures.js';

const NOW = new Date('2026-03-04T08:00:00Z');
const e = adultEvent();
const archive: ArchiveEffect[] = (['FORM_01', 'ID_COPY'] as const).map((documentKind, i) => ({
  kind: 'archive',
  registrationId: e.registrationId,
  documentKind,
  sha256: String(i).repeat(64),
  sizeBytes: 10 + i,
  uri: `archive://2026/03/${documentKind}.pdf`,
  mediaType: 'application/pdf',
  retentionUntil: '2036-03-02',
}));
// As stored: JSON round trip of the request and the evidence.
const c = reviewCase({
  kind: 'ADULT_REGISTRATION',
  caseId: 'RC-A-1',
  subjectId: e.registrationId,
  reasonCodes: ['HGD_AMBIGUOUS_ID_NUMBER'],
  candidates: [{ memberId: 'A-1', householdCode: '7900000001', score: 0 }],
  request: JSON.parse(JSON.stringify(e)) as unknown,
  evidence: JSON.parse(
    JSON.stringify({ rules: [], archive, hgd: { memberIds: ['A-1'], how: 'id_number' } }),
  ) as unknown,
});
const A1 = HGD_MEMBERS.find((m) => m.memberId === 'A-1')!;
const decision = (effects: { kind: string }[]) =>
  effects.filter(
    (x): x is EmitEffect => x.kind === 'emit' && (x as EmitEffect).topic === 'registrationDecided',
  )[0]?.record as RegistrationDecision;

describe('resolveAdultCase', () => {
  it('--member approves and records the archive entries verified when the case was opened', () => {
    const effects = resolveAdultCase(
      c,
      { kind: 'member', memberId: 'A-1', note: null },
      reviewer('alice'),
      A1,
      NOW,
    );
    expect(effects.filter((x) => x.kind === 'archive')).toEqual(archive);
    expect(effects.find((x) => x.kind === 'resolveReview')).toMatchObject({
      resolution: 'member',
      memberId: 'A-1',
      resolvedBy: 'alice',
    });
    expect(decision(effects)).toMatchObject({
      kind: 'ADULT',
      outcome: 'APPROVED',
      bhxhCode: '7912121212',
      decidedBy: 'OPERATOR',
      operator: 'alice',
      caseId: 'RC-A-1',
      registrationId: e.registrationId,
      sourceEventId: e.eventId,
    });
  });

  it('--no-match rejects with REJECTED_BY_OPERATOR and archives nothing', () => {
    const effects = resolveAdultCase(
      c,
      { kind: 'no_match', note: 'not the same person' },
      reviewer('bob'),
      null,
      NOW,
    );
    expect(effects.some((x) => x.kind === 'archive')).toBe(false);
    expect(decision(effects)).toMatchObject({
      outcome: 'REJECTED',
      reasonCodes: ['REJECTED_BY_OPERATOR'],
      operator: 'bob',
    });
  });

  it('refuses to approve when the documents were not verified', () => {
    const unverified = { ...c, evidence: { rules: [], archive: null, hgd: { memberIds: [], how: null } } };
    expect(() =>
      resolveAdultCase(unverified, { kind: 'member', memberId: 'A-1', note: null }, reviewer('a'), A1, NOW),
    ).toThrow(/not verified/);
  });
});
