import { describe, expect, it } from 'vitest';
import { runCrashScenario } from '../../bench/crash/run-crash.js';

// The short CI version of `npm run test:crash` (which runs 20,000 events and 12 kills). A run handles a batch or
// more before its kill, so the backlog is large enough for every kill and both restarts to land mid-work.
describe('exactly once under kill -9 and service restarts (short version)', () => {
  it('every event has one outcome, code changes equal auto-matches, mappings reach both topics', async () => {
    const r = await runCrashScenario({
      events: Number(process.env.CRASH_EVENTS ?? 8000),
      members: 16000,
      kills: Number(process.env.CRASH_KILLS ?? 4),
      restartPostgres: true,
      restartKafka: true,
      seed: 7,
      log: () => undefined,
    });
    expect(r.kills).toBe(Number(process.env.CRASH_KILLS ?? 4));
    expect(r.restarts.map((x) => x.split(' ')[0])).toEqual(['restart-postgres', 'restart-kafka']);
    expect(r.inboxEvents).toBe(r.events);
    expect(r.autoMatches).toBeGreaterThan(0);
    expect(r.codeChanges).toBe(r.autoMatches);
    expect(r.distinctMembersChanged).toBe(r.codeChanges);
    expect(r.defenceMappings.distinctIds).toBe(r.autoMatches);
    expect(r.defenceMappings.distinctRequests).toBe(r.autoMatches);
    expect(r.vssidMappings.mapped).toBe(r.autoMatches);
    expect(r.vssidMappings.noMatch).toBe(r.outcomes.no_match ?? 0);
    expect(r.conflictingIds).toBe(0);
    expect(r.hgdCodesMatchMappings).toBe(true);
    expect(r.dlq).toBe(0);
  });
});
