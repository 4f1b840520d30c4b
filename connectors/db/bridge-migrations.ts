import type { Knex } from 'knex';
import type { Migration } from './migration.js';

/** Schema `bridge`: ours. Inbox, outbox, audit of code changes, review cases, archive records. */
export const bridgeMigrations: Migration[] = [
  {
    name: '20261125100000_bridge_core',
    async up(knex: Knex) {
      await knex.raw('create schema if not exists bridge');
      // Idempotent consumer: one row per (group, event); written in the same transaction as the effects.
      await knex.schema.withSchema('bridge').createTable('inbox', (t) => {
        t.text('consumer_group').notNullable();
        t.text('event_id').notNullable();
        t.text('topic').notNullable();
        t.integer('partition').notNullable();
        t.bigInteger('offset').notNullable();
        t.text('outcome').notNullable();
        t.timestamp('processed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.primary(['consumer_group', 'event_id']);
      });
      // Transactional outbox: encoded Kafka records, published by the relay and marked sent.
      await knex.schema.withSchema('bridge').createTable('outbox', (t) => {
        t.bigIncrements('id').primary();
        t.uuid('message_id').notNullable().unique();
        t.text('topic').notNullable();
        t.binary('key');
        t.binary('value').notNullable();
        t.jsonb('headers').notNullable().defaultTo('{}');
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('sent_at', { useTz: true });
      });
      await knex.raw('create index outbox_unsent_idx on bridge.outbox (id) where sent_at is null');
      // Append-only audit of every BHXH code change made in HGD.
      await knex.schema.withSchema('bridge').createTable('code_changes', (t) => {
        t.bigIncrements('id').primary();
        t.text('member_id').notNullable();
        t.text('household_code');
        t.text('old_code');
        t.text('new_code').notNullable();
        t.text('event_id').notNullable();
        t.text('case_id');
        t.text('actor').notNullable();
        t.double('score');
        t.jsonb('evidence').notNullable().defaultTo('{}');
        t.timestamp('changed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.unique(['event_id']);
      });
      await knex.raw(`
        create function bridge.code_changes_append_only() returns trigger language plpgsql as $$
        begin raise exception 'bridge.code_changes is append-only'; end $$`);
      await knex.raw(`
        create trigger code_changes_no_update before update or delete on bridge.code_changes
        for each row execute function bridge.code_changes_append_only()`);
      await knex.schema.withSchema('bridge').createTable('review_cases', (t) => {
        t.text('case_id').primary();
        t.text('kind').notNullable();
        t.text('event_id').notNullable();
        t.text('subject_id').notNullable();
        t.text('status').notNullable().defaultTo('open');
        t.specificType('reason_codes', 'text[]').notNullable().defaultTo('{}');
        t.jsonb('request').notNullable();
        t.jsonb('candidates').notNullable().defaultTo('[]');
        t.jsonb('evidence').notNullable().defaultTo('{}');
        t.timestamp('opened_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('resolved_at', { useTz: true });
        t.text('resolved_by');
        t.text('resolution');
        t.text('resolution_member_id');
        t.text('note');
        t.index(['status', 'opened_at']);
      });
      await knex.raw(
        "alter table bridge.review_cases add constraint review_cases_status_chk check (status in ('open','resolved'))",
      );
      await knex.schema.withSchema('bridge').createTable('archive_records', (t) => {
        t.bigIncrements('id').primary();
        t.text('registration_id').notNullable();
        t.text('kind').notNullable();
        t.text('sha256').notNullable();
        t.bigInteger('size').notNullable();
        t.text('uri').notNullable();
        t.text('media_type').notNullable();
        t.date('retention_until').notNullable();
        t.timestamp('recorded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.unique(['registration_id', 'kind']);
      });
    },
    async down(knex: Knex) {
      await knex.raw('drop schema if exists bridge cascade');
    },
  },
  {
    // The guarded change asks "did we already map this member?" for every auto-match: without this index that is
    // a scan of the whole audit, and throughput fell as the audit grew.
    name: '20261125130000_code_changes_member_idx',
    async up(knex: Knex) {
      await knex.raw('create index if not exists code_changes_member_idx on bridge.code_changes (member_id)');
    },
    async down(knex: Knex) {
      await knex.raw('drop index if exists bridge.code_changes_member_idx');
    },
  },
  {
    // The audit refused UPDATE and DELETE row by row; TRUNCATE bypasses row triggers, so refuse it too (the
    // runtime role has no TRUNCATE privilege at all; this stops a careless owner session as well).
    name: '20261125220000_code_changes_no_truncate',
    async up(knex: Knex) {
      await knex.raw(`
        create trigger code_changes_no_truncate before truncate on bridge.code_changes
        for each statement execute function bridge.code_changes_append_only()`);
    },
    async down(knex: Knex) {
      await knex.raw('drop trigger if exists code_changes_no_truncate on bridge.code_changes');
    },
  },
  {
    // The audit keeps what the law asks of it: member, old and new code, time, actor, case (and the source event,
    // the key of exactly-once). The household code, the match score and the evidence (compared names and dates of
    // birth) belong to the decision, not to the audit, and are dropped with what they held.
    name: '20261125230000_code_changes_minimal',
    async up(knex: Knex) {
      await knex.raw(
        'alter table bridge.code_changes drop column household_code, drop column score, drop column evidence',
      );
    },
    async down(knex: Knex) {
      await knex.raw(`alter table bridge.code_changes add column household_code text, add column score double precision,
        add column evidence jsonb not null default '{}'`);
    },
  },
  {
    // The retention job anonymises a resolved review case once its retention has passed, and says when.
    name: '20261125230100_review_cases_anonymised_at',
    async up(knex: Knex) {
      await knex.raw('alter table bridge.review_cases add column anonymised_at timestamptz');
      await knex.raw(
        'create index review_cases_resolved_idx on bridge.review_cases (resolved_at) where anonymised_at is null',
      );
      await knex.raw('create index outbox_sent_idx on bridge.outbox (sent_at) where sent_at is not null');
      await knex.raw('create index inbox_processed_idx on bridge.inbox (processed_at)');
      await knex.raw(
        'create index archive_records_retention_idx on bridge.archive_records (retention_until)',
      );
    },
    async down(knex: Knex) {
      await knex.raw('drop index if exists bridge.archive_records_retention_idx');
      await knex.raw('drop index if exists bridge.inbox_processed_idx');
      await knex.raw('drop index if exists bridge.outbox_sent_idx');
      await knex.raw('alter table bridge.review_cases drop column anonymised_at');
    },
  },
  {
    // A record the broker refuses for good (too large for the topic, invalid) is parked with its reason instead of
    // blocking every record behind it; parked rows are left for an operator (`/readyz`, metric, alert).
    name: '20261125233000_outbox_parking',
    async up(knex: Knex) {
      await knex.raw(
        'alter table bridge.outbox add column parked_at timestamptz, add column parked_reason text',
      );
      await knex.raw('drop index if exists bridge.outbox_unsent_idx');
      await knex.raw(
        'create index outbox_unsent_idx on bridge.outbox (id) where sent_at is null and parked_at is null',
      );
    },
    async down(knex: Knex) {
      await knex.raw('drop index if exists bridge.outbox_unsent_idx');
      await knex.raw('alter table bridge.outbox drop column parked_at, drop column parked_reason');
      await knex.raw('create index outbox_unsent_idx on bridge.outbox (id) where sent_at is null');
    },
  },
];
