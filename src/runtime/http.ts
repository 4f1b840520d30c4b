import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isPermanent } from '../domain/errors.js';
import type { Operator, ReviewAction } from '../flows/review/actions.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

export interface ReadinessCheck {
  name: string;
  /** Throws what is wrong; may return what an operator wants to see while it is fine (shown as `ok: …`). */
  check: () => Promise<void | string>;
}

export interface ReviewPort {
  list(filter: { status?: 'open' | 'resolved' | 'all'; kind?: string; limit?: number }): Promise<unknown[]>;
  show(caseId: string): Promise<unknown>;
  resolve(caseId: string, action: ReviewAction, operator: Operator): Promise<unknown>;
}

export interface OpsServerOptions {
  port: number;
  host?: string;
  logger: Logger;
  metrics: Metrics;
  readiness: ReadinessCheck[];
  review?: ReviewPort;
  checkTimeoutMs?: number;
}

/**
 * Operations HTTP: `/healthz` (process alive), `/readyz` (Kafka, registry, PostgreSQL answer; consumer joined),
 * `/metrics` (Prometheus text), and the review API (JSON) so a UI can come later:
 *   GET  /review-cases?status=open|resolved|all&kind=…   GET /review-cases/:id
 *   POST /review-cases/:id/resolve  {"memberId": "…"} | {"noMatch": true}, with "by" and optional "note"
 */
export class OpsServer {
  private server: Server | null = null;

  constructor(private readonly opts: OpsServerOptions) {}

  async start(): Promise<number> {
    const server = createServer((req, res) => {
      this.route(req, res).catch((e: unknown) => {
        this.opts.logger.error(
          { err: { message: e instanceof Error ? e.message : String(e) } },
          'http handler failed',
        );
        if (!res.headersSent) json(res, 500, { error: 'internal error' });
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host ?? '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    return typeof addr === 'object' && addr ? addr.port : this.opts.port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    const closed = new Promise<void>((r) => s.close(() => r()));
    // Idle keep-alive connections would hold the close (and the process) for seconds.
    s.closeIdleConnections();
    await closed;
  }

  /** Runs every readiness check in parallel, each bounded in time. */
  async readiness(): Promise<{ ready: boolean; checks: Record<string, string> }> {
    const timeout = this.opts.checkTimeoutMs ?? 1500;
    const results = await Promise.all(
      this.opts.readiness.map(async (c) => {
        try {
          const detail = await withTimeout(c.check(), timeout);
          return [c.name, detail ? `ok: ${detail}` : 'ok', true] as const;
        } catch (e) {
          return [c.name, e instanceof Error ? e.message : String(e), false] as const;
        }
      }),
    );
    const checks = Object.fromEntries(results.map(([name, text]) => [name, text]));
    const ready = results.every(([, , ok]) => ok);
    this.opts.metrics.ready.set(ready ? 1 : 0);
    return { ready, checks };
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (req.method === 'GET' && path === '/healthz') return json(res, 200, { status: 'ok' });
    if (req.method === 'GET' && path === '/readyz') {
      const r = await this.readiness();
      return json(res, r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not ready', checks: r.checks });
    }
    if (req.method === 'GET' && path === '/metrics') {
      const body = await this.opts.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': this.opts.metrics.registry.contentType });
      res.end(body);
      return;
    }
    const review = this.opts.review;
    if (review && path.startsWith('/review-cases')) {
      const m = /^\/review-cases(?:\/([^/]+))?(\/resolve)?$/.exec(path);
      if (!m) return json(res, 404, { error: 'not found' });
      const [, id, resolve] = m;
      try {
        if (req.method === 'GET' && !id) {
          const status = (url.searchParams.get('status') ?? 'open') as 'open' | 'resolved' | 'all';
          const kind = url.searchParams.get('kind') ?? undefined;
          return json(res, 200, await review.list({ status, ...(kind ? { kind } : {}) }));
        }
        if (req.method === 'GET' && id && !resolve) {
          const c = await review.show(decodeURIComponent(id));
          return c ? json(res, 200, c) : json(res, 404, { error: `review case ${id} not found` });
        }
        if (req.method === 'POST' && id && resolve) {
          const body = (await readJson(req)) as {
            memberId?: string;
            noMatch?: boolean;
            by?: string;
            note?: string;
          };
          if (!body.by) return json(res, 400, { error: '"by" (the operator) is required' });
          if (!body.memberId === !body.noMatch)
            return json(res, 400, { error: 'give exactly one of "memberId" or "noMatch": true' });
          const note = body.note ?? null;
          const action: ReviewAction = body.memberId
            ? { kind: 'member', memberId: body.memberId, note }
            : { kind: 'no_match', note };
          const operator: Operator = { id: body.by, role: 'reviewer' };
          return json(res, 200, await review.resolve(decodeURIComponent(id), action, operator));
        }
      } catch (e) {
        if (isPermanent(e)) return json(res, 409, { error: e.message });
        throw e;
      }
    }
    json(res, 404, { error: 'not found' });
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 64 * 1024) throw new Error('request body too large');
    chunks.push(c as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    return {};
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
