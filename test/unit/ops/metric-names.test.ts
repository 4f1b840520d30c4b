/**
 * The Grafana dashboard and the Prometheus alert rules name metrics by string; nothing else ties them to
 * src/runtime/metrics.ts. This test reads every PromQL expression in both and fails when one names a metric (or a
 * label) that `new Metrics()` does not register, so a rename in the code cannot silently blank a panel or an alert.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../../src/runtime/metrics.js';

const DASHBOARD = 'ops/grafana/dashboards/vss-bridge.json';
const ALERTS = 'ops/alerts.yml';

/** Series that Prometheus itself synthesises for every scrape target. */
const PROMETHEUS_SERIES = new Map<string, string[]>([['up', ['job', 'instance']]]);
/** Labels Prometheus attaches to every scraped series, and the ones histogram and summary series carry. */
const TARGET_LABELS = ['job', 'instance'];

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
]);

/** Every series name `new Metrics()` exposes, with the labels each may carry. */
async function exposedSeries(): Promise<Map<string, string[]>> {
  const metrics = new Metrics();
  const out = new Map<string, string[]>(PROMETHEUS_SERIES);
  for (const m of await metrics.registry.getMetricsAsJSON()) {
    const single = metrics.registry.getSingleMetric(m.name) as unknown as
      | { labelNames?: string[] }
      | undefined;
    const labels = [...(single?.labelNames ?? []), ...TARGET_LABELS];
    // Default process metrics carry labels that are set at collection time (e.g. `space`, `kind`, `version`).
    for (const v of m.values) for (const l of Object.keys(v.labels)) if (!labels.includes(l)) labels.push(l);
    const type = String(m.type);
    if (type === 'histogram') {
      out.set(`${m.name}_bucket`, [...labels, 'le']);
      out.set(`${m.name}_sum`, labels);
      out.set(`${m.name}_count`, labels);
    } else if (type === 'summary') {
      out.set(m.name, [...labels, 'quantile']);
      out.set(`${m.name}_sum`, labels);
      out.set(`${m.name}_count`, labels);
    } else {
      out.set(m.name, labels);
    }
  }
  return out;
}

interface PromqlRefs {
  /** Metric names, in order of appearance. */
  metrics: string[];
  /** Label names used in matchers `{l="…"}` and in grouping clauses `by (…)`, `without (…)`, `on (…)`, `ignoring (…)`. */
  labels: string[];
}

/**
 * A small PromQL lexer, enough for names: strips strings, Grafana variables and range selectors, takes label names
 * from matchers and grouping clauses, and treats an identifier followed by `(` as a function or aggregation.
 */
function promqlRefs(expr: string): PromqlRefs {
  const metrics: string[] = [];
  const labels: string[] = [];
  let s = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\$\{[^}]*\}|\$[A-Za-z_]\w*/g, '1')
    .replace(/\[[^\]]*\]/g, ' ');
  s = s.replace(/\{([^}]*)\}/g, (_, body: string) => {
    for (const m of body.matchAll(/([A-Za-z_]\w*)\s*(?:=~|!~|!=|=)/g)) if (m[1]) labels.push(m[1]);
    return ' ';
  });
  s = s.replace(
    /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g,
    (_, _kw: string, list: string) => {
      for (const l of list.split(',').map((x) => x.trim())) if (l) labels.push(l);
      return ' ';
    },
  );
  const token = /(\d+(?:\.\d+)?(?:e[+-]?\d+)?[a-z]*)|([A-Za-z_:][\w:]*)(\s*\()?/gi;
  for (const m of s.matchAll(token)) {
    const name = m[2];
    if (!name || m[3] || KEYWORDS.has(name.toLowerCase())) continue;
    metrics.push(name);
  }
  return { metrics, labels };
}

interface Expression {
  where: string;
  expr: string;
}

interface Panel {
  id?: number;
  title?: string;
  type?: string;
  datasource?: { uid?: string };
  targets?: { expr?: string; datasource?: { uid?: string } }[];
  panels?: Panel[];
}

function dashboardExpressions(): Expression[] {
  const dash = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    panels: Panel[];
    templating: { list: { name: string; query: string | { query: string } }[] };
  };
  const out: Expression[] = [];
  const walk = (panels: Panel[]) => {
    for (const p of panels) {
      for (const t of p.targets ?? []) if (t.expr) out.push({ where: `panel "${p.title}"`, expr: t.expr });
      walk(p.panels ?? []);
    }
  };
  walk(dash.panels);
  for (const v of dash.templating.list) {
    const q = typeof v.query === 'string' ? v.query : v.query.query;
    // label_values(<selector>, <label>): the selector is PromQL; the label must exist on it.
    const lv = /^label_values\((.+),\s*([A-Za-z_]\w*)\s*\)$/.exec(q.trim());
    if (lv?.[1] && lv[2]) out.push({ where: `variable $${v.name}`, expr: `sum by (${lv[2]}) (${lv[1]})` });
    else out.push({ where: `variable $${v.name}`, expr: q });
  }
  return out;
}

/**
 * The `expr:` of every rule in alerts.yml, single-line or as a `|`/`>` block. No YAML parser is a dependency of
 * the project, so the extractor checks itself: it must find exactly one expression per rule.
 */
function alertExpressions(): Expression[] {
  const lines = readFileSync(ALERTS, 'utf8').split('\n');
  const out: Expression[] = [];
  let alert = '?';
  let rules = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const a = /^\s*- (?:alert|record):\s*(\S+)/.exec(line);
    if (a?.[1]) {
      alert = a[1];
      rules++;
    }
    const e = /^(\s*)expr:\s*(.*)$/.exec(line);
    if (!e) continue;
    const indent = e[1]?.length ?? 0;
    let expr = e[2] ?? '';
    if (/^[|>][+-]?$/.test(expr)) {
      const block: string[] = [];
      while (i + 1 < lines.length && (lines[i + 1]?.trim() === '' || indentOf(lines[i + 1] ?? '') > indent)) {
        block.push(lines[++i] ?? '');
      }
      expr = block.join('\n');
    }
    out.push({ where: `alert ${alert}`, expr: expr.trim().replace(/^'(.*)'$|^"(.*)"$/s, '$1$2') });
  }
  if (out.length !== rules) throw new Error(`${ALERTS}: found ${rules} rules but ${out.length} expr lines`);
  return out;
}

const indentOf = (line: string) => line.length - line.trimStart().length;

/** Every problem with one expression: unknown metrics, labels that none of its metrics carry, or no metric at all. */
function problems(e: Expression, series: Map<string, string[]>): string[] {
  const refs = promqlRefs(e.expr);
  const out: string[] = [];
  if (refs.metrics.length === 0) out.push(`${e.where}: names no metric: ${e.expr}`);
  const known: string[] = [];
  for (const m of refs.metrics) {
    const labels = series.get(m);
    if (labels) known.push(...labels);
    else out.push(`${e.where}: metric ${m} is not registered by new Metrics()`);
  }
  for (const l of refs.labels)
    if (!known.includes(l)) out.push(`${e.where}: label ${l} is on none of ${refs.metrics.join(', ')}`);
  return out;
}

describe('metric names in ops/ (Grafana dashboard, alert rules) exist in src/runtime/metrics.ts', () => {
  it('the PromQL lexer finds metric names and labels, not functions, keywords, durations or variables', () => {
    expect(
      promqlRefs(
        'histogram_quantile(0.99, sum by (le, flow) (rate(vss_bridge_processing_duration_seconds_bucket{instance=~"$instance"}[$__rate_interval]))) > bool 1.5e3 offset 5m',
      ),
    ).toEqual({
      metrics: ['vss_bridge_processing_duration_seconds_bucket'],
      labels: ['instance', 'le', 'flow'],
    });
    expect(promqlRefs('a_total / on (topic) group_left b{x!="}"} unless up').metrics).toEqual([
      'a_total',
      'b',
      'up',
    ]);
  });

  it('every dashboard query and variable names registered metrics and labels', async () => {
    const series = await exposedSeries();
    const exprs = dashboardExpressions();
    expect(exprs.length).toBeGreaterThan(20);
    expect(exprs.flatMap((e) => problems(e, series))).toEqual([]);
  });

  it('every alert rule names registered metrics and labels', async () => {
    const series = await exposedSeries();
    const exprs = alertExpressions();
    expect(exprs.length).toBeGreaterThanOrEqual(8);
    expect(exprs.flatMap((e) => problems(e, series))).toEqual([]);
  });

  it('rejects a metric that is not registered and a label that is not on the metric', async () => {
    const series = await exposedSeries();
    expect(problems({ where: 'x', expr: 'rate(vss_bridge_messages_procesed_total[5m])' }, series)).toEqual([
      'x: metric vss_bridge_messages_procesed_total is not registered by new Metrics()',
    ]);
    expect(
      problems({ where: 'x', expr: 'sum by (outcomes) (vss_bridge_messages_processed_total)' }, series),
    ).toEqual(['x: label outcomes is on none of vss_bridge_messages_processed_total']);
    // Default process metrics carry the prefix; the unprefixed prom-client names are not exposed.
    expect(problems({ where: 'x', expr: 'process_resident_memory_bytes' }, series)).toHaveLength(1);
  });

  it('the dashboard covers what operators need and points at the provisioned datasource', () => {
    const dash = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { uid: string; panels: Panel[] };
    const datasource = readFileSync('ops/grafana/provisioning/datasources/prometheus.yml', 'utf8');
    const uid = /^\s*uid:\s*(\S+)/m.exec(datasource)?.[1];
    expect(uid).toBeDefined();
    const ids = dash.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dash.panels.filter((x) => x.type !== 'row')) {
      expect(p.datasource?.uid, p.title).toBe(uid);
      for (const t of p.targets ?? []) expect(t.datasource?.uid, p.title).toBe(uid);
    }
    const all = dashboardExpressions()
      .map((e) => e.expr)
      .join('\n');
    for (const m of [
      'vss_bridge_messages_processed_total',
      'vss_bridge_processing_duration_seconds_bucket',
      'vss_bridge_match_score_bucket',
      'vss_bridge_consumer_lag',
      'vss_bridge_outbox_backlog',
      'vss_bridge_outbox_oldest_unsent_age_seconds',
      'vss_bridge_dead_letters_total',
      'vss_bridge_retries_total',
      'vss_bridge_consumer_rebalances_total',
      'vss_bridge_ready',
      'vss_bridge_process_resident_memory_bytes',
      'vss_bridge_process_cpu_seconds_total',
    ]) {
      expect(all, m).toContain(m);
    }
  });
});
