/**
 * The operator console and the ops endpoints on one fastify server.
 *
 * Unauthenticated: GET /healthz, /readyz, /metrics (for probes and Prometheus), the login page, the OIDC
 * redirects and the static assets. Everything else needs a session cookie (local login or OIDC) or a bearer
 * token (an operator API token, or an OIDC access token verified against the provider's keys). State changes
 * need JSON (415 otherwise), a same-origin `Origin`, and for cookie sessions a CSRF token; logins and
 * resolutions are rate-limited. The operator recorded anywhere always comes from the credential.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { isPermanent } from '../../domain/errors.js';
import type { Logger } from '../logger.js';
import type { Metrics, ReviewMetrics } from '../metrics.js';
import type { AuditEntry } from './auth/audit.js';
import { can, type OperatorIdentity } from './auth/identity.js';
import { OidcError, type OidcChecks, type OidcLogin } from './auth/oidc.js';
import type { ConsoleConfig } from './config.js';
import { maskDigits, maskPerson } from './compare.js';
import { pickLang, WORDS, type Lang } from './i18n.js';
import {
  casePage,
  compareCase,
  continuePage,
  loginPage,
  queuePage,
  statusPage,
  type StatusReport,
} from './pages.js';
import {
  ReviewRefusal,
  type CaseDetail,
  type ConsoleAction,
  type ConsoleReviewPort,
  type QueueFilter,
} from './review-port.js';

/** What the console needs from the operator store (connectors/db/operators.ts implements it). */
export interface IdentityStore {
  authenticatePassword(login: string, password: string): Promise<OperatorIdentity | null>;
  authenticateToken(token: string): Promise<OperatorIdentity | null>;
  createSession(who: OperatorIdentity, ttlSeconds: number): Promise<string>;
  session(value: string): Promise<OperatorIdentity | null>;
  endSession(value: string): Promise<void>;
  audit(e: AuditEntry): Promise<void>;
}

export interface ConsoleServerOptions {
  config: ConsoleConfig;
  port: number;
  logger: Logger;
  metrics: Metrics;
  readiness: () => Promise<{ ready: boolean; checks: Record<string, string> }>;
  review: ConsoleReviewPort;
  identity: IdentityStore;
  oidc: OidcLogin | null;
  status: () => Promise<StatusReport>;
  /** Called after a resolution is committed (wakes the outbox relay). */
  onResolved?: () => void;
}

declare module 'fastify' {
  interface FastifyRequest {
    operator: OperatorIdentity | null;
    authVia: 'session' | 'bearer' | null;
    sessionValue: string | null;
  }
  interface FastifyContextConfig {
    /** No credential needed (login, assets). */
    public?: boolean;
    /** Probes and metrics: no credential and no Host check. */
    ops?: boolean;
    /** An HTML page: an anonymous visitor is sent to the login page instead of a 401. */
    page?: boolean;
  }
}

const ASSETS: Record<string, { type: string; body: Buffer }> = {
  'console.js': {
    type: 'text/javascript; charset=utf-8',
    body: readFileSync(new URL('./assets/console.js', import.meta.url)),
  },
  'console.css': {
    type: 'text/css; charset=utf-8',
    body: readFileSync(new URL('./assets/console.css', import.meta.url)),
  },
};

// Unknown body fields are refused (not silently dropped): a client sending "by" learns it is not taken.
const FASTIFY_OPTIONS = {
  bodyLimit: 64 * 1024,
  logger: false,
  ajv: { customOptions: { removeAdditional: false as const } },
};

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class ConsoleServer {
  readonly app: FastifyInstance;
  private readonly reviewMetrics: ReviewMetrics;
  private readonly sessionCookie: string;
  private ready: Promise<void> | null = null;

  constructor(private readonly opts: ConsoleServerOptions) {
    const tls = opts.config.tls;
    this.app = (tls
      ? Fastify({ https: { cert: tls.cert, key: tls.key }, ...FASTIFY_OPTIONS })
      : Fastify(FASTIFY_OPTIONS)) as unknown as FastifyInstance;
    // The __Host- prefix makes the browser refuse the cookie unless it is Secure, host-only and for path /.
    this.sessionCookie = tls ? '__Host-vssb_session' : 'vssb_session';
    this.reviewMetrics = opts.metrics.review;
  }

  private get secure(): boolean {
    return this.opts.config.tls !== null;
  }

  private async setup(): Promise<void> {
    const { app, opts } = this;
    const cfg = opts.config;
    app.decorateRequest('operator', null);
    app.decorateRequest('authVia', null);
    app.decorateRequest('sessionValue', null);

    await app.register(cookie, { secret: cfg.cookieSecret ?? randomBytes(32).toString('hex') });
    await app.register(csrf, {
      sessionPlugin: '@fastify/cookie',
      cookieKey: this.secure ? '__Host-vssb_csrf' : 'vssb_csrf',
      cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true, secure: this.secure, signed: true },
      getToken: (req) => req.headers['x-csrf-token'] as string | undefined,
    });
    await app.register(helmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
          objectSrc: ["'none'"],
        },
      },
      frameguard: { action: 'deny' },
      strictTransportSecurity: this.secure ? { maxAge: 31_536_000 } : false,
      referrerPolicy: { policy: 'same-origin' },
    });
    await app.register(rateLimit, {
      global: false,
      hook: 'preHandler',
      errorResponseBuilder: (_req, ctx) => ({
        statusCode: ctx.statusCode,
        error: 'TOO_MANY_REQUESTS',
        message: `too many attempts; try again in ${Math.ceil(ctx.ttl / 1000)} s`,
      }),
    });

    // JSON only: no form, text or multipart parser, so anything else is refused with 415.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(
      'application/json',
      { parseAs: 'string', bodyLimit: 64 * 1024 },
      app.getDefaultJsonParser('error', 'error'),
    );

    app.addHook('onRequest', async (req, reply) => this.guard(req, reply));
    app.addHook('onRequest', (req, reply, done) => {
      // CSRF: every state change made with a cookie (a login has no session yet but carries the cookie token).
      if (UNSAFE.has(req.method) && req.authVia !== 'bearer') {
        app.csrfProtection(req, reply, done);
        return;
      }
      done();
    });
    app.addHook('preValidation', async (req, reply) => {
      if (UNSAFE.has(req.method) && !/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
        return reply.code(415).send({ error: 'UNSUPPORTED_MEDIA_TYPE', message: 'send application/json' });
    });
    app.addHook('onSend', async (req, reply) => {
      if (!req.url.startsWith('/assets/')) reply.header('cache-control', 'no-store');
    });
    app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
      if (err instanceof ReviewRefusal)
        return reply.code(err.status).send({ error: err.code, message: err.message });
      if (isPermanent(err)) return reply.code(409).send({ error: 'CONFLICT', message: err.message });
      const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
      if (status >= 500)
        opts.logger.error(
          { err: { message: err.message, code: err.code }, url: req.routeOptions.url },
          'console request failed',
        );
      return reply.code(status).send({
        error: err.code ?? 'ERROR',
        message: status >= 500 ? 'internal error' : err.message,
      });
    });

    this.opsRoutes();
    this.authRoutes();
    this.reviewRoutes();
    this.pageRoutes();
  }

  /** Host, Origin and credential checks; runs before any body is read. */
  private async guard(req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const config = req.routeOptions.config;
    if (config.ops) return;
    if (!this.hostAllowed(req.headers.host))
      return reply.code(421).send({ error: 'MISDIRECTED', message: 'host not served here' });
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      const who = m ? await this.bearer(m[1]!) : null;
      if (!who) return reply.code(401).send({ error: 'UNAUTHENTICATED', message: 'invalid bearer token' });
      req.operator = who;
      req.authVia = 'bearer';
    } else {
      const raw = req.cookies[this.sessionCookie];
      if (raw) {
        const who = await this.opts.identity.session(raw);
        if (who) {
          req.operator = who;
          req.authVia = 'session';
          req.sessionValue = raw;
        }
      }
    }
    if (!config.public && !req.operator) {
      if (config.page && req.method === 'GET') return reply.redirect('/login');
      return reply.code(401).send({ error: 'UNAUTHENTICATED', message: 'log in or send a bearer token' });
    }
    if (UNSAFE.has(req.method) && req.authVia !== 'bearer') {
      // A cookie travels with any request the browser makes; the Origin says which page made it.
      const origin = req.headers.origin;
      if (!origin || origin !== this.ownOrigin(req))
        return reply.code(403).send({ error: 'FOREIGN_ORIGIN', message: 'cross-origin request refused' });
    }
  }

  private async bearer(token: string): Promise<OperatorIdentity | null> {
    if (token.startsWith('vssb_')) return this.opts.identity.authenticateToken(token);
    if (!this.opts.oidc) return null;
    try {
      return await this.opts.oidc.verifyBearer(token);
    } catch {
      return null;
    }
  }

  private hostAllowed(host: string | undefined): boolean {
    if (!host) return false;
    const pub = this.opts.config.publicUrl;
    if (pub) return new URL(pub).host === host.toLowerCase();
    const hostname = host.replace(/:\d+$/, '').toLowerCase();
    return LOOPBACK.has(hostname) || (hostname === this.opts.config.host && hostname !== '0.0.0.0');
  }

  private ownOrigin(req: FastifyRequest): string {
    const pub = this.opts.config.publicUrl;
    return pub ? new URL(pub).origin : `${this.secure ? 'https' : 'http'}://${req.headers.host ?? ''}`;
  }

  private lang(req: FastifyRequest, reply: FastifyReply): Lang {
    const lang = pickLang(req.query, req.cookies.lang);
    if ((req.query as { lang?: string }).lang === lang)
      reply.setCookie('lang', lang, { path: '/', sameSite: 'strict', httpOnly: true, secure: this.secure });
    return lang;
  }

  private setSession(reply: FastifyReply, value: string): void {
    reply.setCookie(this.sessionCookie, value, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: this.secure,
      maxAge: this.opts.config.sessionTtlSeconds,
    });
  }

  private opsRoutes(): void {
    const { app, opts } = this;
    app.get('/healthz', { config: { ops: true } }, async () => ({ status: 'ok' }));
    app.get('/readyz', { config: { ops: true } }, async (_req, reply) => {
      const r = await opts.readiness();
      return reply
        .code(r.ready ? 200 : 503)
        .send({ status: r.ready ? 'ready' : 'not ready', checks: r.checks });
    });
    app.get('/metrics', { config: { ops: true } }, async (_req, reply) => {
      try {
        const q = await opts.review.list({ status: 'open', limit: 1 });
        this.reviewMetrics.set(q.openByKind, q.oldestOpenAgeSeconds);
      } catch {
        // The database is down: the other metrics are still worth serving.
      }
      const body = await opts.metrics.registry.metrics();
      return reply.type(opts.metrics.registry.contentType).send(body);
    });
    app.get<{ Params: { name: string } }>(
      '/assets/:name',
      { config: { public: true } },
      async (req, reply) => {
        const a = ASSETS[req.params.name];
        if (!a) return reply.code(404).send({ error: 'NOT_FOUND' });
        return reply.type(a.type).header('cache-control', 'no-cache').send(a.body);
      },
    );
  }

  private authRoutes(): void {
    const { app, opts } = this;
    const cfg = opts.config;
    app.get('/login', { config: { public: true, page: true } }, async (req, reply) => {
      if (req.operator) return reply.redirect('/review');
      const lang = this.lang(req, reply);
      return reply
        .type('text/html; charset=utf-8')
        .send(loginPage(lang, reply.generateCsrf(), opts.oidc !== null));
    });
    app.post<{ Body: { login: string; password: string } }>(
      '/auth/login',
      {
        config: {
          public: true,
          rateLimit: {
            max: cfg.loginMaxPerMinute,
            timeWindow: 60_000,
            keyGenerator: (req) =>
              `login|${req.ip}|${String((req.body as { login?: unknown })?.login ?? '')}`,
          },
        },
        schema: {
          body: {
            type: 'object',
            required: ['login', 'password'],
            additionalProperties: false,
            properties: {
              login: { type: 'string', maxLength: 64 },
              password: { type: 'string', maxLength: 1024 },
            },
          },
        },
      },
      async (req, reply) => {
        // Besides the per-login limit: a budget per address, so trying many logins does not get round it.
        const perAddress = await this.loginsPerAddress(req);
        // (isAllowed only says an allow-list exempted the request; isExceeded says the budget is spent.)
        if (!perAddress.isAllowed && perAddress.isExceeded)
          return reply
            .code(429)
            .send({ error: 'TOO_MANY_REQUESTS', message: 'too many attempts from this address' });
        const login = req.body.login.trim().toLowerCase();
        const who = await opts.identity.authenticatePassword(login, req.body.password);
        if (!who) {
          await opts.identity.audit({
            event: 'login_failed',
            operatorId: /^[a-z0-9][a-z0-9._@-]{1,63}$/.test(login) ? login : null,
            method: 'password',
            remoteAddr: req.ip,
          });
          return reply.code(401).send({ error: 'LOGIN_FAILED', message: 'wrong login or password' });
        }
        await this.startSession(req, reply, who);
        return { operator: { id: who.id, role: who.role, displayName: who.displayName } };
      },
    );
    app.post('/auth/logout', { config: { public: true } }, async (req, reply) => {
      if (req.sessionValue) {
        await opts.identity.endSession(req.sessionValue);
        if (req.operator)
          await opts.identity.audit({ event: 'logout', operator: req.operator, remoteAddr: req.ip });
      }
      reply.clearCookie(this.sessionCookie, { path: '/' });
      return { ok: true };
    });
    app.get('/me', async (req) => ({ operator: req.operator }));

    const oidc = opts.oidc;
    if (!oidc) return;
    const transient = this.secure ? '__Host-vssb_oidc' : 'vssb_oidc';
    const redirectUri = (req: FastifyRequest) =>
      cfg.oidc?.redirectUrl ?? `${this.ownOrigin(req)}/auth/oidc/callback`;
    app.get(
      '/auth/oidc/login',
      {
        config: {
          public: true,
          page: true,
          rateLimit: { max: cfg.loginMaxPerMinute * 4, timeWindow: 60_000 },
        },
      },
      async (req, reply) => {
        const { url, checks } = await oidc.start(redirectUri(req));
        // Lax, not Strict: the provider's redirect back is a cross-site top-level navigation.
        reply.setCookie(transient, JSON.stringify(checks), {
          path: '/',
          httpOnly: true,
          sameSite: 'lax',
          secure: this.secure,
          signed: true,
          maxAge: 600,
        });
        return reply.redirect(url);
      },
    );
    app.get('/auth/oidc/callback', { config: { public: true, page: true } }, async (req, reply) => {
      const raw = req.cookies[transient];
      const unsigned = raw ? req.unsignCookie(raw) : null;
      reply.clearCookie(transient, { path: '/' });
      const lang = this.lang(req, reply);
      const fail = async (code: number, why: string) => {
        await opts.identity.audit({
          event: 'login_failed',
          method: 'oidc',
          detail: { why },
          remoteAddr: req.ip,
        });
        return reply
          .code(code)
          .type('text/html; charset=utf-8')
          .send(
            loginPage(
              lang,
              reply.generateCsrf(),
              true,
              why === 'NO_ROLE' ? `${WORDS[lang].loginFailed} (role)` : WORDS[lang].loginFailed,
            ),
          );
      };
      if (!unsigned?.valid || !unsigned.value) return fail(400, 'NO_STATE');
      let who: OperatorIdentity;
      try {
        const checks = JSON.parse(unsigned.value) as OidcChecks;
        const url = new URL(req.url, redirectUri(req));
        who = await oidc.finish(url, checks);
      } catch (e) {
        return fail(
          e instanceof OidcError && e.code === 'NO_ROLE' ? 403 : 400,
          e instanceof OidcError ? e.code : 'FAILED',
        );
      }
      await this.startSession(req, reply, who);
      return reply.type('text/html; charset=utf-8').send(continuePage('/review'));
    });
  }

  private perAddress: ReturnType<FastifyInstance['createRateLimit']> | null = null;

  private loginsPerAddress(req: FastifyRequest) {
    this.perAddress ??= this.app.createRateLimit({
      max: this.opts.config.loginMaxPerMinute * 6,
      timeWindow: 60_000,
      keyGenerator: (r) => `login-address|${r.ip}`,
    });
    return this.perAddress(req);
  }

  private async startSession(req: FastifyRequest, reply: FastifyReply, who: OperatorIdentity): Promise<void> {
    // A fresh session id at every login (no fixation), and the old one, if any, ends.
    if (req.sessionValue) await this.opts.identity.endSession(req.sessionValue);
    const value = await this.opts.identity.createSession(who, this.opts.config.sessionTtlSeconds);
    this.setSession(reply, value);
    await this.opts.identity.audit({ event: 'login', operator: who, remoteAddr: req.ip });
  }

  private async caseFor(
    req: FastifyRequest,
    caseId: string,
  ): Promise<{ c: CaseDetail; masked: boolean } | null> {
    const who = req.operator!;
    const c = await this.opts.review.show(caseId);
    if (!c) return null;
    const masked = !can.seePersonalData(who.role);
    if (!masked)
      await this.opts.identity.audit({ event: 'case_view', operator: who, caseId, remoteAddr: req.ip });
    return { c, masked };
  }

  private maskCase(c: CaseDetail): CaseDetail {
    return {
      ...c,
      declaration: maskPerson(c.declaration),
      candidates: c.candidates.map((x) => ({ ...x, member: x.member ? maskPerson(x.member) : null })),
      context: Object.fromEntries(
        Object.entries(c.context).map(([k, v]) => [k, /Code$/.test(k) ? (maskDigits(v, 2) ?? v) : v]),
      ),
    };
  }

  private reviewRoutes(): void {
    const { app, opts } = this;
    app.get<{ Querystring: Record<string, string> }>('/review-cases', async (req) => {
      const q = await opts.review.list(queueFilter(req.query));
      return q;
    });
    app.get<{ Params: { id: string } }>('/review-cases/:id', async (req, reply) => {
      const found = await this.caseFor(req, req.params.id);
      if (!found) return reply.code(404).send({ error: 'CASE_NOT_FOUND', message: 'review case not found' });
      const comparisons = compareCase(found.c);
      return { ...(found.masked ? this.maskCase(found.c) : found.c), comparisons, masked: found.masked };
    });
    // A reason an operator gives (reopening, overriding a guard): required, bounded.
    const REASON_BODY = {
      type: 'object',
      required: ['reason'],
      additionalProperties: false,
      properties: { reason: { type: 'string', maxLength: 2000 } },
    } as const;
    // Resolutions and reopenings share one budget per operator (or address).
    const resolutionLimit = {
      max: opts.config.resolveMaxPerMinute,
      timeWindow: 60_000,
      keyGenerator: (req: FastifyRequest) => `resolve|${req.operator?.id ?? req.ip}`,
    };
    app.post<{ Params: { id: string }; Body: { reason: string } }>(
      '/review-cases/:id/reopen',
      {
        config: { rateLimit: resolutionLimit },
        schema: { body: REASON_BODY },
      },
      async (req, reply) => {
        const who = req.operator!;
        if (!can.override(who.role))
          return reply
            .code(403)
            .send({ error: 'ROLE_CANNOT_REOPEN', message: `role ${who.role} cannot reopen cases` });
        const r = await opts.review.reopen(req.params.id, req.body.reason, who);
        opts.onResolved?.();
        await opts.identity.audit({
          event: 'reopen',
          operator: who,
          caseId: r.caseId,
          outcome: 'reopened',
          detail: { reason: req.body.reason.trim() },
          remoteAddr: req.ip,
        });
        return { caseId: r.caseId, status: 'open' };
      },
    );

    app.post<{
      Params: { id: string };
      Body: { memberId?: string; noMatch?: boolean; note?: string; override?: { reason: string } };
    }>(
      '/review-cases/:id/resolve',
      {
        config: { rateLimit: resolutionLimit },
        schema: {
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              memberId: { type: 'string', minLength: 1, maxLength: 64 },
              noMatch: { type: 'boolean' },
              note: { type: 'string', maxLength: 2000 },
              override: REASON_BODY,
            },
          },
        },
      },
      async (req, reply) => {
        const who = req.operator!;
        if (!can.resolve(who.role))
          return reply
            .code(403)
            .send({ error: 'ROLE_CANNOT_RESOLVE', message: `role ${who.role} cannot resolve cases` });
        const b = req.body;
        if (!b.memberId === !b.noMatch)
          return reply
            .code(400)
            .send({ error: 'INVALID_REQUEST', message: 'give exactly one of "memberId" or "noMatch": true' });
        if (b.override && !can.override(who.role))
          return reply
            .code(403)
            .send({ error: 'ROLE_CANNOT_OVERRIDE', message: `role ${who.role} cannot override` });
        const note = b.note?.trim() || null;
        const action: ConsoleAction = b.memberId
          ? { kind: 'member', memberId: b.memberId, note, ...(b.override ? { override: b.override } : {}) }
          : { kind: 'no_match', note };
        const r = await opts.review.resolve(req.params.id, action, who);
        opts.onResolved?.();
        const outcome = r.override ? 'override' : action.kind;
        this.reviewMetrics.resolutions.inc({ outcome, role: who.role });
        await opts.identity.audit({
          event: r.override ? 'override' : 'resolution',
          operator: who,
          caseId: r.caseId,
          outcome,
          detail: {
            memberId: r.memberId,
            ...(r.override && b.override ? { reason: b.override.reason.trim() } : {}),
          },
          remoteAddr: req.ip,
        });
        return r;
      },
    );
  }

  private pageRoutes(): void {
    const { app, opts } = this;
    const html = (reply: FastifyReply, body: string) => reply.type('text/html; charset=utf-8').send(body);
    app.get('/', { config: { page: true } }, async (_req, reply) => reply.redirect('/review'));
    app.get<{ Querystring: Record<string, string> }>(
      '/review',
      { config: { page: true } },
      async (req, reply) => {
        const f = queueFilter(req.query);
        const q = await opts.review.list(f);
        return html(reply, queuePage(this.lang(req, reply), reply.generateCsrf(), req.operator!, q, f));
      },
    );
    app.get<{ Params: { id: string } }>('/review/:id', { config: { page: true } }, async (req, reply) => {
      const found = await this.caseFor(req, req.params.id);
      if (!found) return reply.code(404).type('text/plain; charset=utf-8').send('review case not found');
      const comparisons = compareCase(found.c);
      const shown = found.masked ? this.maskCase(found.c) : found.c;
      return html(
        reply,
        casePage(
          this.lang(req, reply),
          reply.generateCsrf(),
          req.operator!,
          shown,
          found.masked,
          comparisons,
        ),
      );
    });
    app.get('/status', { config: { page: true } }, async (req, reply) => {
      const s = await opts.status();
      return html(reply, statusPage(this.lang(req, reply), reply.generateCsrf(), req.operator!, s));
    });
    app.get('/status.json', async () => opts.status());
  }

  async start(): Promise<number> {
    this.ready ??= this.setup();
    await this.ready;
    await this.app.listen({ port: this.opts.port, host: this.opts.config.host });
    const addr = this.app.server.address();
    return typeof addr === 'object' && addr ? addr.port : this.opts.port;
  }

  async stop(): Promise<void> {
    if (!this.ready) return;
    await this.app.close();
  }
}

function queueFilter(q: Record<string, string | undefined>): QueueFilter {
  const status = q.status === 'resolved' || q.status === 'all' ? q.status : 'open';
  const f: QueueFilter = { status };
  if (q.kind) f.kind = q.kind;
  if (q.reason) f.reasonCode = q.reason.trim();
  if (q.province) f.provinceCode = q.province.trim();
  const age = Number(q.minAgeHours);
  if (q.minAgeHours && Number.isFinite(age) && age > 0) f.minAgeHours = age;
  const limit = Number(q.limit);
  if (q.limit && Number.isInteger(limit) && limit > 0) f.limit = limit;
  return f;
}
