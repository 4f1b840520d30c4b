import type { Kafka } from 'kafkajs';
import type { AvroCodec } from '../../connectors/registry/codec.js';
import { OperatorStore } from '../../connectors/db/operators.js';
import type { CodeLookupFailed } from '../../src/contracts/generated.js';
import { startApp, type App } from '../../src/runtime/app.js';
import type { Config } from '../../src/runtime/config.js';
import { loadConsoleConfig, type ConsoleConfig } from '../../src/runtime/http/config.js';
import { seedHgd, testCodec, testConfig, testLogger, type MemberLine } from './app.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { lookupEvent } from './events.js';
import { testKafka } from './kafka.js';
import { waitFor } from './stack.js';

/** Twins (never an automatic match) and an unrelated member, the classic review case. */
export const CONSOLE_MEMBERS: MemberLine[] = [
  {
    member_id: 'M-2',
    household_code: '0100000002',
    full_name: 'Trần Thị Mai',
    dob: '1990-07-01',
    gender: 'F',
    bhxh_code: '0122222222',
    province_code: '01',
    father_name: 'Trần Văn Nam',
    mother_name: 'Lê Thị Hoa',
    relation_to_head: 'con',
  },
  {
    member_id: 'M-3',
    household_code: '0100000002',
    full_name: 'Trần Thị Mai',
    dob: '1990-07-01',
    gender: 'F',
    bhxh_code: '0133333333',
    province_code: '01',
    father_name: 'Trần Văn Nam',
    mother_name: 'Lê Thị Hoa',
    relation_to_head: 'con',
  },
  {
    member_id: 'M-H',
    household_code: '0100000002',
    full_name: 'Trần Văn Nam',
    dob: '1960-01-20',
    gender: 'M',
    bhxh_code: '0144444444',
    province_code: '01',
    relation_to_head: 'chủ hộ',
  },
  {
    member_id: 'M-9',
    household_code: '7900000009',
    full_name: 'Phan Văn Khải',
    dob: '1955-12-25',
    gender: 'M',
    bhxh_code: '7999999999',
    province_code: '79',
    relation_to_head: 'chủ hộ',
  },
];

/** The declaration written without diacritics: "Tran Thi Mai" reads as a spelling variant of "Trần Thị Mai". */
export function twinLookup(i: number): CodeLookupFailed {
  return lookupEvent(
    i,
    {
      fullName: 'Tran Thi Mai',
      dateOfBirth: { value: '1990-07-01', precision: 'DAY' },
      gender: 'FEMALE',
      provinceCode: '01',
      fatherName: 'Trần Văn Nam',
    },
    `97123456${String(i).padStart(2, '0')}`,
  );
}

export const PASSWORDS = {
  vera: 'viewer-password-1',
  rita: 'reviewer-password-1',
  sam: 'supervisor-password-1',
};

export interface ConsoleStack {
  db: TestDatabase;
  config: Config;
  app: App;
  kafka: Kafka;
  codec: AvroCodec;
  base: string;
  operators: OperatorStore;
  /** Open case ids, in the order the lookups were sent. */
  caseIds: string[];
  lookups: CodeLookupFailed[];
  stop(): Promise<void>;
}

/**
 * The real app (consumer, relay, console) on a fresh database and topics, with three local operators
 * (vera: viewer, rita: reviewer, sam: supervisor) and `cases` review cases opened by the Defence flow.
 */
export async function startConsoleStack(
  opts: { cases?: number; console?: Partial<ConsoleConfig>; env?: NodeJS.ProcessEnv } = {},
): Promise<ConsoleStack> {
  const db = await createTestDatabase();
  await seedHgd(db.knex, CONSOLE_MEMBERS);
  const config = testConfig(db.url);
  const kafka = testKafka();
  const codec = await testCodec(config);
  const consoleConfig = { ...loadConsoleConfig(opts.env ?? {}), ...opts.console };
  const app = await startApp(config, testLogger(), { console: consoleConfig });
  const operators = new OperatorStore(db.knex);
  await operators.add({ id: 'vera', displayName: 'Vera Viewer', role: 'viewer', password: PASSWORDS.vera });
  await operators.add({
    id: 'rita',
    displayName: 'Rita Reviewer',
    role: 'reviewer',
    password: PASSWORDS.rita,
  });
  await operators.add({
    id: 'sam',
    displayName: 'Sam Supervisor',
    role: 'supervisor',
    password: PASSWORDS.sam,
  });

  const lookups = Array.from({ length: opts.cases ?? 3 }, (_, i) => twinLookup(i + 1));
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const topic = config.topics.codeLookupFailed;
  for (const e of lookups)
    await producer.send({ topic, messages: [{ key: e.requestId, value: await codec.encode(topic, e) }] });
  await producer.disconnect();
  const rows = await waitFor(
    'review cases opened',
    async () => {
      const r = (await db.knex('bridge.review_cases').select('case_id', 'subject_id')) as {
        case_id: string;
        subject_id: string;
      }[];
      return r.length === lookups.length ? r : null;
    },
    60_000,
  );
  const caseIds = lookups.map((l) => rows.find((r) => r.subject_id === l.requestId)!.case_id);
  return {
    db,
    config,
    app,
    kafka,
    codec,
    base: `http://127.0.0.1:${app.httpPort}`,
    operators,
    caseIds,
    lookups,
    async stop() {
      await app.stop();
      await db.drop();
    },
  };
}

/** A minimal cookie-keeping HTTP client, to drive the console as a browser would (Origin, CSRF header). */
export class ConsoleClient {
  readonly cookies = new Map<string, string>();
  csrf = '';

  constructor(readonly base: string) {}

  private keep(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(c) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    const res = await fetch(this.base + path, {
      redirect: 'manual',
      headers: { cookie: this.cookieHeader, ...headers },
    });
    this.keep(res);
    return res;
  }

  /** Loads a page and keeps its CSRF token. */
  async page(path: string): Promise<string> {
    const res = await this.get(path);
    const html = await res.text();
    const m = /<meta name="csrf-token" content="([^"]*)">/.exec(html);
    if (m) this.csrf = m[1]!;
    return html;
  }

  async post(
    path: string,
    body: unknown,
    o: {
      origin?: string | null;
      csrf?: string | null;
      contentType?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = {
      cookie: this.cookieHeader,
      'content-type': o.contentType ?? 'application/json',
      ...o.headers,
    };
    const origin = o.origin === undefined ? this.base : o.origin;
    if (origin !== null) headers.origin = origin;
    const csrf = o.csrf === undefined ? this.csrf : o.csrf;
    if (csrf !== null) headers['x-csrf-token'] = csrf;
    const res = await fetch(this.base + path, {
      method: 'POST',
      redirect: 'manual',
      headers,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    this.keep(res);
    return res;
  }

  async login(login: string, password: string): Promise<Response> {
    await this.page('/login');
    const res = await this.post('/auth/login', { login, password });
    if (res.status === 200) await this.page('/review');
    return res;
  }
}
