/** Addresses of the real local stack (scripts/stack up); overridable like the adapter's config. */
export const STACK = {
  kafkaBrokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  registryUrl: process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081',
  /** The owner role (migrations, test databases, seeding); see docs/database-roles.md. */
  databaseUrl: process.env.DATABASE_OWNER_URL ?? 'postgres://vss:vss@127.0.0.1:5432/vss',
  /** The runtime role the adapter runs as. */
  runtimeUrl: process.env.DATABASE_URL ?? 'postgres://vss_runtime:vss_runtime@127.0.0.1:5432/vss',
};

/** `url` (a database of the stack) with the credentials of `as` (STACK.databaseUrl or STACK.runtimeUrl). */
export function withCredentials(url: string, as: string): string {
  const u = new URL(url);
  const c = new URL(as);
  u.username = c.username;
  u.password = c.password;
  return u.toString();
}

/** The runtime role's name on the stack. */
export const RUNTIME_ROLE = decodeURIComponent(new URL(STACK.runtimeUrl).username);

/** A name no other test (or earlier run) uses: tests get their own topics, groups and databases. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Polls until `check` returns a truthy value or the timeout passes (then throws with the label). */
export async function waitFor<T>(
  label: string,
  check: () => Promise<T> | T,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${label}${last ? `: ${String(last)}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
