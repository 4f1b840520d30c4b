import { readdirSync, readFileSync } from 'node:fs';
import type { Knex } from 'knex';

/**
 * CPU accounting for the change-feed benchmarks: CPU seconds of processes on this machine, read from /proc (user +
 * system, clock ticks of 1/100 s). PostgreSQL backends are found by their application_name; Kafka Connect's worker
 * by its main class. A process that has exited counts nothing, so take readings while it runs.
 */
const TICK = 100;

export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      // Fields after the command (which may hold spaces): state is field 3, utime 14, stime 15.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(rest[11]) + Number(rest[12]);
    } catch {
      // Gone, or not on this machine.
    }
  }
  return ticks / TICK;
}

/** Backends of `applicationName` (any database). */
export async function backendPids(knex: Knex, applicationName: string): Promise<number[]> {
  const r = (await knex.raw('select pid from pg_stat_activity where application_name = ?', [
    applicationName,
  ])) as { rows: Array<{ pid: number }> };
  return r.rows.map((x) => Number(x.pid));
}

/** WAL sender backends streaming from a replication slot (Debezium's decoding work). */
export async function walSenderPids(knex: Knex, slot: string): Promise<number[]> {
  const r = (await knex.raw(
    'select active_pid as pid from pg_replication_slots where slot_name = ? and active_pid is not null',
    [slot],
  )) as { rows: Array<{ pid: number }> };
  return r.rows.map((x) => Number(x.pid));
}

/** Kafka Connect worker JVMs on this machine (main class ConnectDistributed). */
export function connectPids(): number[] {
  const pids: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8');
      if (cmd.includes('org.apache.kafka.connect.cli.ConnectDistributed')) pids.push(Number(e));
    } catch {
      // Gone.
    }
  }
  return pids;
}
