/**
 * Schema evolution of a subject we own (BACKWARD_TRANSITIVE), against the real registry, on unique subjects: a compatible change
 * (an optional field with default null) passes `check` and old messages still decode; an incompatible one
 * (a required field without default) is reported, and `schemas check` exits non-zero.
 *
 * Note: removing a required field is BACKWARD-compatible (the new reader ignores the old writer's field), and
 * the registry (AxonOps, like Confluent) accepts it; adding a required field without default is what BACKWARD
 * forbids, so that is the incompatible change tested here.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { topicBindings, type TopicBinding } from '../../../connectors/registry/bindings.js';
import { AvroCodec, checkAll, registerAll } from '../../../connectors/registry/codec.js';
import { registerAsUpstream } from '../../../connectors/registry/compatibility.js';
import { avroType } from '../../../connectors/registry/logical-types.js';
import { toWire } from '../../../connectors/registry/wire.js';
import { loadSchemas, type AvroRecordSchema } from '../../../src/contracts/schemas.js';
import { loadConfig } from '../../../src/runtime/config.js';
import { FIXTURES } from '../../support/contract-fixtures.js';
import { STACK, uniqueName } from '../../support/stack.js';

const ROOT = new URL('../../../', import.meta.url).pathname;

async function registerRaw(subject: string, schema: AvroRecordSchema): Promise<number> {
  const res = await fetch(`${STACK.registryUrl}/subjects/${encodeURIComponent(subject)}/versions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ schema: JSON.stringify(schema) }),
  });
  const body = (await res.json()) as { id: number };
  expect(res.status).toBe(200);
  return body.id;
}

function withRequiredField(s: AvroRecordSchema): AvroRecordSchema {
  const out = structuredClone(s);
  out.fields.push({ name: 'priority', type: 'int', doc: 'A new required field without default.' });
  return out;
}

/** Runs `schemas check` in a child process (real exit code), with its own topic prefix. */
function runSchemasCheck(
  env: Record<string, string>,
  args: string[] = [],
): { status: number | null; out: string } {
  const script = [
    "import { Command } from 'commander';",
    "import { register } from './src/cli/commands/schemas.ts';",
    "const program = new Command('vss-bridge');",
    'register(program);',
    "await program.parseAsync(['schemas', 'check', ...process.argv.slice(1)], { from: 'user' });",
  ].join('\n');
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script, '--', ...args],
    {
      cwd: ROOT,
      env: { ...process.env, SCHEMA_REGISTRY_URL: STACK.registryUrl, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('schema evolution of our subjects (BACKWARD_TRANSITIVE)', () => {
  const current = loadSchemas().ReviewCase;

  it('compatible: the current schema adds an optional field to a registered baseline; old messages decode', async () => {
    const topic = uniqueName('evo-ok');
    const bindings: TopicBinding[] = [{ topic, schema: 'ReviewCase' }];
    const baseline = structuredClone(current);
    baseline.fields = baseline.fields.filter((f) => f.name !== 'note');
    const oldId = await registerRaw(`${topic}-value`, baseline);
    const { note: _note, ...oldRecord } = FIXTURES.ReviewCase();
    const oldMessage = toWire(oldId, avroType(baseline).toBuffer(oldRecord));

    const [check] = await checkAll(STACK.registryUrl, bindings);
    expect(check).toMatchObject({ subject: `${topic}-value`, compatible: true });
    // The raw baseline has no level of its own (the registry's global BACKWARD): a note, not a failure.
    expect(check!.messages).toEqual([expect.stringMatching(/^note: compatibility is BACKWARD;/)]);

    const [registered] = await registerAll(STACK.registryUrl, bindings);
    expect(registered!.id).not.toBe(oldId);

    const codec = new AvroCodec({ registryUrl: STACK.registryUrl, bindings });
    await codec.init();
    expect(await codec.decode(topic, oldMessage)).toEqual({ ...oldRecord, note: null });
    const fresh = FIXTURES.ReviewCase();
    expect(await codec.decode(topic, await codec.encode(topic, fresh))).toEqual(fresh);
  });

  it('incompatible: a required field without default is reported with the registry messages', async () => {
    const topic = uniqueName('evo-bad');
    const bindings: TopicBinding[] = [{ topic, schema: 'ReviewCase' }];
    await registerAll(STACK.registryUrl, bindings);
    const [check] = await checkAll(STACK.registryUrl, bindings, { ReviewCase: withRequiredField(current) });
    expect(check!.compatible).toBe(false);
    expect(check!.messages.join('\n')).toMatch(/priority/);
    await expect(new AvroCodec({ registryUrl: STACK.registryUrl, bindings }).init()).resolves.toBeUndefined(); // the working tree itself is still compatible
  });

  it('a subject with nothing registered is compatible', async () => {
    const [check] = await checkAll(STACK.registryUrl, [
      { topic: uniqueName('evo-none'), schema: 'DeadLetter' },
    ]);
    expect(check!.compatible).toBe(true);
  });

  it('removing a required field is accepted under BACKWARD (what the registry actually flags)', async () => {
    const topic = uniqueName('evo-rm');
    const bindings: TopicBinding[] = [{ topic, schema: 'ReviewCase' }];
    await registerAll(STACK.registryUrl, bindings);
    const removed = structuredClone(current);
    removed.fields = removed.fields.filter((f) => f.name !== 'subjectId');
    const [check] = await checkAll(STACK.registryUrl, bindings, { ReviewCase: removed });
    expect(check!.compatible).toBe(true);
  });
});

describe('vss-bridge schemas register | check', () => {
  it('check passes against the registered baseline, and exits 1 printing the incompatibility otherwise', async () => {
    const prefix = `${uniqueName('cli')}.`;
    const bindings = topicBindings(loadConfig({ ...process.env, TOPIC_PREFIX: prefix }));
    await registerAsUpstream(STACK.registryUrl, bindings);
    await registerAll(STACK.registryUrl, bindings);

    const ok = runSchemasCheck({ TOPIC_PREFIX: prefix });
    expect(ok.out).toContain(`compatible   ${prefix}vssid.code-lookup.failed-value`);
    expect(ok.status).toBe(0);

    const dir = mkdtempSync(join(tmpdir(), 'vss-schemas-'));
    for (const [name, schema] of Object.entries(loadSchemas())) {
      writeFileSync(
        join(dir, `${name}.avsc`),
        JSON.stringify(name === 'CodeMapping' ? withRequiredField(schema) : schema),
      );
    }
    const bad = runSchemasCheck({ TOPIC_PREFIX: prefix }, ['--schemas-dir', dir]);
    expect(bad.status).toBe(1);
    expect(bad.out).toContain(`INCOMPATIBLE ${prefix}defence.code-mapping.decided-value`);
    expect(bad.out).toContain(`INCOMPATIBLE ${prefix}vssid.code-mapping.decided-value`);
    expect(bad.out).toMatch(/priority/);
    expect(bad.out).toContain('2 of 10 subjects are incompatible');
  });
});
