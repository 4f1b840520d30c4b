import { randomUUID } from 'node:crypto';
import type { CodeLookupFailed } from '../../src/contracts/generated.js';

/** A valid CodeLookupFailed for tests: fresh eventId and requestId, overridable person fields and BQP code. */
export function lookupEvent(
  i: number,
  person: Partial<CodeLookupFailed['person']> = {},
  bqpCode = `97${String(i).padStart(8, '0')}`,
): CodeLookupFailed {
  return {
    eventId: randomUUID(),
    occurredAt: new Date(),
    requestId: `REQ-${i}-${randomUUID().slice(0, 8)}`,
    person: {
      fullName: 'Đặng Thị Thu Hà',
      dateOfBirth: { value: '1992-05-17', precision: 'DAY' },
      gender: 'FEMALE',
      idNumber: null,
      bhxhCode: null,
      provinceCode: '48',
      wardCode: null,
      fatherName: null,
      motherName: null,
      ...person,
    },
    bqpCode,
    bqpUnit: { unitCode: 'QK5', unitName: null },
    staffRelation: 'SPOUSE',
    staffBqpCode: null,
  };
}
