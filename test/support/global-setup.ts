import { createDb } from '../../connectors/db/knex.js';
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
    .catch((e: Error) => problems.push(`Kafka at ${STACK.kafkaBrokers.join(',')}: ${e.message}`));
  await admin.disconnect();
  await fetch(`${STACK.registryUrl}/subjects`)
    .then((r) => {
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
    })
    .catch((e: Error) => problems.push(`schema registry at ${STACK.registryUrl}: ${e.message}`));
  if (problems.length > 0) {
    throw new Error(`the local stack is not reachable (run: npm run stack:up):\n  ${problems.join('\n  ')}`);
  }
}
