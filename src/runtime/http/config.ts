/**
 * The console's settings, read from environment variables (README "Configuration", docs/console.md).
 * Kept apart from the adapter's Config so the console can be configured and tested on its own.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config.js';
import { parseRoleMap, type Role } from './auth/identity.js';

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string | null;
  /** Where the provider sends the browser back; default `<public URL>/auth/oidc/callback`. */
  redirectUrl: string | null;
  scopes: string;
  /** The claim (in the ID token, the user-info answer and access tokens) that carries the operator's roles. */
  roleClaim: string;
  /** Claim value → console role. */
  roleMap: Record<string, Role>;
  /** The `aud` a bearer access token must carry. */
  audience: string;
}

export interface ConsoleConfig {
  host: string;
  /** The console's external origin (https://console.example); Host and Origin must match it when set. */
  publicUrl: string | null;
  tls: { cert: Buffer; key: Buffer } | null;
  sessionTtlSeconds: number;
  /** Signs the console's cookies (CSRF secret, OIDC state); random per process when unset. */
  cookieSecret: string | null;
  loginMaxPerMinute: number;
  resolveMaxPerMinute: number;
  oidc: OidcConfig | null;
}

export const CONSOLE_DEFAULTS = {
  HTTP_HOST: '127.0.0.1',
  CONSOLE_SESSION_TTL_MINUTES: '480',
  CONSOLE_LOGIN_MAX_PER_MINUTE: '5',
  CONSOLE_RESOLVE_MAX_PER_MINUTE: '30',
  OIDC_SCOPES: 'openid profile',
  OIDC_ROLE_CLAIM: 'roles',
  OIDC_ROLE_MAP: 'viewer=viewer,reviewer=reviewer,supervisor=supervisor',
} as const;

/** The adapter's ConfigError, so the CLI reports a bad console variable on one line with exit code 2. */
export class ConsoleConfigError extends ConfigError {}

export function loadConsoleConfig(env: NodeJS.ProcessEnv = process.env): ConsoleConfig {
  const problems: string[] = [];
  const get = (k: keyof typeof CONSOLE_DEFAULTS) => (env[k] ? env[k] : CONSOLE_DEFAULTS[k]);
  const int = (k: keyof typeof CONSOLE_DEFAULTS, min: number, max: number) => {
    const raw = get(k);
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) {
      problems.push(`${k}: expected an integer between ${min} and ${max}, got '${raw}'`);
      return min;
    }
    return n;
  };
  const url = (k: string): string | null => {
    const v = env[k];
    if (!v) return null;
    try {
      const u = new URL(v);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
      return v.replace(/\/+$/, '');
    } catch {
      problems.push(`${k}: expected an http(s) URL, got '${v}'`);
      return null;
    }
  };
  const publicUrl = url('CONSOLE_PUBLIC_URL');
  let tls: ConsoleConfig['tls'] = null;
  if (env.CONSOLE_TLS_CERT || env.CONSOLE_TLS_KEY) {
    try {
      tls = { cert: readFileSync(env.CONSOLE_TLS_CERT ?? ''), key: readFileSync(env.CONSOLE_TLS_KEY ?? '') };
    } catch {
      problems.push('CONSOLE_TLS_CERT/CONSOLE_TLS_KEY: both must name readable PEM files');
    }
  }
  const cookieSecret = env.CONSOLE_COOKIE_SECRET || null;
  if (cookieSecret !== null && cookieSecret.length < 32)
    problems.push('CONSOLE_COOKIE_SECRET: at least 32 characters');
  let oidc: OidcConfig | null = null;
  const issuer = url('OIDC_ISSUER');
  if (issuer) {
    if (!env.OIDC_CLIENT_ID) problems.push('OIDC_CLIENT_ID: required when OIDC_ISSUER is set');
    let roleMap: Record<string, Role> = {};
    try {
      roleMap = parseRoleMap(get('OIDC_ROLE_MAP'));
    } catch (e) {
      problems.push(`OIDC_ROLE_MAP: ${(e as Error).message}`);
    }
    oidc = {
      issuer,
      clientId: env.OIDC_CLIENT_ID ?? '',
      clientSecret: env.OIDC_CLIENT_SECRET || null,
      redirectUrl: url('OIDC_REDIRECT_URL'),
      scopes: get('OIDC_SCOPES'),
      roleClaim: get('OIDC_ROLE_CLAIM'),
      roleMap,
      audience: env.OIDC_AUDIENCE || env.OIDC_CLIENT_ID || '',
    };
  }
  const config: ConsoleConfig = {
    host: get('HTTP_HOST'),
    publicUrl,
    tls,
    sessionTtlSeconds: int('CONSOLE_SESSION_TTL_MINUTES', 1, 7 * 24 * 60) * 60,
    cookieSecret,
    loginMaxPerMinute: int('CONSOLE_LOGIN_MAX_PER_MINUTE', 1, 1000),
    resolveMaxPerMinute: int('CONSOLE_RESOLVE_MAX_PER_MINUTE', 1, 10000),
    oidc,
  };
  if (problems.length > 0) throw new ConsoleConfigError(problems);
  return config;
}
