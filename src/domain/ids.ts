import { createHash, randomUUID } from 'node:crypto';

/** Namespace for our name-based UUIDs (a fixed random UUID, chosen once for vss-bridge). */
const NAMESPACE = Buffer.from('5b0e9c3e8f5a4d0c9a1e2b7d4c6f8a10', 'hex');

/**
 * A deterministic (RFC 4122 version 5, SHA-1) UUID from names: the same input event always yields the
 * same output ids, so a duplicate publish after a crash is recognisable downstream.
 */
export function deterministicUuid(...parts: string[]): string {
  const h = createHash('sha1').update(NAMESPACE).update(parts.join('\u001f')).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function newUuid(): string {
  return randomUUID();
}

/**
 * Review case ids are short and readable for operators, and deterministic per business key (the request or
 * registration id), so a request repeated under a new event id finds its case instead of opening another.
 */
export function reviewCaseId(kind: string, businessKey: string): string {
  const prefix = kind === 'DEFENCE_CODE_MAPPING' ? 'RC-D' : kind === 'CHILD_REGISTRATION' ? 'RC-C' : 'RC-A';
  return `${prefix}-${deterministicUuid('review-case', kind, businessKey).slice(0, 13).replace('-', '')}`;
}
