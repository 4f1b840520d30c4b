import type { Knex } from 'knex';
import type { Migration } from '../db/migration.js';

/**
 * The change-feed follower's own tables, beside the search keys it maintains (schema hgd_match):
 * - cdc_members: per member, what the index holds (name tokens, key checksum) and the source position (LSN) of the
 *   last applied change: the previous name tokens make frequency updates incremental without HGD's before-image,
 *   and the position makes re-sent changes no-ops;
 * - cdc_offsets: the follower's inbox, the next Kafka offset per change-topic partition, written in the same
 *   transaction as the index (the Kafka group's committed offset is only informational);
 * - cdc_state: snapshot phase, last applied change, re-snapshots seen (one row).
 */
export const cdcMigrations: Migration[] = [
  {
    name: '20261126010000_hgd_match_change_feed',
    async up(knex: Knex) {
      await knex.raw(`
        create table hgd_match.cdc_members (
          member_id text primary key,
          family text,
          given text,
          keys_digest text not null,
          lsn bigint not null,
          snapshot_lsn bigint,
          deleted boolean not null default false,
          applied_at timestamptz not null default now()
        )`);
      await knex.raw(`
        create table hgd_match.cdc_offsets (
          topic text not null,
          partition integer not null,
          next_offset bigint not null,
          primary key (topic, partition)
        )`);
      await knex.raw(`
        create table hgd_match.cdc_state (
          id boolean primary key default true check (id),
          phase text not null check (phase in ('snapshot', 'streaming')),
          snapshot_lsn bigint,
          snapshots integer not null default 0,
          resnapshots integer not null default 0,
          last_resnapshot_at timestamptz,
          last_lsn bigint,
          last_source_at timestamptz,
          last_applied_at timestamptz,
          applied bigint not null default 0,
          duplicates bigint not null default 0
        )`);
    },
    async down(knex: Knex) {
      await knex.raw(
        'drop table if exists hgd_match.cdc_state, hgd_match.cdc_offsets, hgd_match.cdc_members',
      );
    },
  },
  {
    // The member's indexed keys beside their checksum: a change then writes only the keys that changed.
    name: '20261126040000_hgd_match_cdc_member_keys',
    async up(knex: Knex) {
      await knex.raw('alter table hgd_match.cdc_members add column keys bigint[]');
    },
    async down(knex: Knex) {
      await knex.raw('alter table hgd_match.cdc_members drop column if exists keys');
    },
  },
];
