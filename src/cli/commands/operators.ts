import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { OperatorStore } from '../../../connectors/db/operators.js';
import { isRole } from '../../runtime/http/auth/identity.js';
import { loadConfig } from '../../runtime/config.js';
import { runtimeDb } from '../../runtime/connections.js';

async function withStore<T>(fn: (s: OperatorStore) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // The runtime role manages operators; the tables come from `vss-bridge migrate`.
  const knex = runtimeDb(config, { poolMax: 2 });
  try {
    return await fn(new OperatorStore(knex));
  } finally {
    await knex.destroy();
  }
}

async function stdinPassword(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

export function register(program: Command): void {
  const ops = program
    .command('operators')
    .description('local operator accounts of the console (when no identity provider is used) and API tokens');

  ops
    .command('add <login>')
    .description('add an operator; prints a generated password unless one is given on standard input')
    .requiredOption('--role <role>', 'viewer | reviewer | supervisor')
    .option('--name <displayName>', 'the name shown in the console')
    .option('--password-stdin', 'read the password (12+ characters) from standard input')
    .option('--no-password', 'no password: the operator uses API tokens only')
    .action(
      async (
        login: string,
        o: { role: string; name?: string; passwordStdin?: boolean; password: boolean },
      ) => {
        if (!isRole(o.role)) throw new Error('--role: viewer, reviewer or supervisor');
        const generated = !o.passwordStdin && o.password;
        const password = o.passwordStdin
          ? await stdinPassword()
          : generated
            ? randomBytes(12).toString('base64url')
            : null;
        await withStore((s) =>
          s.add({ id: login, role: o.role as never, displayName: o.name ?? login, password }),
        );
        process.stdout.write(`operator ${login} added (${o.role})\n`);
        if (generated)
          process.stdout.write(`password: ${password}\n(shown once; it is stored as a scrypt hash)\n`);
      },
    );

  ops
    .command('disable <login>')
    .description('disable an operator: their sessions end and their API tokens stop working at once')
    .action(async (login: string) => {
      const done = await withStore((s) => s.disable(login));
      if (!done) throw new Error(`no active operator ${login}`);
      process.stdout.write(`operator ${login} disabled\n`);
    });

  ops
    .command('list')
    .description('list operators')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const rows = await withStore((s) => s.list());
      const out = rows.map((r) => ({
        login: r.operator_id,
        name: r.display_name,
        role: r.role,
        password: r.password_hash !== null,
        created: r.created_at.toISOString(),
        disabled: r.disabled_at ? r.disabled_at.toISOString() : null,
      }));
      if (o.json) {
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        return;
      }
      for (const r of out)
        process.stdout.write(
          `${r.login.padEnd(24)} ${r.role.padEnd(11)} ${r.disabled ? `disabled ${r.disabled.slice(0, 10)}` : 'active'.padEnd(19)} ${r.name}\n`,
        );
      process.stdout.write(`${out.length} operator(s)\n`);
    });

  ops
    .command('token <login>')
    .description('issue an API token for an operator (for the CLI and machine clients); printed once')
    .option('--label <text>', 'what the token is for', '')
    .option('--days <n>', 'valid for this many days (default: until the operator is disabled)')
    .action(async (login: string, o: { label: string; days?: string }) => {
      const days = o.days === undefined ? null : Number(o.days);
      if (days !== null && !(Number.isInteger(days) && days > 0))
        throw new Error('--days: a positive integer');
      const token = await withStore((s) =>
        s.issueToken(login, o.label, days ? new Date(Date.now() + days * 86_400_000) : null),
      );
      process.stdout.write(`${token}\n`);
    });
}
