/**
 * What `npm run demo` may touch. The demo empties tables (the audit of code changes included), deletes topics and
 * a consumer group and empties an archive directory, so it runs on its own database, topic prefix, consumer group
 * and archive directory on the local stack, and refuses any other target unless DEMO_ALLOW_REMOTE=1 says so.
 *
 *   node --import tsx scripts/demo-settings.ts     prints the demo's environment as shell assignments, or
 *                                                  explains on stderr why it refuses (exit 2)
 */

/** The demo's own settings: all on the local stack (scripts/stack), none shared with `npm test` or a deployment. */
export const DEMO_ENV = {
  // The adapter runs as the runtime role; the demo resets and seeds its database as the owner.
  DATABASE_URL: 'postgres://vss_runtime:vss_runtime@127.0.0.1:5432/vss_demo',
  DATABASE_OWNER_URL: 'postgres://vss:vss@127.0.0.1:5432/vss_demo',
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081',
  TOPIC_PREFIX: 'demo.',
  KAFKA_GROUP_ID: 'vss-bridge-demo',
  ARCHIVE_DIR: './.stack/demo-archive',
} as const;

/** Variables that redirect where the demo writes; any TOPIC_* rename counts too. */
const GUARDED = Object.keys(DEMO_ENV) as (keyof typeof DEMO_ENV)[];

export type DemoSettings =
  | { ok: true; env: Record<string, string>; remote: boolean }
  | { ok: false; reasons: string[] };

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}

/**
 * The environment the demo runs with. A guarded variable set to anything other than the demo's value is refused
 * (with the reason) unless DEMO_ALLOW_REMOTE=1, in which case the caller's values are used as given.
 */
export function demoSettings(env: NodeJS.ProcessEnv): DemoSettings {
  const allow = env.DEMO_ALLOW_REMOTE === '1';
  const reasons: string[] = [];
  for (const k of GUARDED) {
    const v = env[k];
    if (v === undefined || v === '' || v === DEMO_ENV[k]) continue;
    const shown = k.startsWith('DATABASE_') ? redact(v) : v;
    reasons.push(
      `${k} is '${shown}', not the demo's '${DEMO_ENV[k]}': the demo empties the database's bridge and hgd tables, deletes its topics and consumer group and empties its archive directory`,
    );
  }
  for (const k of Object.keys(env)) {
    if (/^TOPIC_[A-Z_]+$/.test(k) && k !== 'TOPIC_PREFIX' && env[k]) {
      reasons.push(`${k} renames a topic: the demo deletes and recreates its topics`);
    }
  }
  if (reasons.length > 0 && !allow) return { ok: false, reasons };
  const out: Record<string, string> = {};
  for (const k of GUARDED) out[k] = allow && env[k] ? env[k] : DEMO_ENV[k];
  return { ok: true, env: out, remote: reasons.length > 0 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const s = demoSettings(process.env);
  if (!s.ok) {
    process.stderr.write(
      `npm run demo: refusing to run. The demo only touches its own database, topics and archive on the local stack.\n${s.reasons
        .map((r) => `  - ${r}`)
        .join('\n')}\nUnset these variables to use the demo's own (${Object.entries(DEMO_ENV)
        .map(([k, v]) => `${k}=${k.startsWith('DATABASE_') ? redact(v) : v}`)
        .join(
          ' ',
        )}), or set DEMO_ALLOW_REMOTE=1 to run the demo against them anyway (their data will be deleted).\n`,
    );
    process.exit(2);
  }
  for (const [k, v] of Object.entries(s.env))
    process.stdout.write(`export ${k}='${v.replace(/'/g, `'\\''`)}'\n`);
}
