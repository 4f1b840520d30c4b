import { describe, expect, it } from 'vitest';
import { runMultiInstance } from '../../bench/multi/run-multi.js';

// Three `vss-bridge run` processes in one group over 6-partition topics; one is killed with kill -9 mid-backlog and
// started again (bench/multi/run-multi.ts; `npm run test:multi` runs a longer version).
describe('several instances in one group keep every guarantee through a kill -9', () => {
  it('one outcome per event, no code changed twice, every output in order and published', async () => {
    const r = await runMultiInstance({
      events: Number(process.env.MULTI_EVENTS ?? 6000),
      members: Number(process.env.MULTI_MEMBERS ?? 12000),
      instances: 3,
      log: () => undefined,
    });
    process.stderr.write(`multi-instance: ${JSON.stringify(r)}\n`);
    expect(r.killedAt).toBeGreaterThan(0);
    expect(r.killedAt).toBeLessThan(r.events);
    expect(r.inboxEvents).toBe(r.events);
    expect(r.autoMatches).toBeGreaterThan(0);
    expect(r.codeChanges).toBe(r.autoMatches);
    expect(r.distinctMembersChanged).toBe(r.codeChanges);
    expect(r.wrongCodes).toBe(0);
    expect(r.inputPartitionsOutOfOrder).toBe(0);
    expect(r.outputKeysOutOfOrder).toBe(0);
    expect(r.unknownRecords).toBe(0);
    expect(r.keysMissingOutputs).toBe(0);
    expect(r.dlq).toBe(0);
    expect(r.errorLogLines).toBe(0);
  });
});
