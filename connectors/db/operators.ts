import type { Knex } from 'knex';
import type { AuditEntry } from '../../src/runtime/http/auth/audit.js';
import {
  isRole,
  type AuthMethod,
  type OperatorIdentity,
  type Role,
} from '../../src/runtime/http/auth/identity.js';
import {
  dummyHash,
  hashPassword,
  newApiToken,
  parseApiToken,
  randomToken,
  sameSha256,
  sha256,
  verifyPassword,
} from '../../src/runtime/http/auth/secrets.js';

export type { AuditEntry, AuditEvent } from '../../src/runtime/http/auth/audit.js';

export interface OperatorRow {
  operator_id: string;
  display_name: string;
  role: Role;
  password_hash: string | null;
  created_at: Date;
  disabled_at: Date | null;
}

const LOGIN_RE = /^[a-z0-9][a-z0-9._@-]{1,63}$/;

/**
 * Local operator accounts, their API tokens, browser sessions and the console audit, in PostgreSQL.
 * Passwords are scrypt hashes; tokens and session ids are stored as SHA-256 only.
 */
export class OperatorStore {
  constructor(private readonly knex: Knex) {}

  async add(o: { id: string; displayName?: string; role: Role; password?: string | null }): Promise<void> {
    if (!LOGIN_RE.test(o.id))
      throw new Error('an operator login is 2–64 characters: lower-case letters, digits, . _ @ -');
    if (!isRole(o.role)) throw new Error('role must be viewer, reviewer or supervisor');
    if (o.password !== undefined && o.password !== null && o.password.length < 12)
      throw new Error('a password has at least 12 characters');
    const password_hash = o.password ? await hashPassword(o.password) : null;
    await this.knex('bridge.operators').insert({
      operator_id: o.id,
      display_name: o.displayName ?? o.id,
      role: o.role,
      password_hash,
    });
    await this.audit({ event: 'operator_added', operatorId: o.id, detail: { role: o.role } });
  }

  /** Sets a new password and re-enables the account (the demo's operator; an administrator's reset). */
  async setPassword(id: string, password: string): Promise<boolean> {
    if (password.length < 12) throw new Error('a password has at least 12 characters');
    const n = await this.knex('bridge.operators')
      .where({ operator_id: id })
      .update({ password_hash: await hashPassword(password), disabled_at: null });
    if (n > 0) await this.knex('bridge.console_sessions').where({ operator_id: id }).delete();
    return n > 0;
  }

  /** Disables the account, ends its sessions and revokes its tokens. */
  async disable(id: string): Promise<boolean> {
    return this.knex.transaction(async (tx) => {
      const n = await tx('bridge.operators')
        .where({ operator_id: id })
        .whereNull('disabled_at')
        .update({ disabled_at: tx.fn.now() });
      if (n === 0) return false;
      await tx('bridge.console_sessions').where({ operator_id: id }).delete();
      await tx('bridge.operator_tokens')
        .where({ operator_id: id })
        .whereNull('revoked_at')
        .update({ revoked_at: tx.fn.now() });
      await tx('bridge.console_audit').insert({ event: 'operator_disabled', operator_id: id });
      return true;
    });
  }

  list(): Promise<OperatorRow[]> {
    return this.knex<OperatorRow>('bridge.operators').orderBy('operator_id');
  }

  private async active(id: string): Promise<OperatorRow | undefined> {
    return this.knex<OperatorRow>('bridge.operators')
      .where({ operator_id: id })
      .whereNull('disabled_at')
      .first();
  }

  /** The identity for a login and password, or null (same time spent whether or not the login exists). */
  async authenticatePassword(id: string, password: string): Promise<OperatorIdentity | null> {
    const row = LOGIN_RE.test(id) ? await this.active(id) : undefined;
    const ok = await verifyPassword(password, row?.password_hash ?? (await dummyHash()));
    if (!row?.password_hash || !ok) return null;
    return { id: row.operator_id, role: row.role, displayName: row.display_name, method: 'password' };
  }

  async issueToken(id: string, label = '', expiresAt: Date | null = null): Promise<string> {
    const row = await this.active(id);
    if (!row) throw new Error(`no active operator ${id}`);
    const t = newApiToken();
    await this.knex('bridge.operator_tokens').insert({
      token_id: t.tokenId,
      operator_id: id,
      secret_sha256: sha256(t.secret),
      label,
      expires_at: expiresAt,
    });
    await this.audit({ event: 'token_issued', operatorId: id, detail: { tokenId: t.tokenId, label } });
    return t.token;
  }

  async authenticateToken(token: string): Promise<OperatorIdentity | null> {
    const parsed = parseApiToken(token);
    if (!parsed) return null;
    const row = (await this.knex('bridge.operator_tokens as t')
      .join('bridge.operators as o', 'o.operator_id', 't.operator_id')
      .where('t.token_id', parsed.tokenId)
      .whereNull('t.revoked_at')
      .whereNull('o.disabled_at')
      .andWhere((q) => q.whereNull('t.expires_at').orWhere('t.expires_at', '>', this.knex.fn.now()))
      .first('t.secret_sha256', 'o.operator_id', 'o.role', 'o.display_name')) as
      | { secret_sha256: string; operator_id: string; role: Role; display_name: string }
      | undefined;
    if (!row || !sameSha256(parsed.secret, row.secret_sha256)) return null;
    return { id: row.operator_id, role: row.role, displayName: row.display_name, method: 'token' };
  }

  /** A new session; returns the cookie value (only its SHA-256 is stored). */
  async createSession(who: OperatorIdentity, ttlSeconds: number): Promise<string> {
    const value = randomToken(32);
    await this.knex('bridge.console_sessions').insert({
      session_sha256: sha256(value),
      operator_id: who.id,
      display_name: who.displayName,
      role: who.role,
      method: who.method,
      expires_at: new Date(Date.now() + ttlSeconds * 1000),
    });
    // Expired sessions of anyone are swept on each login.
    await this.knex('bridge.console_sessions').where('expires_at', '<', this.knex.fn.now()).delete();
    return value;
  }

  async session(value: string): Promise<OperatorIdentity | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(value)) return null;
    const row = (await this.knex('bridge.console_sessions as s')
      .leftJoin('bridge.operators as o', 'o.operator_id', 's.operator_id')
      .where('s.session_sha256', sha256(value))
      .andWhere('s.expires_at', '>', this.knex.fn.now())
      .first(
        's.operator_id',
        's.role',
        's.display_name',
        's.method',
        'o.disabled_at',
        'o.role as local_role',
      )) as
      | {
          operator_id: string;
          role: Role;
          display_name: string;
          method: AuthMethod;
          disabled_at: Date | null;
          local_role: Role | null;
        }
      | undefined;
    if (!row || row.disabled_at) return null;
    // A local account's current role wins over the role it had at login (a demotion takes effect at once).
    const role = row.method === 'password' && row.local_role ? row.local_role : row.role;
    return { id: row.operator_id, role, displayName: row.display_name, method: row.method };
  }

  async endSession(value: string): Promise<void> {
    await this.knex('bridge.console_sessions')
      .where({ session_sha256: sha256(value) })
      .delete();
  }

  async audit(e: AuditEntry): Promise<void> {
    await this.knex('bridge.console_audit').insert({
      event: e.event,
      operator_id: e.operator?.id ?? e.operatorId ?? null,
      role: e.operator?.role ?? null,
      method: e.operator?.method ?? e.method ?? null,
      case_id: e.caseId ?? null,
      outcome: e.outcome ?? null,
      detail: JSON.stringify(e.detail ?? {}),
      remote_addr: e.remoteAddr ?? null,
    });
  }
}
