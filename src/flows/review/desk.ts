/**
 * The review use case: operators list and read cases and resolve them. A resolution performs the same guarded
 * change and writes the same events as the automatic path, in one transaction, with the authenticated operator in
 * the audit; a case is resolved at most once (the store refuses a second resolution as a conflict).
 */
import type { Conflict, Effect, ReviewKind } from '../../domain/effects.js';
import type { MemberRecord } from '../../matching/types.js';
import type { Clock } from '../../ports/clock.js';
import type { EffectStore } from '../../ports/event-store.js';
import type { CodeChangeLog, HgdReads } from '../../ports/hgd.js';
import type { ReviewCase, ReviewCaseFilter, ReviewCaseReads } from '../../ports/review-cases.js';
import { resolveAdultCase } from '../adult-registration/resolve.js';
import { resolveChildCase } from '../child-registration/resolve.js';
import { checkDefenceResolution, resolveDefenceCase } from '../defence-code-mapping/resolve.js';
import { checkAction, MIN_REASON, ReviewRefused, type Operator, type ReviewAction } from './actions.js';
import { reopenCase } from './builders.js';

export interface ReviewDeskPorts {
  cases: ReviewCaseReads;
  hgd: Pick<HgdReads, 'getMember' | 'findMemberByBhxhCode'>;
  codeChanges: CodeChangeLog;
  effects: EffectStore;
  clock?: Clock;
}

type Resolver = (
  c: ReviewCase,
  action: ReviewAction,
  operator: Operator,
  member: MemberRecord | null,
  now: Date,
) => Effect[];

/** Per kind, how an operator's action turns into effects (each flow owns its resolution rules). */
const RESOLVERS: Record<ReviewKind, Resolver> = {
  DEFENCE_CODE_MAPPING: resolveDefenceCase,
  CHILD_REGISTRATION: resolveChildCase,
  ADULT_REGISTRATION: resolveAdultCase,
};

export class ReviewDesk {
  constructor(private readonly ports: ReviewDeskPorts) {}

  list(filter: ReviewCaseFilter = {}): Promise<ReviewCase[]> {
    return this.ports.cases.list({ status: 'open', ...filter });
  }

  show(caseId: string): Promise<ReviewCase | null> {
    return this.ports.cases.get(caseId);
  }

  /**
   * A supervisor opens a resolved case again, with a written reason, so it can be resolved anew (operators see it in
   * the queue again and a ReviewCase OPENED event tells them). What the first resolution changed stays and is
   * audited; a new resolution goes through every check again.
   */
  async reopen(caseId: string, operator: Operator, reason: string): Promise<ReviewCase> {
    const c = await this.ports.cases.get(caseId);
    if (!c) throw new ReviewRefused('CASE_NOT_FOUND', `review case ${caseId} not found`);
    if (operator.role !== 'supervisor') {
      throw new ReviewRefused('ROLE_NOT_ALLOWED', 'only a supervisor can reopen a case');
    }
    if (reason.trim().length < MIN_REASON) {
      throw new ReviewRefused(
        'OVERRIDE_REASON_REQUIRED',
        `reopening needs a written reason (${MIN_REASON} characters or more)`,
      );
    }
    if (c.status !== 'resolved')
      throw new ReviewRefused('CASE_NOT_RESOLVED', `review case ${caseId} is not resolved`);
    const result = await this.ports.effects.apply(
      reopenCase(c, operator.id, reason.trim(), (this.ports.clock ?? (() => new Date()))()),
    );
    if (result.status === 'conflict') throw conflictRefusal(c, result.conflict);
    const after = await this.ports.cases.get(caseId);
    if (!after) throw new ReviewRefused('CASE_NOT_FOUND', `review case ${caseId} vanished`);
    return after;
  }

  /** Resolves a case or throws ReviewRefused saying why; returns the case as stored afterwards. */
  async resolve(caseId: string, action: ReviewAction, operator: Operator): Promise<ReviewCase> {
    const c = await this.ports.cases.get(caseId);
    if (!c) throw new ReviewRefused('CASE_NOT_FOUND', `review case ${caseId} not found`);
    checkAction(c, action, operator);
    let member: MemberRecord | null = null;
    if (action.kind === 'member') {
      member = await this.ports.hgd.getMember(action.memberId);
      if (!member) throw new ReviewRefused('MEMBER_NOT_FOUND', `member ${action.memberId} not found in HGD`);
      if (c.kind === 'DEFENCE_CODE_MAPPING') await checkDefenceResolution(c, member, this.ports);
    }
    const resolver = RESOLVERS[c.kind];
    const effects = resolver(c, action, operator, member, (this.ports.clock ?? (() => new Date()))());
    const result = await this.ports.effects.apply(effects);
    if (result.status === 'conflict') throw conflictRefusal(c, result.conflict);
    const after = await this.ports.cases.get(caseId);
    if (!after) throw new ReviewRefused('CASE_NOT_FOUND', `review case ${caseId} vanished`);
    return after;
  }
}

/** A conflict found while writing a resolution: nothing was written, the case stays as it was. */
export function conflictRefusal(c: ReviewCase, conflict: Conflict): ReviewRefused {
  switch (conflict.kind) {
    case 'case_not_open':
      return new ReviewRefused(
        'CASE_NOT_OPEN',
        `review case ${c.caseId} was resolved by someone else meanwhile`,
      );
    case 'code_in_use':
      return new ReviewRefused(
        'CONFLICT',
        `the BQP code is already held by another HGD member; case ${c.caseId} stays open`,
      );
    case 'case_not_resolved':
      return new ReviewRefused('CASE_NOT_RESOLVED', `review case ${c.caseId} is not resolved`);
    case 'guard_failed':
      return new ReviewRefused(
        'CONFLICT',
        `member ${conflict.memberId} changed since it was read; case ${c.caseId} stays open, try again`,
      );
  }
}
