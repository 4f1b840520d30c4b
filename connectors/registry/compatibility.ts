/**
 * Who owns which subject, and the checks that follow from it.
 *
 * - Input subjects (`<input topic>-value`) belong to the upstream producer (VssID). We read them with OUR reader
 *   schema, so every version upstream registers must stay readable by the reader we deployed earlier: the
 *   subject must be FORWARD_TRANSITIVE (or FULL_TRANSITIVE). We never register on them; `checkInputs` fetches
 *   upstream's latest schema and tells, field by field, whether our reader can read it.
 * - Output subjects (our decisions, code mappings, review cases, dead letters) are ours: consumers downstream
 *   read them with readers older than our writer, so they are BACKWARD_TRANSITIVE (or FULL_TRANSITIVE).
 */
import type avro from 'avsc';
import type { SchemaName } from '../../src/contracts/generated.js';
import { loadSchemas, type AvroRecordSchema } from '../../src/contracts/schemas.js';
import {
  INPUT_COMPATIBILITY,
  INPUT_LEVEL,
  isInput,
  OUTPUT_COMPATIBILITY,
  OUTPUT_LEVEL,
  valueSubject,
  type TopicBinding,
} from './bindings.js';
import { avroType } from './logical-types.js';
import { RegistryClient, type RegistryClientOptions } from './registry-client.js';

/** Basic auth, TLS and timeout towards the registry (connections.ts builds them from the config). */
type RegistryOptions = Omit<RegistryClientOptions, 'registryUrl'>;

export interface SubjectCheck {
  subject: string;
  role: 'input' | 'output';
  compatible: boolean;
  /** The compatibility level that applies to the subject (null: nothing registered yet). */
  level: string | null;
  messages: string[];
}

/** Describes an avsc type for a message: its name or kind, never a value. */
function describe(t: avro.Type): string {
  const name = t.name ?? t.typeName;
  return name.replace(/^vn\.gov\.baohiemxahoi\.bridge\./, '');
}

/**
 * Why `reader` cannot read data written with `writer`, one line per field that breaks (empty when it can).
 * Walks records field by field so the message names the field (`person.nationalId: …`), and lets avsc decide
 * each field's type resolution (promotions, unions, enums, logical types).
 */
export function readerProblems(reader: avro.Type, writer: avro.Type, path = ''): string[] {
  const rFields = (reader as avro.types.RecordType).fields;
  const wFields = (writer as avro.types.RecordType).fields;
  if (reader.typeName === 'record' && writer.typeName === 'record' && rFields && wFields) {
    const problems: string[] = [];
    const byName = new Map(wFields.map((f) => [f.name, f]));
    for (const rf of rFields) {
      const at = path ? `${path}.${rf.name}` : rf.name;
      const wf = byName.get(rf.name) ?? rf.aliases.map((a) => byName.get(a)).find((f) => f !== undefined);
      if (!wf) {
        if (rf.defaultValue() === undefined) {
          problems.push(`${at}: removed from the writer's schema, and our reader has no default for it`);
        }
        continue;
      }
      problems.push(...readerProblems(rf.type, wf.type, at));
    }
    return problems;
  }
  try {
    reader.createResolver(writer);
    return [];
  } catch {
    return [
      `${path || '(record)'}: the writer's ${describe(writer)} cannot be read as our ${describe(reader)}`,
    ];
  }
}

const ourSchemas = (): Record<SchemaName, AvroRecordSchema> => loadSchemas();

/**
 * Input subjects: is the level FORWARD_TRANSITIVE/FULL_TRANSITIVE, and can our reader read upstream's latest?
 * A subject with nothing registered yet is reported compatible with a note (upstream has not published).
 */
export async function checkInput(
  client: RegistryClient,
  b: TopicBinding,
  reader: AvroRecordSchema,
): Promise<SubjectCheck> {
  const subject = valueSubject(b.topic);
  const latest = await client.latest(subject);
  if (latest === null) {
    return {
      subject,
      role: 'input',
      compatible: true,
      level: null,
      messages: ['nothing registered yet by the producer (upstream)'],
    };
  }
  const level = await client.effectiveCompatibility(subject);
  const messages: string[] = [];
  if (!(INPUT_COMPATIBILITY as readonly string[]).includes(level)) {
    messages.push(
      `compatibility is ${level}; a subject we read must be ${INPUT_COMPATIBILITY.join(' or ')} (ask its owner)`,
    );
  }
  let writer: avro.Type;
  try {
    writer = avroType(latest.schema as AvroRecordSchema);
  } catch (e) {
    messages.push(`version ${latest.version} is not an Avro schema we can parse: ${(e as Error).message}`);
    return { subject, role: 'input', compatible: false, level, messages };
  }
  for (const p of readerProblems(avroType(reader), writer)) messages.push(`version ${latest.version}: ${p}`);
  return { subject, role: 'input', compatible: messages.length === 0, level, messages };
}

/** Output subjects: the level, then the registry's own check of our working-tree schema against it. */
export async function checkOutput(
  client: RegistryClient,
  b: TopicBinding,
  schema: AvroRecordSchema,
): Promise<SubjectCheck> {
  const subject = valueSubject(b.topic);
  const latest = await client.latest(subject);
  const level = latest === null ? null : await client.effectiveCompatibility(subject);
  const messages: string[] = [];
  const registry = await client.checkCompatibility(subject, schema);
  if (!registry.compatible) {
    messages.push(...(registry.messages.length > 0 ? registry.messages : ['(the registry gave no details)']));
  }
  const compatible = messages.length === 0;
  // The level of our own subjects is ours to set: a note (schemas register fixes it), not a failure.
  if (level !== null && !(OUTPUT_COMPATIBILITY as readonly string[]).includes(level)) {
    messages.push(
      `note: compatibility is ${level}; a subject we write should be ${OUTPUT_COMPATIBILITY.join(' or ')} (vss-bridge schemas register sets ${OUTPUT_LEVEL})`,
    );
  }
  return { subject, role: 'output', compatible, level, messages };
}

/** `schemas check`: every binding by its role; `schemas` overrides the working tree's .avsc files. */
export async function checkBindings(
  registryUrl: string,
  bindings: TopicBinding[],
  schemas: Partial<Record<SchemaName, AvroRecordSchema>> = {},
  registry: RegistryOptions = {},
): Promise<SubjectCheck[]> {
  const client = new RegistryClient({ registryUrl, ...registry });
  const ours = ourSchemas();
  const out: SubjectCheck[] = [];
  for (const b of bindings) {
    const schema = schemas[b.schema] ?? ours[b.schema];
    out.push(isInput(b) ? await checkInput(client, b, schema) : await checkOutput(client, b, schema));
  }
  return out;
}

/**
 * Registers `schema` on a subject we own: sets the level first when `setLevel` is 'always' (the owner's
 * `schemas register`) or when the subject has no level of its own ('if-unset', the adapter at start).
 */
export async function registerOwned(
  client: RegistryClient,
  subject: string,
  schema: AvroRecordSchema,
  setLevel: 'always' | 'if-unset',
): Promise<number> {
  if (setLevel === 'always' || (await client.subjectCompatibility(subject)) === null) {
    await client.setCompatibility(subject, OUTPUT_LEVEL);
  }
  return client.registerVersion(subject, schema);
}

/** `schemas register`: our output subjects only, each set to BACKWARD_TRANSITIVE. Input subjects are left alone. */
export async function registerOutputs(
  registryUrl: string,
  bindings: TopicBinding[],
  registry: RegistryOptions = {},
): Promise<{ subject: string; id: number }[]> {
  const client = new RegistryClient({ registryUrl, ...registry });
  const ours = ourSchemas();
  const out: { subject: string; id: number }[] = [];
  for (const b of bindings.filter((x) => !isInput(x))) {
    const subject = valueSubject(b.topic);
    out.push({ subject, id: await registerOwned(client, subject, ours[b.schema], 'always') });
  }
  return out;
}

/**
 * What the upstream producer does before it first publishes: set its subject to FORWARD_TRANSITIVE and register
 * its writer schema. Used by the local stack (`scripts/register-upstream`), the demo, the benchmarks and the
 * tests to stand in for VssID; the adapter itself never calls it. `schemas` overrides the writer schemas.
 */
export async function registerAsUpstream(
  registryUrl: string,
  bindings: TopicBinding[],
  schemas: Partial<Record<SchemaName, AvroRecordSchema>> = {},
  registry: RegistryOptions = {},
): Promise<{ subject: string; id: number }[]> {
  const client = new RegistryClient({ registryUrl, ...registry });
  const ours = ourSchemas();
  const out: { subject: string; id: number }[] = [];
  for (const b of bindings.filter(isInput)) {
    const subject = valueSubject(b.topic);
    await client.setCompatibility(subject, INPUT_LEVEL);
    out.push({ subject, id: await client.registerVersion(subject, schemas[b.schema] ?? ours[b.schema]) });
  }
  return out;
}
