import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RuntimeEvents } from './events.js';

/** Prometheus metrics; they subscribe to runtime events (instrumentation as events). */
export class Metrics {
  readonly registry = new Registry();
  readonly consumed = new Counter({
    name: 'vss_bridge_messages_consumed_total',
    help: 'Messages taken from input topics (including duplicates and dead letters).',
    labelNames: ['topic'],
    registers: [this.registry],
  });
  readonly processed = new Counter({
    name: 'vss_bridge_messages_processed_total',
    help: 'Messages fully handled, by topic and outcome (approved/rejected/review/match/no_match/dlq/duplicate).',
    labelNames: ['topic', 'outcome'],
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'vss_bridge_processing_duration_seconds',
    help: 'Time from decode to committed transaction, per flow.',
    labelNames: ['flow'],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'vss_bridge_batch_size',
    help: 'Events committed per micro-batch transaction, per topic.',
    labelNames: ['topic'],
    buckets: [2, 5, 10, 25, 50, 100, 250, 500, 1000],
    registers: [this.registry],
  });
  readonly matchScore = new Histogram({
    name: 'vss_bridge_match_score',
    help: 'Best candidate match score (posterior log2 odds, bits), per flow and decision.',
    labelNames: ['flow', 'decision'],
    buckets: [-20, -10, -5, 0, 5, 10, 15, 20, 25, 30, 40, 50],
    registers: [this.registry],
  });
  readonly deadLetters = new Counter({
    name: 'vss_bridge_dead_letters_total',
    help: 'Messages sent to a dead-letter topic, by source topic and error code.',
    labelNames: ['topic', 'error_code'],
    registers: [this.registry],
  });
  readonly retries = new Counter({
    name: 'vss_bridge_retries_total',
    help: 'Processing attempts that failed and were retried.',
    labelNames: ['topic'],
    registers: [this.registry],
  });
  readonly conflicts = new Counter({
    name: 'vss_bridge_conflicts_total',
    help: 'Decisions the store could not apply as decided (HGD changed, code in use): decided again by the flow.',
    labelNames: ['topic', 'conflict'],
    registers: [this.registry],
  });
  readonly rebalances = new Counter({
    name: 'vss_bridge_consumer_rebalances_total',
    help: 'Consumer group rebalances seen by this process.',
    registers: [this.registry],
  });
  readonly crashes = new Counter({
    name: 'vss_bridge_consumer_crashes_total',
    help: 'Consumer crashes (kafkajs restarts the consumer after them).',
    registers: [this.registry],
  });
  readonly outboxBacklog = new Gauge({
    name: 'vss_bridge_outbox_backlog',
    help: 'Outbox rows not yet published.',
    registers: [this.registry],
  });
  readonly outboxOldestAge = new Gauge({
    name: 'vss_bridge_outbox_oldest_unsent_age_seconds',
    help: 'Age of the oldest unpublished outbox row.',
    registers: [this.registry],
  });
  readonly outboxParked = new Gauge({
    name: 'vss_bridge_outbox_parked',
    help: 'Outbox rows the broker refuses for good (too large, invalid), parked for an operator.',
    registers: [this.registry],
  });
  readonly outboxParkedTotal = new Counter({
    name: 'vss_bridge_outbox_parked_total',
    help: 'Outbox rows parked by this process, by topic and reason.',
    labelNames: ['topic', 'reason'],
    registers: [this.registry],
  });
  readonly outboxPublished = new Counter({
    name: 'vss_bridge_outbox_published_total',
    help: 'Outbox rows published to Kafka.',
    registers: [this.registry],
  });
  readonly lag = new Gauge({
    name: 'vss_bridge_consumer_lag',
    help: 'Messages between the committed offset and the log end, per group/topic/partition.',
    labelNames: ['group', 'topic', 'partition'],
    registers: [this.registry],
  });
  readonly lastCommitAge = new Gauge({
    name: 'vss_bridge_consumer_last_commit_age_seconds',
    help: 'Seconds since the group last committed an offset on this partition (when the broker reports it).',
    labelNames: ['group', 'topic', 'partition'],
    registers: [this.registry],
  });
  readonly ready = new Gauge({
    name: 'vss_bridge_ready',
    help: '1 when Kafka, the schema registry and PostgreSQL answer and the consumer has joined its group.',
    registers: [this.registry],
  });

  /** The review backlog and resolutions (the console sets them). */
  readonly review: ReviewMetrics = new ReviewMetrics(this.registry);

  /** The HGD change feed (connectors/cdc/health.ts), refreshed with readiness when CDC_ENABLED=true. */
  readonly cdc = {
    problems: new Gauge({
      name: 'vss_bridge_cdc_problems',
      help: 'Problems of the HGD change feed: connector or task not RUNNING, slot missing, changes waiting and none applied.',
      registers: [this.registry],
    }),
    connectorRunning: new Gauge({
      name: 'vss_bridge_cdc_connector_running',
      help: 'Connector and task states from the Kafka Connect REST API: 1 when the connector and every task are RUNNING.',
      registers: [this.registry],
    }),
    backlog: new Gauge({
      name: 'vss_bridge_cdc_backlog',
      help: 'HGD change events on the change topics not yet applied to the search index.',
      registers: [this.registry],
    }),
    slotLagBytes: new Gauge({
      name: 'vss_bridge_cdc_slot_lag_bytes',
      help: "HGD's write-ahead log written after the position the connector confirmed (source position vs applied).",
      registers: [this.registry],
    }),
    lastApplied: new Gauge({
      name: 'vss_bridge_cdc_last_applied_timestamp_seconds',
      help: 'When the index follower last applied a batch of changes.',
      registers: [this.registry],
    }),
    resnapshots: new Gauge({
      name: 'vss_bridge_cdc_resnapshots',
      help: 'Snapshots that started while the follower was streaming (slot lost or connector reset), since the index was built.',
      registers: [this.registry],
    }),
  };

  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics !== false)
      collectDefaultMetrics({ register: this.registry, prefix: 'vss_bridge_' });
  }

  subscribe(events: RuntimeEvents): void {
    events.on('message.processed', (e) => {
      this.consumed.inc({ topic: e.topic });
      this.processed.inc({ topic: e.topic, outcome: e.outcome });
      this.duration.observe({ flow: e.flow }, e.durationSeconds);
    });
    events.on('message.duplicate', (e) => {
      this.consumed.inc({ topic: e.topic });
      this.processed.inc({ topic: e.topic, outcome: 'duplicate' });
    });
    events.on('message.dlq', (e) => {
      this.consumed.inc({ topic: e.topic });
      this.processed.inc({ topic: e.topic, outcome: 'dlq' });
      this.deadLetters.inc({ topic: e.topic, error_code: e.errorCode });
    });
    events.on('batch.committed', (e) => this.batchSize.observe({ topic: e.topic }, e.size));
    events.on('message.retry', (e) => this.retries.inc({ topic: e.topic }));
    events.on('message.conflict', (e) => this.conflicts.inc({ topic: e.topic, conflict: e.conflict }));
    events.on('match.scored', (e) =>
      this.matchScore.observe({ flow: e.flow, decision: e.decision }, e.score),
    );
    events.on('consumer.rebalancing', () => this.rebalances.inc());
    events.on('consumer.crashed', () => this.crashes.inc());
    events.on('outbox.published', (e) => this.outboxPublished.inc(e.count));
    events.on('outbox.parked', (e) => this.outboxParkedTotal.inc({ topic: e.topic, reason: e.reason }));
  }
}

/** The review backlog and operators' resolutions (the console refreshes the gauges on each scrape). */
export class ReviewMetrics {
  readonly open: Gauge;
  readonly oldestOpenAge: Gauge;
  readonly resolutions: Counter;

  constructor(registry: Registry) {
    this.open = new Gauge({
      name: 'vss_bridge_review_cases_open',
      help: 'Open review cases, by kind.',
      labelNames: ['kind'],
      registers: [registry],
    });
    this.oldestOpenAge = new Gauge({
      name: 'vss_bridge_review_oldest_open_age_seconds',
      help: 'Age of the oldest open review case (0 when none is open).',
      registers: [registry],
    });
    this.resolutions = new Counter({
      name: 'vss_bridge_review_resolutions_total',
      help: 'Review cases resolved through the console or the CLI, by outcome (member/no_match/override) and role.',
      labelNames: ['outcome', 'role'],
      registers: [registry],
    });
  }

  set(openByKind: Record<string, number>, oldestOpenAgeSeconds: number | null): void {
    for (const kind of ['DEFENCE_CODE_MAPPING', 'CHILD_REGISTRATION', 'ADULT_REGISTRATION'])
      this.open.set({ kind }, openByKind[kind] ?? 0);
    for (const [kind, n] of Object.entries(openByKind)) this.open.set({ kind }, n);
    this.oldestOpenAge.set(oldestOpenAgeSeconds ?? 0);
  }
}
