/**
 * `npm run test:crash`: the full crash test (20,000 events, 12 kill -9, PostgreSQL and Kafka restarts). With
 * micro-batches one run handles a thousand events or more before its kill: the backlog is large enough that every kill
 * and both restarts land while the adapter works, and the test fails if one did not.
 */
import { runCrashScenario } from './run-crash.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};

const report = await runCrashScenario({
  events: arg('events', 20000),
  members: arg('members', 40000),
  kills: arg('kills', 12),
  restartPostgres: !process.argv.includes('--no-restarts'),
  restartKafka: !process.argv.includes('--no-restarts'),
  seed: arg('seed', 20261125),
});
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
const kills = arg('kills', 12);
const restarts = process.argv.includes('--no-restarts') ? 0 : 2;
const ok =
  report.kills === kills &&
  report.restarts.length === restarts &&
  report.inboxEvents === report.events &&
  report.codeChanges === report.autoMatches &&
  report.distinctMembersChanged === report.codeChanges &&
  report.defenceMappings.distinctIds === report.autoMatches &&
  report.vssidMappings.mapped === report.autoMatches &&
  report.vssidMappings.noMatch === (report.outcomes.no_match ?? 0) &&
  report.conflictingIds === 0 &&
  report.hgdCodesMatchMappings &&
  report.dlq === 0;
process.stdout.write(ok ? 'CRASH TEST PASSED\n' : 'CRASH TEST FAILED\n');
process.exit(ok ? 0 : 1);
