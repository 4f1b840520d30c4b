/**
 * Who runs a CLI command that changes data: an operator API token (`--token`, or VSS_BRIDGE_TOKEN) or a local
 * operator's login with their password (`--operator`, password in VSS_BRIDGE_PASSWORD or on standard input).
 * Never a free-text name: the identity recorded in the audit is the one the credential proves.
 */
import type { Knex } from 'knex';
import { OperatorStore } from '../../connectors/db/operators.js';
import type { OperatorIdentity } from '../runtime/http/auth/identity.js';

export interface CredentialOptions {
  token?: string;
  operator?: string;
}

async function readStdinLine(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('password: ');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) {
    chunks.push(c as Buffer);
    if (Buffer.concat(chunks).includes(10)) break;
  }
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

export async function authenticateCli(knex: Knex, o: CredentialOptions): Promise<OperatorIdentity> {
  const store = new OperatorStore(knex);
  const token = o.token ?? process.env.VSS_BRIDGE_TOKEN;
  if (o.operator) {
    const password = process.env.VSS_BRIDGE_PASSWORD ?? (await readStdinLine());
    const who = await store.authenticatePassword(o.operator, password);
    if (!who) {
      await store.audit({
        event: 'login_failed',
        operatorId: o.operator,
        method: 'password',
        remoteAddr: 'cli',
      });
      throw new Error('wrong operator login or password');
    }
    await store.audit({ event: 'login', operator: who, remoteAddr: 'cli' });
    return who;
  }
  if (token) {
    const who = await store.authenticateToken(token);
    if (!who)
      throw new Error('the operator token is not valid (unknown, revoked, expired or its operator disabled)');
    return who;
  }
  throw new Error('say who you are: --token <operator token> (or VSS_BRIDGE_TOKEN), or --operator <login>');
}
