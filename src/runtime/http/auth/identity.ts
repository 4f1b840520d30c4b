/** Who is behind a console request. Always taken from the credential (session, token), never from a body. */
export type Role = 'viewer' | 'reviewer' | 'supervisor';
export const ROLES: readonly Role[] = ['viewer', 'reviewer', 'supervisor'];

export type AuthMethod = 'password' | 'token' | 'oidc' | 'oidc-bearer';

export interface OperatorIdentity {
  /** Stable id: the local login, or `oidc:<sub>` for an identity-provider account. */
  id: string;
  role: Role;
  displayName: string;
  method: AuthMethod;
}

export function isRole(s: unknown): s is Role {
  return typeof s === 'string' && (ROLES as readonly string[]).includes(s);
}

/** What each role may do; the HTTP layer and the review adapter both check it. */
export const can = {
  seePersonalData: (r: Role) => r !== 'viewer',
  resolve: (r: Role) => r === 'reviewer' || r === 'supervisor',
  override: (r: Role) => r === 'supervisor',
};

/**
 * The highest console role among an identity provider's claim values, mapped through `map`
 * (claim value → role). A claim may be a string, a space/comma separated string or an array.
 */
export function roleFromClaim(claim: unknown, map: Record<string, Role>): Role | null {
  const values = Array.isArray(claim)
    ? claim.filter((v): v is string => typeof v === 'string')
    : typeof claim === 'string'
      ? claim.split(/[\s,]+/).filter(Boolean)
      : [];
  let best: Role | null = null;
  for (const v of values) {
    const r = map[v];
    if (r && (best === null || ROLES.indexOf(r) > ROLES.indexOf(best))) best = r;
  }
  return best;
}

/** Parses `viewer=vss-viewer,reviewer=vss-reviewer,…` (role=claim value) into claim value → role. */
export function parseRoleMap(raw: string): Record<string, Role> {
  const out: Record<string, Role> = {};
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [role, value] = part.split('=').map((s) => s.trim());
    if (!isRole(role) || !value) throw new Error(`expected role=claimValue pairs, got '${part}'`);
    out[value] = role;
  }
  return out;
}
