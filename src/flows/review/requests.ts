/**
 * Typed decoding of what a case stored when it was opened (the source event as JSON, the flow's evidence). Stored
 * JSON is checked field by field instead of being cast: a case written by an older version, or edited by hand, is
 * refused with the field's name rather than producing wrong outputs.
 */
import type { ArchiveEffect } from '../../domain/effects.js';
import type { ReviewCase } from '../../ports/review-cases.js';
import { ReviewRefused } from './actions.js';

/** What a Defence resolution needs of the CodeLookupFailed that opened the case. */
export interface DefenceCaseRequest {
  eventId: string;
  requestId: string;
  bqpCode: string;
}

/** What a registration resolution needs of the submission that opened the case. */
export interface RegistrationCaseRequest {
  eventId: string;
  registrationId: string;
}

function stringField(c: ReviewCase, obj: unknown, field: string, where = 'request'): string {
  const v = (obj as Record<string, unknown> | null)?.[field];
  if (typeof v !== 'string' || v.length === 0) {
    throw new ReviewRefused('STORED_CASE_INVALID', `case ${c.caseId}: stored ${where} lacks "${field}"`);
  }
  return v;
}

export function defenceRequestOf(c: ReviewCase): DefenceCaseRequest {
  return {
    eventId: stringField(c, c.request, 'eventId'),
    requestId: stringField(c, c.request, 'requestId'),
    bqpCode: stringField(c, c.request, 'bqpCode'),
  };
}

export function registrationRequestOf(c: ReviewCase): RegistrationCaseRequest {
  return {
    eventId: stringField(c, c.request, 'eventId'),
    registrationId: stringField(c, c.request, 'registrationId'),
  };
}

const DOCUMENT_KINDS = new Set(['FORM_01', 'ID_COPY']);

/**
 * The archive records an adult case verified when it was opened (form 01 + ID copy), or null when the documents
 * were not verified then.
 */
export function verifiedArchiveOf(c: ReviewCase): ArchiveEffect[] | null {
  const a = (c.evidence as { archive?: unknown } | null)?.archive;
  if (!Array.isArray(a) || a.length !== 2) return null;
  return a.map((r: unknown) => {
    const o = r as Record<string, unknown>;
    const documentKind = stringField(c, o, 'documentKind', 'archive record');
    if (!DOCUMENT_KINDS.has(documentKind)) {
      throw new ReviewRefused(
        'STORED_CASE_INVALID',
        `case ${c.caseId}: stored archive record has an unknown kind`,
      );
    }
    if (typeof o.sizeBytes !== 'number') {
      throw new ReviewRefused(
        'STORED_CASE_INVALID',
        `case ${c.caseId}: stored archive record lacks "sizeBytes"`,
      );
    }
    return {
      kind: 'archive',
      registrationId: stringField(c, o, 'registrationId', 'archive record'),
      documentKind: documentKind as ArchiveEffect['documentKind'],
      sha256: stringField(c, o, 'sha256', 'archive record'),
      sizeBytes: o.sizeBytes,
      uri: stringField(c, o, 'uri', 'archive record'),
      mediaType: stringField(c, o, 'mediaType', 'archive record'),
      retentionUntil: stringField(c, o, 'retentionUntil', 'archive record'),
    };
  });
}
