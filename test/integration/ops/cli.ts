import { execFile } from 'node:child_process';
import type { Config } from '../../../src/runtime/config.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `vss-bridge <args>` as operators do (a separate process, configured by environment variables) pointed at
 * one test's topics, group and database. Asynchronous on purpose: an app running in the test process must keep
 * heartbeating while the command runs.
 */
export function vssBridge(config: Config, args: string[], timeoutMs = 60_000): Promise<CliResult> {
  const env = {
    ...process.env,
    TOPIC_PREFIX: config.topicPrefix,
    KAFKA_GROUP_ID: config.kafka.groupId,
    DATABASE_URL: config.databaseUrl,
    DATABASE_OWNER_URL: config.databaseOwnerUrl ?? '',
    SCHEMA_REGISTRY_URL: config.schemaRegistryUrl,
    KAFKA_BROKERS: config.kafka.brokers.join(','),
    LOG_LEVEL: 'warn',
  };
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['bin/vss-bridge.mjs', ...args],
      { env, timeout: timeoutMs },
      (err, stdout, stderr) => {
        const code = err ? (err as { code?: unknown }).code : 0;
        if (typeof code !== 'number')
          reject(new Error(`vss-bridge ${args.join(' ')}: ${String(err)}\n${stderr}`));
        else resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Parses Prometheus text exposition into samples (name, labels, value); enough for assertions. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m?.[1] || m[3] === undefined) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([A-Za-z_]\w*)="((?:[^"\\]|\\.)*)"/g))
      if (l[1]) labels[l[1]] = l[2] ?? '';
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

export async function scrape(port: number): Promise<Sample[]> {
  const r = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (r.status !== 200) throw new Error(`/metrics: HTTP ${r.status}`);
  return parseMetrics(await r.text());
}
