import { readFileSync } from 'node:fs';
import type { Knex } from 'knex';

/**
 * CPU accounting for `hgd import`: the Node process (all its threads) and, when PostgreSQL runs on this machine, the
 * backend that ran the import and the parallel workers it started (index builds). Read from /proc (Linux); where
 * that is not possible (remote server, no /proc) the PostgreSQL figure is null. Autovacuum and the other sessions'
 * backends are not counted.
 */

/** User + system CPU seconds of a process, from /proc/<pid>/stat; null when it cannot be read. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses): state is field 3, utime 14, stime 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(rest[11]) + Number(rest[12]);
    // USER_HZ is 100 on Linux (sysconf(_SC_CLK_TCK)); Node offers no portable way to read it.
    return Number.isFinite(ticks) ? ticks / 100 : null;
  } catch {
    return null;
  }
}

function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('postgres');
  } catch {
    return false;
  }
}

export interface ImportCpu {
  /** CPU seconds of this Node process over the import (main thread and worker threads). */
  nodeSeconds: number;
  /** CPU seconds of the PostgreSQL backend and its parallel workers; null when not measurable from here. */
  postgresSeconds: number | null;
}

/**
 * Measures from `start` to `stop`. `backend` is the pid of the import's PostgreSQL backend (`pg_backend_pid()`).
 * Parallel workers live for one statement: they are found through pg_stat_activity (leader_pid) on a second
 * connection every `pollMs`, and each one counts with the last CPU time read (a worker's last moments may be missed).
 */
export class ImportCpuMeter {
  private readonly nodeStart = process.cpuUsage();
  private backend: number | null = null;
  private backendStart = 0;
  private readonly workers = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;

  constructor(
    private readonly knex: Knex,
    private readonly pollMs = 200,
  ) {}

  /** Starts following the backend; does nothing when its process cannot be read on this machine. */
  follow(backendPid: number): void {
    if (!isPostgres(backendPid)) return;
    const cpu = processCpuSeconds(backendPid);
    if (cpu === null) return;
    this.backend = backendPid;
    this.backendStart = cpu;
    this.timer = setInterval(() => {
      this.polling ??= this.poll().finally(() => (this.polling = null));
    }, this.pollMs);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    try {
      const res = (await this.knex.raw('select pid from pg_stat_activity where leader_pid = ? and pid <> ?', [
        this.backend,
        this.backend,
      ])) as { rows: Array<{ pid: number }> };
      for (const { pid } of res.rows) {
        const cpu = processCpuSeconds(pid);
        if (cpu !== null) this.workers.set(pid, Math.max(cpu, this.workers.get(pid) ?? 0));
      }
    } catch {
      // Measurement only: a failed poll loses a sample, never the import.
    }
  }

  /** CPU seconds of the backend alone since `follow` (parallel workers not included); null when not followed. */
  backendSeconds(): number | null {
    if (this.backend === null) return null;
    const now = processCpuSeconds(this.backend);
    return now === null ? null : now - this.backendStart;
  }

  async stop(): Promise<ImportCpu> {
    if (this.timer) clearInterval(this.timer);
    await this.polling;
    const node = process.cpuUsage(this.nodeStart);
    const nodeSeconds = (node.user + node.system) / 1e6;
    if (this.backend === null) return { nodeSeconds, postgresSeconds: null };
    const now = processCpuSeconds(this.backend);
    if (now === null) return { nodeSeconds, postgresSeconds: null };
    let workers = 0;
    for (const v of this.workers.values()) workers += v;
    return { nodeSeconds, postgresSeconds: now - this.backendStart + workers };
  }
}
