import type { Knex } from 'knex';
import type { Migration } from '../db/migration.js';

/**
 * Schema `hgd` mirrors HGD's household tables (owned by HGD in production; created here for dev/test).
 * Schema `hgd_match` is ours: blocking keys and name frequencies, kept in sync by the import (docs/architecture.md).
 */
export const hgdMigrations: Migration[] = [
  {
    name: '20261125120000_hgd_households_members',
    async up(knex: Knex) {
      await knex.raw('create schema if not exists hgd');
      await knex.schema.withSchema('hgd').createTable('households', (t) => {
        t.text('household_code').primary();
        t.text('province_code');
        t.text('ward_code');
        t.text('address');
      });
      await knex.schema.withSchema('hgd').createTable('members', (t) => {
        t.text('member_id').primary();
        t.text('household_code');
        t.text('full_name').notNullable();
        // Text, not date: HGD keeps year-only and month-only dates ("1950", "1950-03").
        t.text('dob');
        t.text('dob_precision');
        t.text('gender');
        t.text('id_number');
        t.text('bhxh_code');
        t.text('province_code');
        t.text('ward_code');
        t.text('father_name');
        t.text('mother_name');
        t.text('relation_to_head');
        t.integer('version').notNullable().defaultTo(1);
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      });
      await knex.raw(
        `alter table hgd.members add constraint members_dob_precision_check check (dob_precision in ('year','month','day'))`,
      );
      await knex.raw(
        `alter table hgd.members add constraint members_gender_check check (gender in ('M','F'))`,
      );
      // A BHXH code belongs to one person: unique where present.
      await knex.raw(
        'create unique index members_bhxh_code_uq on hgd.members (bhxh_code) where bhxh_code is not null',
      );
      await knex.raw('create index members_household_idx on hgd.members (household_code)');
      await knex.raw(
        'create index members_id_number_idx on hgd.members (id_number) where id_number is not null',
      );
    },
    async down(knex: Knex) {
      await knex.raw('drop schema if exists hgd cascade');
    },
  },
  {
    name: '20261125120100_hgd_match_search_keys',
    async up(knex: Knex) {
      await knex.raw('create schema if not exists hgd_match');
      // One row per (blocking key, member). The key is a 64-bit hash of the key text (src/matching/blocking.ts):
      // half the index size of the text, and a collision only adds a candidate the scorer then rejects.
      await knex.raw(`
        create table hgd_match.member_keys (
          key_hash bigint not null,
          member_id text not null,
          primary key (key_hash, member_id)
        )`);
      await knex.raw('create index member_keys_member_idx on hgd_match.member_keys (member_id)');
      await knex.raw(`
        create table hgd_match.name_frequencies (
          kind text not null check (kind in ('family','given')),
          token text not null,
          count integer not null,
          primary key (kind, token)
        )`);
      await knex.raw(`
        create table hgd_match.frequency_totals (
          id boolean primary key default true check (id),
          members integer not null,
          refreshed_at timestamptz not null default now()
        )`);
    },
    async down(knex: Knex) {
      await knex.raw('drop schema if exists hgd_match cascade');
    },
  },
  {
    // The (key_hash, member_id) uniqueness as a unique index that compares member ids in the `C` collation (bytes)
    // instead of the database's: building it after a bulk load sorts ~11 rows per member, and many share a key hash,
    // so the member-id comparisons through the locale were ~11 % of that build's CPU. Same rows, same uniqueness
    // (equality does not depend on a deterministic collation), same index-only scans by key_hash; the member_id
    // column and its own index keep the database's collation, so joins to hgd.members by member_id are unchanged.
    // (A primary key cannot use another collation than its column's.)
    name: '20261126070000_hgd_match_member_keys_c_unique',
    async up(knex: Knex) {
      await knex.raw('alter table hgd_match.member_keys drop constraint member_keys_pkey');
      await knex.raw(
        'create unique index member_keys_key_member_uq on hgd_match.member_keys (key_hash, member_id collate "C")',
      );
    },
    async down(knex: Knex) {
      await knex.raw('drop index hgd_match.member_keys_key_member_uq');
      await knex.raw('alter table hgd_match.member_keys add primary key (key_hash, member_id)');
    },
  },
  {
    // The blocking-key scheme the index was built with (connectors/hgd/index-scheme.ts): matching refuses an index
    // of other keys instead of missing people. Scheme 2 put the gender into the `g:` keys; an index that already
    // holds keys was built before, with scheme 1, and must be rebuilt (`hgd verify-index --repair` or `hgd import
    // --truncate`); an empty one is filled by this version.
    name: '20261126100000_hgd_match_index_scheme',
    async up(knex: Knex) {
      await knex.raw(`
        create table hgd_match.index_scheme (
          id boolean primary key default true check (id),
          blocking_keys integer not null,
          built_at timestamptz not null default now()
        )`);
      await knex.raw(`insert into hgd_match.index_scheme (blocking_keys)
        select case when exists (select 1 from hgd_match.member_keys) then 1 else 2 end`);
    },
    async down(knex: Knex) {
      await knex.raw('drop table hgd_match.index_scheme');
    },
  },
];
