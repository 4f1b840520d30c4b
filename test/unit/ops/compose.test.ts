/**
 * docker-compose.yml's structure, checked without a Docker engine: services, ports, volumes (Kafka's data on its
 * volume), healthchecks and health-gated depends_on, pinned images, kafbat/kafka-ui, Alertmanager wired to the
 * alert rules, and the adapter's environment accepted by our configuration.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../../src/runtime/config.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const read = (p: string) => readFileSync(resolve(ROOT, p), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] | string; interval?: string };
  depends_on?: Record<string, { condition: string }> | string[];
}
const compose = parse(read('docker-compose.yml')) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const S = compose.services;

const PORTS: Record<string, number> = {
  postgres: 5432,
  kafka: 9092,
  'schema-registry': 8081,
  connect: 8083,
  'vss-bridge': 9400,
  'kafka-ui': 8080,
  prometheus: 9090,
  alertmanager: 9093,
  grafana: 3000,
};

describe('docker-compose.yml', () => {
  it('has the services of the stack, each on its port, bound to 127.0.0.1 only', () => {
    expect(Object.keys(S).sort()).toEqual(Object.keys(PORTS).sort());
    for (const [name, port] of Object.entries(PORTS)) {
      expect(S[name]!.ports, name).toEqual([`127.0.0.1:${port}:${port}`]);
    }
  });

  it('every service has a healthcheck, and every depends_on waits for health', () => {
    for (const [name, s] of Object.entries(S)) {
      expect(s.healthcheck?.test, name).toBeDefined();
      expect(Array.isArray(s.healthcheck!.test) ? s.healthcheck!.test.length : 1).toBeGreaterThan(0);
      if (s.depends_on === undefined) continue;
      expect(Array.isArray(s.depends_on), `${name}: depends_on must name conditions`).toBe(false);
      for (const [dep, c] of Object.entries(s.depends_on)) {
        expect(Object.keys(S), `${name} depends on ${dep}`).toContain(dep);
        expect(c.condition, `${name} → ${dep}`).toBe('service_healthy');
      }
    }
    expect(Object.keys(S['vss-bridge']!.depends_on!).sort()).toEqual([
      'kafka',
      'postgres',
      'schema-registry',
    ]);
  });

  it('images are pinned by version (no latest, no bare major), including the Dockerfiles FROM lines', () => {
    const pinned = (image: string) =>
      expect(image, image).toMatch(/^[\w./-]+:v?\d+\.\d+(\.\d+)?([-.][\w.-]+)?$/);
    for (const [name, s] of Object.entries(S)) {
      expect(s.image, `${name} has an image name`).toBeDefined();
      pinned(s.image!);
      if (s.build) {
        const dockerfile = read(resolve(s.build.context, s.build.dockerfile).replace(`${ROOT}/`, ''));
        for (const m of dockerfile.matchAll(/^FROM\s+(\S+)/gm)) pinned(m[1]!);
      }
    }
    expect(read('ops/adapter.Dockerfile')).toMatch(/^FROM node:24\./m);
  });

  it('uses kafbat/kafka-ui, not the unmaintained provectuslabs image', () => {
    expect(S['kafka-ui']!.image).toMatch(/kafbat\/kafka-ui:/);
    expect(read('docker-compose.yml')).not.toMatch(/^\s*image:.*provectuslabs/m);
  });

  it('keeps state on named volumes: Kafka logs where KAFKA_LOG_DIRS points, PostgreSQL data, archive', () => {
    const mount = (svc: string, volume: string) =>
      S[svc]!.volumes!.find((v) => v.startsWith(`${volume}:`))?.split(':')[1];
    const logDirs = String(S.kafka!.environment!.KAFKA_LOG_DIRS);
    expect(logDirs).toBeTruthy();
    expect(mount('kafka', 'kafkadata')).toBe(logDirs);
    expect(mount('postgres', 'pgdata')).toBe('/var/lib/postgresql/data');
    expect(mount('vss-bridge', 'archive')).toBe(String(S['vss-bridge']!.environment!.ARCHIVE_DIR));
    const used = Object.values(S).flatMap((s) =>
      (s.volumes ?? []).filter((v) => !v.startsWith('.')).map((v) => v.split(':')[0]),
    );
    expect([...new Set(used)].sort()).toEqual(Object.keys(compose.volumes).sort());
  });

  it('mounts only files that exist in the repository', () => {
    for (const s of Object.values(S)) {
      for (const v of (s.volumes ?? []).filter((x) => x.startsWith('./'))) {
        expect(existsSync(resolve(ROOT, v.split(':')[0]!)), v).toBe(true);
      }
    }
  });

  it('wires Prometheus to the alert rules and to Alertmanager, which routes to a defined receiver', () => {
    const prom = parse(read('ops/prometheus.yml')) as {
      rule_files: string[];
      alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
    };
    const rulesMount = S.prometheus!.volumes!.find((v) => v.startsWith('./ops/alerts.yml:'))!.split(':')[1];
    expect(prom.rule_files).toContain(rulesMount);
    expect(prom.alerting.alertmanagers[0]!.static_configs[0]!.targets).toEqual(['alertmanager:9093']);
    const amMount = S.alertmanager!.volumes!.find((v) => v.startsWith('./ops/alertmanager.yml:'))!.split(
      ':',
    )[1];
    expect(S.alertmanager!.image).toMatch(/^prom\/alertmanager:v\d/);
    expect((S.alertmanager as { command: string[] }).command).toContain(`--config.file=${amMount}`);
    const am = parse(read('ops/alertmanager.yml')) as {
      route: { receiver: string; routes?: { receiver: string }[] };
      receivers: { name: string }[];
    };
    const names = am.receivers.map((r) => r.name);
    expect(names).toContain(am.route.receiver);
    for (const r of am.route.routes ?? []) expect(names).toContain(r.receiver);
  });

  it("the adapter's environment is a valid configuration", () => {
    const env = Object.fromEntries(
      Object.entries(S['vss-bridge']!.environment!).map(([k, v]) => [k, String(v)]),
    );
    expect(() => loadConfig(env)).not.toThrow();
  });
});
