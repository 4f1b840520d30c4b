import type { Knex } from 'knex';

/**
 * Least privilege for the runtime role (docs/database-roles.md). The owner role runs migrations and owns every
 * object; the runtime role — the service and every command except `migrate` — gets exactly what the flows,
 * the relay, the review service and the retention job use, and nothing that changes the schema:
 *
 * - bridge.inbox, outbox, review_cases, archive_records: read and write rows (retention deletes and anonymises);
 * - bridge.code_changes and bridge.console_audit (the audits): SELECT and INSERT only — no UPDATE, DELETE or TRUNCATE;
 * - the console's operators, tokens and sessions: what `vss-bridge operators` and logging in need;
 * - hgd.members: SELECT, and UPDATE of only the columns the guarded code change writes; hgd.households: SELECT;
 * - hgd_match: SELECT (the import and frequency refresh are bulk loads run as the owner);
 * - the migration journal: SELECT, so a command can refuse to start on an unmigrated database.
 *
 * Applied by `migrateLatest` after the migrations, every time (GRANT and REVOKE are idempotent), so a new table
 * or a renamed runtime role gets its grants from the same step. Privileges granted to PUBLIC by PostgreSQL
 * defaults (CONNECT, TEMP) are left alone; CREATE on schema public is not granted to PUBLIC since PostgreSQL 15.
 */
export const RUNTIME_GRANTS: readonly string[] = [
  'grant usage on schema bridge, hgd, hgd_match to :role:',
  'grant select, insert, update, delete on bridge.inbox, bridge.outbox, bridge.review_cases, bridge.archive_records to :role:',
  'grant select, insert on bridge.code_changes to :role:',
  // The console: operator accounts and tokens (managed with `vss-bridge operators`), sessions, and its audit.
  'grant select, insert, update on bridge.operators, bridge.operator_tokens to :role:',
  'grant select, insert, update, delete on bridge.console_sessions to :role:',
  'grant select, insert on bridge.console_audit to :role:',
  'grant usage, select on all sequences in schema bridge to :role:',
  'grant select on hgd.members, hgd.households to :role:',
  'grant update (bhxh_code, version, updated_at) on hgd.members to :role:',
  'grant select on all tables in schema hgd_match to :role:',
  'grant select on public.vss_bridge_migrations to :role:',
];

/** Privileges the runtime role must never hold, revoked in case an earlier grant or a hand edit gave them. */
export const RUNTIME_REVOKES: readonly string[] = [
  'revoke update, delete, truncate, references, trigger on bridge.code_changes from :role:',
  'revoke update, delete, truncate, references, trigger on bridge.console_audit from :role:',
  'revoke insert, delete, truncate, references, trigger on hgd.members, hgd.households from :role:',
  'revoke insert, update, delete, truncate on all tables in schema hgd_match from :role:',
  'revoke create on schema bridge, hgd, hgd_match, public from :role:',
];

/** Grants the runtime privileges to `role` (which must exist and must not be the owner). */
export async function grantRuntimeRole(knex: Knex, role: string): Promise<void> {
  const exists = (await knex.raw(
    'select rolsuper, rolname = current_user as is_me from pg_roles where rolname = ?',
    [role],
  )) as { rows: Array<{ rolsuper: boolean; is_me: boolean }> };
  const r = exists.rows[0];
  if (!r)
    throw new Error(
      `runtime role ${role} does not exist (create it: create role ${role} login password '…')`,
    );
  if (r.is_me)
    throw new Error(`the runtime role ${role} is the role running the migrations; use a separate role`);
  if (r.rolsuper) throw new Error(`the runtime role ${role} is a superuser; it must be an ordinary role`);
  await knex.transaction(async (tx) => {
    for (const sql of [...RUNTIME_REVOKES, ...RUNTIME_GRANTS]) await tx.raw(sql, { role });
  });
}
