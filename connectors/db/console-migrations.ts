import type { Knex } from 'knex';
import type { Migration } from './migration.js';

/**
 * Schema `bridge`, the operator console: local operator accounts, their API tokens (hashed), browser sessions
 * (hashed ids) and the append-only console audit (logins, failed logins, views of a case's personal data,
 * resolutions and overrides).
 */
export const consoleMigrations: Migration[] = [
  {
    name: '20261125220000_console_identity',
    async up(knex: Knex) {
      await knex.raw('create schema if not exists bridge');
      await knex.schema.withSchema('bridge').createTable('operators', (t) => {
        t.text('operator_id').primary();
        t.text('display_name').notNullable();
        t.text('role').notNullable();
        // scrypt, self-describing ("scrypt$N$r$p$salt$hash"); null for an account that only uses tokens.
        t.text('password_hash');
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('disabled_at', { useTz: true });
      });
      await knex.raw(
        "alter table bridge.operators add constraint operators_role_chk check (role in ('viewer','reviewer','supervisor'))",
      );
      await knex.schema.withSchema('bridge').createTable('operator_tokens', (t) => {
        t.text('token_id').primary();
        t.text('operator_id').notNullable().references('operator_id').inTable('bridge.operators');
        // SHA-256 of the token's 32 random bytes: high entropy, so a fast hash is enough.
        t.text('secret_sha256').notNullable();
        t.text('label').notNullable().defaultTo('');
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('expires_at', { useTz: true });
        t.timestamp('revoked_at', { useTz: true });
      });
      await knex.schema.withSchema('bridge').createTable('console_sessions', (t) => {
        // SHA-256 of the cookie's random value: a leaked table does not give working cookies.
        t.text('session_sha256').primary();
        t.text('operator_id').notNullable();
        t.text('display_name').notNullable();
        t.text('role').notNullable();
        t.text('method').notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('expires_at', { useTz: true }).notNullable();
        t.index(['expires_at']);
      });
      await knex.schema.withSchema('bridge').createTable('console_audit', (t) => {
        t.bigIncrements('id').primary();
        t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.text('event').notNullable();
        t.text('operator_id');
        t.text('role');
        t.text('method');
        t.text('case_id');
        t.text('outcome');
        t.jsonb('detail').notNullable().defaultTo('{}');
        t.text('remote_addr');
        t.index(['case_id']);
        t.index(['operator_id', 'at']);
      });
      await knex.raw(`
        create function bridge.console_audit_append_only() returns trigger language plpgsql as $$
        begin raise exception 'bridge.console_audit is append-only'; end $$`);
      await knex.raw(`
        create trigger console_audit_no_change before update or delete on bridge.console_audit
        for each row execute function bridge.console_audit_append_only()`);
      await knex.raw(`
        create trigger console_audit_no_truncate before truncate on bridge.console_audit
        for each statement execute function bridge.console_audit_append_only()`);
    },
    async down(knex: Knex) {
      await knex.raw('drop table if exists bridge.console_audit');
      await knex.raw('drop function if exists bridge.console_audit_append_only()');
      await knex.raw('drop table if exists bridge.console_sessions');
      await knex.raw('drop table if exists bridge.operator_tokens');
      await knex.raw('drop table if exists bridge.operators');
    },
  },
];
