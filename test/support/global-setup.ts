import { get } from 'node:http';
import { createDb } from '../../connectors/db/knex.js';
import type { Admin } from 'kafkajs';
import { testKafka } from './kafka.js';
import { STACK } from './stack.js';

/** Integration tests need the real stack: fail at once, clearly, when it is not up. */
export default async function setup(): Promise<void> {
  const problems: string[] = [];
  const db = createDb(STACK.databaseUrl, { poolMax: 1 });
  await db
    .raw('select 1')
    .catch((e: Error) => problems.push(`PostgreSQL at ${STACK.databaseUrl}: ${e.message}`));
  await db.destroy();
  const admin = testKafka('vss-bridge-test-setup').admin();
  await admin
    .connect()
    .then(() => admin.describeCluster())
    .then(() => deleteStaleTestTopics(admin))
    .catch((e: Error) => problems.push(`Kafka at ${STACK.kafkaBrokers.join(',')}: ${e.message}`));
  await admin.disconnect();
  // node:http without keep-alive: a pooled fetch connection would keep vitest's main process alive at the end.
  await new Promise<void>((resolve) => {
    const req = get(`${STACK.registryUrl}/subjects`, { agent: false }, (res) => {
      res.resume();
      if (res.statusCode !== 200)
        problems.push(`schema registry at ${STACK.registryUrl}: HTTP ${res.statusCode}`);
      resolve();
    });
    req.on('error', (e) => {
      problems.push(`schema registry at ${STACK.registryUrl}: ${e.message}`);
      resolve();
    });
  });
  if (problems.length > 0) {
    throw new Error(`the local stack is not reachable (run: npm run stack:up):\n  ${problems.join('\n  ')}`);
  }
}

/**
 * Every test uses its own topics (`t-<base36 time>-…`, see uniqueName). Topics of runs that ended long ago are
 * deleted here, so the broker does not grow by a few hundred partitions each run; recent ones (another run may
 * still be using them) are kept.
 */
async function deleteStaleTestTopics(admin: Admin, olderThanMs = 60 * 60_000): Promise<void> {
  const cutoff = Date.now() - olderThanMs;
  const stale = (await admin.listTopics()).filter((t) => {
    const m = /^t-([0-9a-z]{8,9})-/.exec(t);
    return m !== null && parseInt(m[1]!, 36) < cutoff;
  });
  for (let i = 0; i < stale.length; i += 100) {
    await admin.deleteTopics({ topics: stale.slice(i, i + 100), timeout: 30_000 });
  }
}
