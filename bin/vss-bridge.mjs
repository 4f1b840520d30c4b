#!/usr/bin/env node
// The `vss-bridge` command. Runs the TypeScript sources through tsx, so there is no build step to forget.
// The project runs on Node 24 LTS. When started by an older Node (`node bin/vss-bridge.mjs` on a machine with
// Node 20), it re-runs itself with the Node 24 that `npm ci` puts in node_modules (the `node` devDependency).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const REQUIRED_MAJOR = 24;
const major = Number(process.versions.node.split('.')[0]);

if (major < REQUIRED_MAJOR) {
  const local = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  if (!existsSync(local)) {
    process.stderr.write(
      `vss-bridge: Node ${REQUIRED_MAJOR} or later is required (this is ${process.version}); run npm ci, which installs it under node_modules\n`,
    );
    process.exit(2);
  }
  const child = spawn(
    local,
    [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: 'inherit',
    },
  );
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => {
    process.exit(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1));
  });
} else {
  // kafkajs 2.2.4 (RequestQueue.scheduleCheckPendingRequests) calls setTimeout with a negative delay when it is
  // not throttled. Node 24 then warns (TimeoutNegativeWarning) and waits 1 ms, which is what Node 20 did
  // silently; the warning is noise on stderr, so only that one is dropped. Other warnings print as before.
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    if (w.name === 'TimeoutNegativeWarning') return;
    process.stderr.write(`(node:${process.pid}) ${w.name}: ${w.message}\n`);
  });
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
