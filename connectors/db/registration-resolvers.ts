/**
 * How an operator's action on a registration review case turns into effects (CHILD_REGISTRATION and
 * ADULT_REGISTRATION), registered in ReviewService next to `defenceResolver`. The rules live in the flows;
 * here only the HGD read inside the resolving transaction.
 */
import { PermanentError } from '../../src/domain/errors.js';
import { resolveAdultCase } from '../../src/flows/adult-registration/resolve.js';
import { resolveChildCase } from '../../src/flows/child-registration/resolve.js';
import { getMember } from '../hgd/repository.js';
import type { CaseResolver } from './review-service.js';

const caseView = (c: Parameters<CaseResolver>[0]) => ({
  caseId: c.case_id,
  subjectId: c.subject_id,
  reasonCodes: c.reason_codes,
  candidates: c.candidates,
  request: c.request,
  evidence: c.evidence,
});

async function memberFor(action: Parameters<CaseResolver>[1], tx: Parameters<CaseResolver>[2]) {
  if (action.kind !== 'member') return null;
  const member = await getMember(tx, action.memberId);
  if (!member) throw new PermanentError('INVALID_REQUEST', `member ${action.memberId} not found in HGD`);
  return member;
}

export const childResolver: CaseResolver = async (c, action, tx, now) =>
  resolveChildCase(caseView(c), action, await memberFor(action, tx), now);

export const adultResolver: CaseResolver = async (c, action, tx, now) =>
  resolveAdultCase(caseView(c), action, await memberFor(action, tx), now);
