import { readFileSync } from 'node:fs';
import type { Knex } from 'knex';

/**
 * CPU spent on a piece of work, load-independent: this Node process (`process.cpuUsage`, all threads) plus the
 * PostgreSQL backends that served it. A backend's CPU is read from `/proc/<pid>/stat` (utime + stime), for every
 * backend connected with this process's `application_name` (see `withApplicationName`), so other sessions on a shared
 * server do not count. Needs PostgreSQL on the same Linux host; elsewhere the backend figure is null. A backend that
 * exits between the two readings is not counted (the knex pool keeps its connections for 30 s idle, longer than the
 * gaps in the benchmarks).
 */
export interface CpuReading {
  node: NodeJS.CpuUsage;
  backends: Map<number, number> | null;
}

export interface CpuSpent {
  /** CPU seconds of this Node process (user + system). */
  nodeS: number;
  /** CPU seconds of the PostgreSQL backends serving it; null when /proc of the server's processes is not readable. */
  pgS: number | null;
}

const CLOCK_TICKS = 100;

/** Appends `application_name` to a PostgreSQL URL so the backends serving this process can be told apart. */
export function withApplicationName(url: string, name: string): string {
  if (/[?&]application_name=/.test(url)) return url;
  return `${url}${url.includes('?') ? '&' : '?'}application_name=${encodeURIComponent(name)}`;
}

function ticksOf(pid: number): number | null {
  try {
    // Fields after the command (which may hold spaces) start after the last ')'; utime and stime are fields 14, 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return null;
  }
}

async function backendTicks(knex: Knex): Promise<Map<number, number> | null> {
  const rows = (
    (await knex.raw(
      `select pid from pg_stat_activity
        where datname = current_database() and application_name = current_setting('application_name')`,
    )) as { rows: Array<{ pid: number }> }
  ).rows;
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    const t = ticksOf(pid);
    if (t === null) return null;
    out.set(pid, t);
  }
  return out;
}

export async function readCpu(knex: Knex): Promise<CpuReading> {
  return { node: process.cpuUsage(), backends: await backendTicks(knex) };
}

export async function cpuSince(knex: Knex, start: CpuReading): Promise<CpuSpent> {
  const node = process.cpuUsage(start.node);
  const now = await backendTicks(knex);
  let pgS: number | null = null;
  if (now && start.backends) {
    let ticks = 0;
    for (const [pid, t] of now) ticks += t - (start.backends.get(pid) ?? 0);
    pgS = ticks / CLOCK_TICKS;
  }
  return { nodeS: (node.user + node.system) / 1e6, pgS };
}

/** "Node 1.23 + PostgreSQL 0.45 = 1.68 CPU-s per 1,000 queries". */
export function formatCpuPer1000(spent: CpuSpent, queries: number): string {
  const per = (s: number) => ((s / queries) * 1000).toFixed(2);
  if (spent.pgS === null)
    return `Node ${per(spent.nodeS)} CPU-s per 1,000 queries (PostgreSQL backends not readable)`;
  return `Node ${per(spent.nodeS)} + PostgreSQL ${per(spent.pgS)} = ${per(spent.nodeS + spent.pgS)} CPU-s per 1,000 queries`;
}
