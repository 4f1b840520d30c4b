import type { Admin } from 'kafkajs';
import type { Knex } from 'knex';
import { householdsTopic, membersTopic, type CdcConfig } from './config.js';
import { ConnectClient } from './connect-client.js';

/**
 * Health of the HGD change feed for /readyz, the status page and /metrics: the connector's and its task's state
 * (Connect REST API), the feed's backlog (change-topic end offsets against the follower's inbox), the replication
 * slot's lag (HGD's current WAL position against what the connector confirmed), and the follower's last applied
 * change and re-snapshots (hgd_match.cdc_state).
 */
export interface FeedHealth {
  connectorState: string;
  taskStates: string[];
  /** Change events written to the topics and not yet applied to the index; null when unknown. */
  backlog: number | null;
  slotLagBytes: number | null;
  slotPresent: boolean | null;
  phase: string | null;
  lastAppliedAt: Date | null;
  lastSourceAt: Date | null;
  resnapshots: number;
  /** Empty when healthy; each names what is wrong without data. */
  problems: string[];
}

export async function feedHealth(
  knex: Knex,
  admin: Admin,
  cfg: CdcConfig,
  client = new ConnectClient(cfg.connectUrl),
): Promise<FeedHealth> {
  const problems: string[] = [];
  const status = await client.status(cfg.connectorName).catch((e: unknown) => {
    problems.push((e as Error).message);
    return null;
  });
  const connectorState = status?.state ?? 'UNREACHABLE';
  const taskStates = status?.tasks.map((t) => t.state) ?? [];
  if (status !== null && connectorState !== 'RUNNING')
    problems.push(`connector ${cfg.connectorName} is ${connectorState}`);
  if (status !== null && connectorState === 'RUNNING' && taskStates.length === 0)
    problems.push('connector has no task');
  for (const [i, s] of taskStates.entries()) if (s !== 'RUNNING') problems.push(`task ${i} is ${s}`);

  const stateRes = (await knex
    .raw('select phase, resnapshots, last_applied_at, last_source_at from hgd_match.cdc_state')
    .catch(() => ({ rows: [] }))) as {
    rows: Array<{
      phase: string;
      resnapshots: number;
      last_applied_at: Date | null;
      last_source_at: Date | null;
    }>;
  };
  const st = stateRes.rows[0];

  let slotLagBytes: number | null = null;
  let slotPresent: boolean | null = null;
  try {
    const slot = (await knex.raw(
      `select greatest(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn), 0)::bigint as lag
         from pg_replication_slots where slot_name = ?`,
      [cfg.slotName],
    )) as { rows: Array<{ lag: number | null }> };
    slotPresent = slot.rows.length > 0;
    slotLagBytes =
      slot.rows[0]?.lag === undefined || slot.rows[0]?.lag === null ? null : Number(slot.rows[0].lag);
    if (!slotPresent) problems.push(`replication slot ${cfg.slotName} is missing`);
  } catch {
    // HGD's server in another database or not readable: the slot is then watched there.
  }

  let backlog: number | null = null;
  try {
    const offsets = (await knex.raw('select topic, partition, next_offset from hgd_match.cdc_offsets')) as {
      rows: Array<{ topic: string; partition: number; next_offset: number }>;
    };
    const applied = new Map(offsets.rows.map((r) => [`${r.topic}/${r.partition}`, Number(r.next_offset)]));
    backlog = 0;
    for (const topic of [membersTopic(cfg), householdsTopic(cfg)]) {
      const ends = await admin.fetchTopicOffsets(topic).catch(() => []);
      for (const p of ends)
        backlog += Math.max(0, Number(p.high) - (applied.get(`${topic}/${p.partition}`) ?? 0));
    }
  } catch {
    backlog = null;
  }
  const lastAppliedAt = st?.last_applied_at ? new Date(st.last_applied_at) : null;
  if (backlog !== null && backlog > 0) {
    const since = lastAppliedAt ? (Date.now() - lastAppliedAt.getTime()) / 1000 : Infinity;
    if (since > cfg.maxDelaySeconds)
      problems.push(
        `${backlog} change(s) waiting and nothing applied for ${Number.isFinite(since) ? Math.round(since) : '∞'} s`,
      );
  }
  return {
    connectorState,
    taskStates,
    backlog,
    slotLagBytes,
    slotPresent,
    phase: st?.phase ?? null,
    lastAppliedAt,
    lastSourceAt: st?.last_source_at ? new Date(st.last_source_at) : null,
    resnapshots: st?.resnapshots ?? 0,
    problems,
  };
}

/** One line for the status page and /readyz. */
export function describeHealth(h: FeedHealth): string {
  const ago = h.lastAppliedAt
    ? `${Math.round((Date.now() - h.lastAppliedAt.getTime()) / 1000)} s ago`
    : 'never';
  const base = `connector ${h.connectorState}, tasks ${h.taskStates.join('/') || 'none'}, backlog ${h.backlog ?? '?'}, slot lag ${h.slotLagBytes ?? '?'} B, last applied ${ago}, re-snapshots ${h.resnapshots}`;
  return h.problems.length > 0 ? `${h.problems.join('; ')} (${base})` : base;
}

/** Where `CdcMonitor.refresh` puts its figures (src/runtime/metrics.ts registers them). */
export interface CdcGauges {
  problems: { set(v: number): void };
  connectorRunning: { set(v: number): void };
  backlog: { set(v: number): void };
  slotLagBytes: { set(v: number): void };
  lastApplied: { set(v: number): void };
  resnapshots: { set(v: number): void };
}

export class CdcMonitor {
  private last: FeedHealth | null = null;

  constructor(
    private readonly knex: Knex,
    private readonly admin: Admin,
    private readonly cfg: CdcConfig,
    private readonly gauges: CdcGauges,
  ) {}

  async refresh(): Promise<FeedHealth> {
    const h = await feedHealth(this.knex, this.admin, this.cfg);
    this.last = h;
    const g = this.gauges;
    g.problems.set(h.problems.length);
    g.connectorRunning.set(
      h.connectorState === 'RUNNING' && h.taskStates.length > 0 && h.taskStates.every((s) => s === 'RUNNING')
        ? 1
        : 0,
    );
    if (h.backlog !== null) g.backlog.set(h.backlog);
    if (h.slotLagBytes !== null) g.slotLagBytes.set(h.slotLagBytes);
    if (h.lastAppliedAt) g.lastApplied.set(h.lastAppliedAt.getTime() / 1000);
    g.resnapshots.set(h.resnapshots);
    return h;
  }

  get lastHealth(): FeedHealth | null {
    return this.last;
  }

  /**
   * A readiness check: throws the problems; when healthy, returns the figures (connector and task state, backlog,
   * slot lag, last applied change, re-snapshots) for /readyz and the status page.
   */
  async check(): Promise<string> {
    const h = await this.refresh();
    if (h.problems.length > 0) throw new Error(describeHealth(h));
    return describeHealth(h);
  }
}
