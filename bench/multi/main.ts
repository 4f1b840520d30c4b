/** `npm run test:multi`: three instances in one group, one killed with kill -9 mid-backlog (longer than CI's). */
import { runMultiInstance } from './run-multi.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const r = await runMultiInstance({
  events: arg('events', 20000),
  members: arg('members', 40000),
  instances: arg('instances', 3),
});
process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
const ok =
  r.killedAt > 0 &&
  r.killedAt < r.events &&
  r.inboxEvents === r.events &&
  r.codeChanges === r.autoMatches &&
  r.distinctMembersChanged === r.codeChanges &&
  r.wrongCodes === 0 &&
  r.inputPartitionsOutOfOrder === 0 &&
  r.outputKeysOutOfOrder === 0 &&
  r.unknownRecords === 0 &&
  r.keysMissingOutputs === 0 &&
  r.dlq === 0;
process.stdout.write(ok ? 'MULTI-INSTANCE TEST PASSED\n' : 'MULTI-INSTANCE TEST FAILED\n');
process.exit(ok ? 0 : 1);
