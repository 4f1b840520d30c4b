/**
 * asyncapi.yaml: valid AsyncAPI (parser with the Avro schema parser, no warnings), every topic of the
 * configuration and every dead-letter topic in it with the right role and schema, in step with schemas/, and one
 * example per topic that decodes into our schema and passes the content rules.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dlqTopic, INPUT_TOPICS, topicBindings } from '../../../connectors/registry/bindings.js';
import { invalidPaths } from '../../../connectors/registry/codec.js';
import { avroType } from '../../../connectors/registry/logical-types.js';
import { fromJson } from '../../../src/contracts/json.js';
import { loadSchemas, listSchemaFiles, SCHEMAS_DIR } from '../../../src/contracts/schemas.js';
import { validateRecord } from '../../../src/domain/validation.js';
import { DEFAULT_TOPICS, loadConfig } from '../../../src/runtime/config.js';
import {
  ASYNCAPI_FILE,
  channelMessage,
  parseContract,
  readContract,
  type RawContract,
} from '../../../scripts/asyncapi/contract.js';
import type { AsyncAPIDocumentInterface, Diagnostic } from '@asyncapi/parser';
import { renderHtml } from '../../../scripts/asyncapi/html.js';

const ROOT = resolve(ASYNCAPI_FILE, '..');
const raw: RawContract = readContract();
const bindings = topicBindings(loadConfig({}));
const schemas = loadSchemas();
let document: AsyncAPIDocumentInterface | undefined;
let diagnostics: Diagnostic[];

beforeAll(async () => {
  ({ document, diagnostics } = await parseContract());
}, 60_000);

const channels = () => Object.values(raw.channels);
const schemaOfRef = (ref: string) => /\.\/schemas\/(\w+)\.avsc$/.exec(ref)?.[1];

describe('asyncapi.yaml', () => {
  it('is valid AsyncAPI 3: the parser reports no error and no warning', () => {
    expect(diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code}: ${d.message}`)).toEqual([]);
    expect(document).toBeDefined();
    expect(document!.version()).toMatch(/^3\./);
  });

  it('has a channel for every topic of src/runtime/config.ts and every dead-letter topic, and no other', () => {
    const expected = [
      ...Object.values(DEFAULT_TOPICS),
      ...INPUT_TOPICS.map((k) => dlqTopic(DEFAULT_TOPICS[k])),
    ].sort();
    expect(
      channels()
        .map((c) => c.address)
        .sort(),
    ).toEqual(expected);
    expect(
      document!
        .channels()
        .all()
        .map((c) => c.address())
        .sort(),
    ).toEqual(expected);
  });

  it('binds each channel to the schema the adapter binds to its topic, by $ref to schemas/*.avsc', () => {
    for (const b of bindings) {
      const channel = channels().find((c) => c.address === b.topic)!;
      const message = channelMessage(raw, channel);
      expect(schemaOfRef(message.payload.schema.$ref), b.topic).toBe(b.schema);
      expect(message.payload.schemaFormat).toMatch(/^application\/vnd\.apache\.avro/);
      expect(existsSync(resolve(ROOT, message.payload.schema.$ref))).toBe(true);
    }
  });

  it('references every schema in schemas/, and the parsed payloads carry the .avsc fields', () => {
    const referenced = new Set(
      Object.values(raw.components.messages).map((m) => schemaOfRef(m.payload.schema.$ref)),
    );
    expect([...referenced].sort()).toEqual([...listSchemaFiles()].sort());
    for (const m of document!.components().messages().all()) {
      const name = m.id();
      const props = Object.keys(m.payload()?.properties() ?? {});
      expect(props, name).toEqual(schemas[name as keyof typeof schemas].fields.map((f) => f.name));
    }
  });

  it('the adapter receives the input topics and sends everything else, dead letters included', () => {
    const actionOf = new Map(
      Object.values(raw.operations).map((o) => [
        raw.channels[o.channel.$ref.split('/').pop()!]!.address,
        o.action,
      ]),
    );
    for (const b of bindings)
      expect(actionOf.get(b.topic), b.topic).toBe(b.role === 'input' ? 'receive' : 'send');
    for (const c of channels()) {
      expect(c['x-producers']?.length, c.address).toBeGreaterThan(0);
      expect(c['x-consumers']?.length, c.address).toBeGreaterThan(0);
    }
  });

  it('documents the key of every message and the message-id and traceparent headers', () => {
    for (const m of Object.values(raw.components.messages)) {
      expect(m.bindings.kafka.key.type).toBe('string');
      expect(m.bindings.kafka.key.description).not.toBe('');
    }
    const out = raw.components.schemas.OutputHeaders!;
    expect(out.required).toEqual(['message-id']);
    expect(Object.keys(out.properties).sort()).toEqual(['message-id', 'traceparent']);
    expect(Object.keys(raw.components.schemas.InputHeaders!.properties)).toContain('traceparent');
  });

  it('lists every dead-letter reason code the runtime can write', () => {
    // The permanent codes of src/domain/errors.ts, plus UNEXPECTED (src/runtime/processor.ts).
    const errors = readFileSync(resolve(ROOT, 'src/domain/errors.ts'), 'utf8');
    const union = /export type ErrorCode =([\s\S]*?);/.exec(errors)![1]!;
    const codes = [...union.matchAll(/'([A-Z0-9_]+)'/g)].map((m) => m[1]!).filter((c) => c !== 'TRANSIENT');
    expect(readFileSync(resolve(ROOT, 'src/runtime/processor.ts'), 'utf8')).toContain("'UNEXPECTED'");
    expect(Object.keys(raw.components.messages.DeadLetter!['x-reason-codes']!).sort()).toEqual(
      [...codes, 'UNEXPECTED'].sort(),
    );
  });
});

describe('schemas/examples', () => {
  const EXAMPLES = join(SCHEMAS_DIR, 'examples');

  it('holds exactly one example per channel, named after its topic, and each channel points at it', () => {
    expect(readdirSync(EXAMPLES).sort()).toEqual(
      channels()
        .map((c) => `${c.address}.json`)
        .sort(),
    );
    for (const c of channels()) expect(c['x-example']).toBe(`schemas/examples/${c.address}.json`);
  });

  it.each(bindings.map((b) => [b.topic, b.schema] as const))(
    '%s: decodes into %s, round-trips through Avro and passes the content rules',
    (topic, schema) => {
      const type = avroType(schemas[schema]);
      const record = fromJson(type, JSON.parse(readFileSync(join(EXAMPLES, `${topic}.json`), 'utf8')));
      expect(invalidPaths(type, record)).toEqual([]);
      expect(validateRecord(schema, record)).toEqual([]);
      expect(type.fromBuffer(type.toBuffer(record))).toEqual(record);
      if (schema === 'DeadLetter')
        expect((record as { sourceTopic: string }).sourceTopic + '.dlq').toBe(topic);
    },
  );
});

describe('npm run docs:asyncapi (scripts/asyncapi/html.ts)', () => {
  it('renders a section per channel with its fields, headers and reason codes, text escaped', () => {
    const html = renderHtml(raw);
    expect(html.match(/<section /g)).toHaveLength(channels().length);
    for (const c of channels()) expect(html).toContain(`<code>${c.address}</code>`);
    expect(html).toContain('<code>person.idNumber</code>');
    expect(html).toContain('<code>message-id</code>');
    expect(html).toContain('<code>VALIDATION_FAILED</code>');
    expect(html).not.toMatch(/<script/i);
    expect(renderHtml({ ...raw, info: { ...raw.info, title: '<b>x</b>' } })).toContain('&#60;b&#62;x');
  });
});
