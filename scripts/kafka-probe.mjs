// Readiness probe for scripts/stack: a real Kafka metadata request through kafkajs.
import { Kafka, logLevel } from 'kafkajs';

const broker = process.argv[2] ?? '127.0.0.1:9092';
const kafka = new Kafka({
  clientId: 'vss-bridge-stack-probe',
  brokers: [broker],
  logLevel: logLevel.NOTHING,
  connectionTimeout: 2000,
  requestTimeout: 4000,
  retry: { retries: 0 },
});
const admin = kafka.admin();
try {
  await admin.connect();
  const cluster = await admin.describeCluster();
  if (cluster.brokers.length === 0) throw new Error('no brokers in metadata');
  await admin.disconnect();
  process.exit(0);
} catch (e) {
  console.error(`kafka probe ${broker}: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
