/**
 * Who owns which subject, against the real registry: input subjects belong to the upstream producer and are
 * FORWARD_TRANSITIVE (the registry refuses a change our deployed reader could not read), output subjects are
 * ours and BACKWARD_TRANSITIVE; `schemas register` and the adapter's start leave input subjects alone;
 * `schemas check` reads upstream's latest schema with our reader and names the field that breaks.
 */
import { describe, expect, it } from 'vitest';
import { topicBindings, valueSubject } from '../../../connectors/registry/bindings.js';
import { AvroCodec, checkAll, registerAll } from '../../../connectors/registry/codec.js';
import { registerAsUpstream } from '../../../connectors/registry/compatibility.js';
import { RegistryClient } from '../../../connectors/registry/registry-client.js';
import { PermanentError } from '../../../src/domain/errors.js';
import { loadSchemas, type AvroRecordSchema } from '../../../src/contracts/schemas.js';
import { loadConfig } from '../../../src/runtime/config.js';
import { STACK, uniqueName } from '../../support/stack.js';

const client = new RegistryClient({ registryUrl: STACK.registryUrl });
const lookup = loadSchemas().CodeLookupFailed;

function without(s: AvroRecordSchema, field: string): AvroRecordSchema {
  const out = structuredClone(s);
  out.fields = out.fields.filter((f) => f.name !== field);
  return out;
}

function withDefault(s: AvroRecordSchema, field: string, value: unknown): AvroRecordSchema {
  const out = structuredClone(s);
  out.fields = out.fields.map((f) => (f.name === field ? { ...f, default: value } : f));
  return out;
}

async function subjects(): Promise<string[]> {
  return (await (await fetch(`${STACK.registryUrl}/subjects`)).json()) as string[];
}

async function versions(subject: string): Promise<number[]> {
  return (await (
    await fetch(`${STACK.registryUrl}/subjects/${encodeURIComponent(subject)}/versions`)
  ).json()) as number[];
}

function bindingsFor(prefix: string) {
  return topicBindings(loadConfig({ ...process.env, TOPIC_PREFIX: prefix }));
}

describe('input subjects: FORWARD_TRANSITIVE, owned upstream', () => {
  it('the registry refuses an upstream change our reader cannot read (a required field removed)', async () => {
    const prefix = `${uniqueName('own-fwd')}.`;
    const [reg] = await registerAsUpstream(
      STACK.registryUrl,
      bindingsFor(prefix).filter((b) => b.schema === 'CodeLookupFailed'),
    );
    expect(await client.subjectCompatibility(reg!.subject)).toBe('FORWARD_TRANSITIVE');
    const err = await client
      .registerVersion(reg!.subject, without(lookup, 'bqpCode'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as PermanentError).code).toBe('SCHEMA_MISMATCH');
    expect(await versions(reg!.subject)).toHaveLength(1);
  });

  it('the same change is accepted under the old BACKWARD level (why the level had to change)', async () => {
    const subject = valueSubject(uniqueName('own-bwd'));
    await client.setCompatibility(subject, 'BACKWARD');
    await client.registerVersion(subject, lookup);
    await expect(client.registerVersion(subject, without(lookup, 'bqpCode'))).resolves.toBeTypeOf('number');
  });

  it('is transitive: a change compatible with the latest version but not with an older one is refused', async () => {
    const subject = valueSubject(uniqueName('own-trans'));
    await client.setCompatibility(subject, 'FORWARD_TRANSITIVE');
    await client.registerVersion(subject, lookup); // v1: readers need bqpCode
    await client.registerVersion(subject, withDefault(lookup, 'bqpCode', '')); // v2: readers default it
    // v3 drops it: v2's readers cope, v1's (our deployed reader) cannot.
    await expect(client.registerVersion(subject, without(lookup, 'bqpCode'))).rejects.toThrow(/refused/);

    const lax = valueSubject(uniqueName('own-nontrans'));
    await client.setCompatibility(lax, 'FORWARD');
    await client.registerVersion(lax, lookup);
    await client.registerVersion(lax, withDefault(lookup, 'bqpCode', ''));
    await expect(client.registerVersion(lax, without(lookup, 'bqpCode'))).resolves.toBeTypeOf('number');
  });

  it('schemas check reads upstream latest with our reader and names the field that breaks', async () => {
    const prefix = `${uniqueName('own-chk')}.`;
    const bindings = bindingsFor(prefix);
    await registerAsUpstream(STACK.registryUrl, bindings);
    const subject = valueSubject(bindings.find((b) => b.schema === 'CodeLookupFailed')!.topic);
    // An upstream that lowered its level and then published a breaking version.
    await client.setCompatibility(subject, 'NONE');
    const broken = without(lookup, 'bqpCode');
    const person = broken.fields.find((f) => f.name === 'person')!.type as AvroRecordSchema;
    person.fields = person.fields.map((f) => (f.name === 'fullName' ? { ...f, type: 'int' } : f));
    await client.registerVersion(subject, broken);

    const results = await checkAll(STACK.registryUrl, bindings);
    const r = results.find((x) => x.subject === subject)!;
    expect(r.compatible).toBe(false);
    expect(r.role).toBe('input');
    const text = r.messages.join('\n');
    expect(text).toMatch(/compatibility is NONE/);
    expect(text).toMatch(/version 2: bqpCode: removed from the writer's schema/);
    expect(text).toMatch(/version 2: person\.fullName: the writer's int cannot be read as our string/);
    expect(results.filter((x) => x.subject !== subject).every((x) => x.compatible)).toBe(true);
  });
});

describe('output subjects: ours, BACKWARD_TRANSITIVE; input subjects left alone', () => {
  it('schemas register registers only the subjects we write', async () => {
    const prefix = `${uniqueName('own-reg')}.`;
    const bindings = bindingsFor(prefix);
    const registered = await registerAll(STACK.registryUrl, bindings);
    expect(registered.map((r) => r.subject).sort()).toEqual(
      bindings
        .filter((b) => b.role !== 'input')
        .map((b) => valueSubject(b.topic))
        .sort(),
    );
    const all = (await subjects()).filter((s) => s.startsWith(prefix));
    for (const b of bindings.filter((x) => x.role === 'input'))
      expect(all).not.toContain(valueSubject(b.topic));
    for (const r of registered)
      expect(await client.subjectCompatibility(r.subject)).toBe('BACKWARD_TRANSITIVE');
  });

  it('with upstream registered, schemas register and the adapter start add no version and change no level on input subjects', async () => {
    const prefix = `${uniqueName('own-alone')}.`;
    const bindings = bindingsFor(prefix);
    const upstream = await registerAsUpstream(STACK.registryUrl, bindings);
    await registerAll(STACK.registryUrl, bindings);
    await new AvroCodec({ registryUrl: STACK.registryUrl, bindings }).init();
    for (const u of upstream) {
      expect(await versions(u.subject)).toEqual([1]);
      expect(await client.subjectCompatibility(u.subject)).toBe('FORWARD_TRANSITIVE');
    }
  });

  it('the adapter start (codec init) does not register input subjects; encoding to one that upstream never registered is refused', async () => {
    const prefix = `${uniqueName('own-init')}.`;
    const bindings = bindingsFor(prefix);
    const codec = new AvroCodec({ registryUrl: STACK.registryUrl, bindings });
    await codec.init();
    const all = (await subjects()).filter((s) => s.startsWith(prefix));
    expect(all).toHaveLength(bindings.filter((b) => b.role !== 'input').length);
    const input = bindings.find((b) => b.role === 'input')!;
    await expect(codec.encode(input.topic, {})).rejects.toThrow(/belongs to its producer/);
  });
});
