import type { Knex } from 'knex';
import { PermanentError } from '../../src/domain/errors.js';
import { resolveDefenceCase, type ReviewAction } from '../../src/flows/defence-code-mapping/resolve.js';
import type { TopicNames } from '../../src/runtime/config.js';
import type { Effect } from '../../src/runtime/effects.js';
import { getMember } from '../hgd/repository.js';
import {
  applyEffects,
  getReviewCase,
  listReviewCases,
  type Encoder,
  type ReviewCaseRow,
} from './bridge-store.js';

/** Per review kind, how an operator's action turns into effects (each flow owns its resolution rules). */
export type CaseResolver = (
  c: ReviewCaseRow,
  action: ReviewAction,
  tx: Knex.Transaction,
  now: Date,
) => Promise<Effect[]>;

export const defenceResolver: CaseResolver = async (c, action, tx, now) => {
  const member = action.kind === 'member' ? await getMember(tx, action.memberId) : null;
  if (action.kind === 'member' && !member) {
    throw new PermanentError('INVALID_REQUEST', `member ${action.memberId} not found in HGD`);
  }
  return resolveDefenceCase(
    {
      caseId: c.case_id,
      subjectId: c.subject_id,
      reasonCodes: c.reason_codes,
      request: c.request,
      candidates: c.candidates,
    },
    action,
    member ?? null,
    now,
  );
};

/**
 * Review cases for operators (CLI and HTTP share this): list, show, resolve. Resolving performs the same
 * guarded change and writes the same outbox events as the automatic path, in one transaction, with the
 * operator in the audit; a case is resolved at most once.
 */
export class ReviewService {
  constructor(
    private readonly knex: Knex,
    private readonly opts: { topics: TopicNames; encode: Encoder; resolvers: Record<string, CaseResolver> },
  ) {}

  list(
    filter: { status?: 'open' | 'resolved' | 'all'; kind?: string; limit?: number } = {},
  ): Promise<ReviewCaseRow[]> {
    return listReviewCases(this.knex, { status: filter.status ?? 'open', ...filter });
  }

  show(caseId: string): Promise<ReviewCaseRow | undefined> {
    return getReviewCase(this.knex, caseId);
  }

  async resolve(caseId: string, action: ReviewAction): Promise<ReviewCaseRow> {
    if (!action.operator.trim())
      throw new PermanentError('INVALID_REQUEST', 'an operator name (--by) is required');
    await this.knex.transaction(async (tx) => {
      const c = await getReviewCase(tx, caseId, true);
      if (!c) throw new PermanentError('INVALID_REQUEST', `review case ${caseId} not found`);
      if (c.status !== 'open') {
        throw new PermanentError(
          'INVALID_REQUEST',
          `review case ${caseId} is already resolved (${c.resolution} by ${c.resolved_by})`,
        );
      }
      const resolver = this.opts.resolvers[c.kind];
      if (!resolver)
        throw new PermanentError('INVALID_REQUEST', `no resolver for review cases of kind ${c.kind}`);
      const effects = await resolver(c, action, tx, new Date());
      await applyEffects(tx, effects, { topics: this.opts.topics, encode: this.opts.encode });
    });
    const after = await getReviewCase(this.knex, caseId);
    if (!after) throw new Error(`review case ${caseId} vanished`);
    return after;
  }
}
