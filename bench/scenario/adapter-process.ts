/**
 * `vss-bridge run` as a child process, for the harnesses that kill and restart adapters (recovery, several
 * instances): its output goes to one log file, each line block prefixed with the instance's name, and its
 * error-level log lines are counted for the run's verdict.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Writable } from 'node:stream';

const ROOT = new URL('../..', import.meta.url).pathname;

export function spawnAdapter(
  name: string,
  env: NodeJS.ProcessEnv,
  log: Writable,
  onErrorLines: (count: number) => void,
): ChildProcess {
  const child = spawn(process.execPath, [join(ROOT, 'bin/vss-bridge.mjs'), 'run'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => {
    const text = d.toString();
    onErrorLines(text.split('\n').filter((l) => l.includes('"level":50')).length);
    log.write(`[${name}] ${text}`);
  });
  child.stderr?.on('data', (d: Buffer) => log.write(`[${name}] ${d.toString()}`));
  return child;
}
