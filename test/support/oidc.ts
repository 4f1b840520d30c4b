import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** Accounts of the test identity provider: any password logs in (the provider's development login page). */
export const OIDC_ACCOUNTS: Record<string, { name: string; roles: string[] }> = {
  olga: { name: 'Olga OIDC', roles: ['vss-reviewer'] },
  otto: { name: 'Otto OIDC', roles: ['vss-supervisor', 'vss-viewer'] },
  nobody: { name: 'No Role', roles: ['staff'] },
};

export const CONSOLE_RESOURCE = 'urn:vss-bridge:console';

export interface TestOidc {
  issuer: string;
  clientId: string;
  clientSecret: string;
  machineId: string;
  machineSecret: string;
  /** Configures the provider once the console's callback URL is known. */
  attach(redirectUri: string): void;
  /** A client-credentials access token (a JWT for the console's audience) for the machine client. */
  machineToken(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A real OpenID provider (the certified `oidc-provider` package) on 127.0.0.1: authorisation code + PKCE for
 * the console, client credentials with JWT access tokens for a machine client, roles in a `roles` claim.
 * The listener starts first (the console needs the issuer); `attach` builds the provider with the callback URL.
 */
export async function startTestOidc(): Promise<TestOidc> {
  let handler: ((req: never, res: never) => void) | null = null;
  const server: Server = createServer((req, res) => {
    if (handler) handler(req as never, res as never);
    else {
      res.statusCode = 503;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const t: TestOidc = {
    issuer,
    clientId: 'vss-console',
    clientSecret: 'console-secret-for-tests-only-0123456789',
    machineId: 'vss-machine',
    machineSecret: 'machine-secret-for-tests-only-0123456789',
    attach(redirectUri: string) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: t.clientId,
            client_secret: t.clientSecret,
            redirect_uris: [redirectUri],
            grant_types: ['authorization_code'],
            response_types: ['code'],
          },
          {
            client_id: t.machineId,
            client_secret: t.machineSecret,
            redirect_uris: [],
            grant_types: ['client_credentials'],
            response_types: [],
            scope: 'console',
          },
        ],
        scopes: ['openid', 'profile', 'console'],
        claims: { openid: ['sub'], profile: ['name', 'roles'] },
        // Roles in the ID token itself (the console also asks the user-info endpoint when they are missing).
        conformIdTokenClaims: false,
        pkce: { required: () => true },
        features: {
          devInteractions: { enabled: true },
          clientCredentials: { enabled: true },
          resourceIndicators: {
            enabled: true,
            defaultResource: () => undefined,
            useGrantedResource: () => false,
            getResourceServerInfo: () => ({
              scope: 'console',
              audience: t.clientId,
              accessTokenFormat: 'jwt',
              jwt: { sign: { alg: 'RS256' } },
            }),
          },
        },
        async findAccount(_ctx: unknown, id: string) {
          const a = OIDC_ACCOUNTS[id];
          return {
            accountId: id,
            claims: async () => ({ sub: id, name: a?.name ?? id, roles: a?.roles ?? [] }),
          };
        },
        async extraTokenClaims(_ctx: unknown, token: { kind: string; clientId: string }) {
          return token.kind === 'ClientCredentials' && token.clientId === t.machineId
            ? { roles: ['vss-reviewer'], name: 'Machine client' }
            : undefined;
        },
        // Consent is given by the agency for its own console: skip the consent screen.
        async loadExistingGrant(ctx: {
          oidc: {
            client: { clientId: string };
            session: { accountId: string; grantIdFor(id: string): string | undefined };
            result?: { consent?: { grantId?: string } };
            provider: {
              Grant: {
                new (o: { clientId: string; accountId: string }): {
                  addOIDCScope(s: string): void;
                  addOIDCClaims(c: string[]): void;
                  save(): Promise<string>;
                };
                find(id: string): Promise<unknown>;
              };
            };
          };
        }) {
          const id =
            ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
          if (id) return ctx.oidc.provider.Grant.find(id);
          const grant = new ctx.oidc.provider.Grant({
            clientId: ctx.oidc.client.clientId,
            accountId: ctx.oidc.session.accountId,
          });
          grant.addOIDCScope('openid profile');
          grant.addOIDCClaims(['name', 'roles']);
          await grant.save();
          return grant;
        },
      });
      handler = provider.callback() as never;
    },
    async machineToken() {
      const res = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${t.machineId}:${t.machineSecret}`).toString('base64')}`,
        },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          scope: 'console',
          resource: CONSOLE_RESOURCE,
        }),
      });
      const body = (await res.json()) as {
        access_token?: string;
        error?: string;
        error_description?: string;
      };
      if (!body.access_token) throw new Error(`no token: ${body.error} ${body.error_description}`);
      return body.access_token;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return t;
}
