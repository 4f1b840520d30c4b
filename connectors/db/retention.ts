/**
 * The retention job (docs/retention.md): personal data the adapter keeps is deleted or anonymised once its
 * retention period has passed, in batches (short transactions, no long locks), and the job reports what it did.
 *
 * - bridge.inbox: rows older than `inboxDays` are deleted (they only deduplicate redeliveries, which Kafka's own
 *   retention bounds far below this);
 * - bridge.outbox: published rows older than `outboxDays` are deleted; dead-letter copies (topics `*.dlq`, which
 *   hold the original bytes of a bad input) after `deadLetterDays`. Unpublished rows are never touched;
 * - bridge.review_cases: resolved cases older than `reviewDays` keep their ids, kind, reason codes, resolution,
 *   operator and chosen member, and lose the request, candidates, evidence and note (the personal data);
 * - bridge.archive_records: records past their own `retention_until` are deleted.
 * The audit of code changes (bridge.code_changes) is append-only and holds no more than the law asks; it is not
 * touched here.
 */
import type { Knex } from 'knex';

export interface RetentionPolicy {
  inboxDays: number;
  outboxDays: number;
  deadLetterDays: number;
  reviewDays: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = {
  inboxDays: 90,
  outboxDays: 30,
  deadLetterDays: 30,
  reviewDays: 365,
};

export interface RetentionReport {
  inboxDeleted: number;
  outboxDeleted: number;
  deadLettersDeleted: number;
  reviewCasesAnonymised: number;
  archiveRecordsDeleted: number;
  dryRun: boolean;
}

export interface RetentionOptions {
  now?: Date;
  /** Count what would be done, change nothing. */
  dryRun?: boolean;
  batchSize?: number;
}

const DAY_MS = 86_400_000;

/** Repeats `batch` (which returns how many rows it changed) until it changes fewer than `size`; returns the sum. */
async function inBatches(size: number, batch: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await batch();
    total += n;
    if (n < size) return total;
  }
}

async function count(knex: Knex, sql: string, bindings: unknown[]): Promise<number> {
  const r = (await knex.raw(`select count(*)::int as n from (${sql}) x`, bindings as never)) as {
    rows: Array<{ n: number }>;
  };
  return r.rows[0]?.n ?? 0;
}

async function changed(knex: Knex, sql: string, bindings: unknown[]): Promise<number> {
  const r = (await knex.raw(
    `with c as (${sql} returning 1) select count(*)::int as n from c`,
    bindings as never,
  )) as {
    rows: Array<{ n: number }>;
  };
  return r.rows[0]?.n ?? 0;
}

export async function runRetention(
  knex: Knex,
  policy: RetentionPolicy = DEFAULT_RETENTION,
  opts: RetentionOptions = {},
): Promise<RetentionReport> {
  const now = opts.now ?? new Date();
  const size = opts.batchSize ?? 5000;
  const dryRun = opts.dryRun === true;
  const before = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const today = now.toISOString().slice(0, 10);

  const steps: Array<{
    key: keyof Omit<RetentionReport, 'dryRun'>;
    select: string;
    apply: string;
    bindings: unknown[];
  }> = [
    {
      key: 'inboxDeleted',
      select: 'select ctid from bridge.inbox where processed_at < ?',
      apply:
        'delete from bridge.inbox where ctid in (select ctid from bridge.inbox where processed_at < ? limit ?)',
      bindings: [before(policy.inboxDays)],
    },
    {
      key: 'outboxDeleted',
      select: "select id from bridge.outbox where sent_at < ? and topic not like '%.dlq'",
      apply:
        "delete from bridge.outbox where id in (select id from bridge.outbox where sent_at < ? and topic not like '%.dlq' limit ?)",
      bindings: [before(policy.outboxDays)],
    },
    {
      key: 'deadLettersDeleted',
      select: "select id from bridge.outbox where sent_at < ? and topic like '%.dlq'",
      apply:
        "delete from bridge.outbox where id in (select id from bridge.outbox where sent_at < ? and topic like '%.dlq' limit ?)",
      bindings: [before(policy.deadLetterDays)],
    },
    {
      key: 'reviewCasesAnonymised',
      select:
        "select case_id from bridge.review_cases where status = 'resolved' and anonymised_at is null and resolved_at < ?",
      apply: `update bridge.review_cases
                 set request = '{}'::jsonb, candidates = '[]'::jsonb, evidence = '{}'::jsonb, note = null,
                     anonymised_at = now()
               where case_id in (select case_id from bridge.review_cases
                                  where status = 'resolved' and anonymised_at is null and resolved_at < ? limit ?)`,
      bindings: [before(policy.reviewDays)],
    },
    {
      key: 'archiveRecordsDeleted',
      select: 'select id from bridge.archive_records where retention_until < ?::date',
      apply:
        'delete from bridge.archive_records where id in (select id from bridge.archive_records where retention_until < ?::date limit ?)',
      bindings: [today],
    },
  ];
  const report: RetentionReport = {
    inboxDeleted: 0,
    outboxDeleted: 0,
    deadLettersDeleted: 0,
    reviewCasesAnonymised: 0,
    archiveRecordsDeleted: 0,
    dryRun,
  };
  for (const s of steps) {
    report[s.key] = dryRun
      ? await count(knex, s.select, s.bindings)
      : await inBatches(size, () => changed(knex, s.apply, [...s.bindings, size]));
  }
  return report;
}

/**
 * The schedule hook for `run`: the job once at start and then every `everyMs` (default daily). Failures are
 * reported to `onError` and tried again at the next tick. Returns a stop function.
 */
export function scheduleRetention(
  knex: Knex,
  policy: RetentionPolicy,
  hooks: { onReport?: (r: RetentionReport) => void; onError?: (e: unknown) => void; everyMs?: number } = {},
): () => void {
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    runRetention(knex, policy)
      .then((r) => hooks.onReport?.(r))
      .catch((e: unknown) => hooks.onError?.(e))
      .finally(() => (running = false));
  };
  const first = setTimeout(tick, 0);
  const timer = setInterval(tick, hooks.everyMs ?? DAY_MS);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
