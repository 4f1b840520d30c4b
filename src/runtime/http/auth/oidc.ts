/**
 * OpenID Connect for the console: the authorisation-code flow with PKCE (openid-client, a certified relying
 * party) for browsers, and bearer access tokens (JWTs) verified against the provider's published keys (jose).
 * Discovery happens on first use, so the adapter starts while the provider is down.
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import * as client from 'openid-client';
import type { OidcConfig } from '../config.js';
import { roleFromClaim, type OperatorIdentity } from './identity.js';

export interface OidcChecks {
  state: string;
  nonce: string;
  verifier: string;
}

export class OidcError extends Error {
  constructor(
    message: string,
    readonly code: 'NO_ROLE' | 'FAILED',
  ) {
    super(message);
    this.name = 'OidcError';
  }
}

const isLoopback = (u: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);

export class OidcLogin {
  private config: Promise<client.Configuration> | null = null;
  private jwks: ReturnType<typeof createRemoteJWKSet> | null = null;

  constructor(readonly cfg: OidcConfig) {}

  private discover(): Promise<client.Configuration> {
    if (!this.config) {
      const issuer = new URL(this.cfg.issuer);
      // Plain http only for a provider on this machine (tests, a local demo).
      const insecure = issuer.protocol === 'http:' && isLoopback(issuer);
      this.config = client
        .discovery(
          issuer,
          this.cfg.clientId,
          this.cfg.clientSecret ?? undefined,
          this.cfg.clientSecret ? undefined : client.None(),
          insecure ? { execute: [client.allowInsecureRequests] } : undefined,
        )
        .catch((e: unknown) => {
          this.config = null;
          throw e;
        });
    }
    return this.config;
  }

  /** The provider's authorisation URL and the checks to keep (in a short-lived cookie) until the callback. */
  async start(redirectUri: string): Promise<{ url: string; checks: OidcChecks }> {
    const config = await this.discover();
    const verifier = client.randomPKCECodeVerifier();
    const checks: OidcChecks = { state: client.randomState(), nonce: client.randomNonce(), verifier };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: this.cfg.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: checks.state,
      nonce: checks.nonce,
    });
    return { url: url.href, checks };
  }

  /** Exchanges the code (with the PKCE verifier) and returns who logged in, with their console role. */
  async finish(callbackUrl: URL, checks: OidcChecks): Promise<OperatorIdentity> {
    const config = await this.discover();
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: checks.verifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new OidcError('no ID token', 'FAILED');
    let roleClaim = claims[this.cfg.roleClaim];
    let name = claims.name;
    if (roleClaim === undefined) {
      const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      roleClaim = info[this.cfg.roleClaim];
      name ??= info.name;
    }
    const role = roleFromClaim(roleClaim, this.cfg.roleMap);
    if (!role) throw new OidcError('the account has no console role', 'NO_ROLE');
    return {
      id: `oidc:${claims.sub}`,
      role,
      displayName: typeof name === 'string' ? name : claims.sub,
      method: 'oidc',
    };
  }

  /** A bearer access token (JWT) signed by the provider, for this audience, with a console role; else null. */
  async verifyBearer(token: string): Promise<OperatorIdentity | null> {
    const config = await this.discover();
    const meta = config.serverMetadata();
    if (!meta.jwks_uri) return null;
    this.jwks ??= createRemoteJWKSet(new URL(meta.jwks_uri));
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, { issuer: meta.issuer, audience: this.cfg.audience }));
    } catch {
      return null;
    }
    const role = roleFromClaim(payload[this.cfg.roleClaim], this.cfg.roleMap);
    if (!role || !payload.sub) return null;
    const name = typeof payload.name === 'string' ? payload.name : payload.sub;
    return { id: `oidc:${payload.sub}`, role, displayName: name, method: 'oidc-bearer' };
  }
}
