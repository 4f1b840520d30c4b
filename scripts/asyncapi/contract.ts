/**
 * (Docs and tests only: the parser and yaml are devDependencies.) The AsyncAPI document (`asyncapi.yaml` at the repository root): parsed with the AsyncAPI parser (Avro payloads
 * through its Avro schema parser, `$ref`s to schemas/*.avsc resolved from the file), and read as plain YAML for
 * the parts the parser's model does not expose (the `$ref` targets, our `x-` extensions).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AvroSchemaParser } from '@asyncapi/avro-schema-parser';
import { fromFile, Parser, type AsyncAPIDocumentInterface, type Diagnostic } from '@asyncapi/parser';
import { parse as parseYaml } from 'yaml';

export const ASYNCAPI_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '../../asyncapi.yaml');

export async function parseContract(
  file: string = ASYNCAPI_FILE,
): Promise<{ document: AsyncAPIDocumentInterface | undefined; diagnostics: Diagnostic[] }> {
  const parser = new Parser({ schemaParsers: [AvroSchemaParser()] });
  return fromFile(parser, file).parse();
}

export interface RawChannel {
  address: string;
  description?: string;
  tags?: { name: string }[];
  'x-producers'?: string[];
  'x-consumers'?: string[];
  'x-example'?: string;
  messages: Record<string, { $ref: string }>;
}

export interface RawMessage {
  name: string;
  summary?: string;
  description?: string;
  headers: { $ref: string };
  payload: { schemaFormat: string; schema: { $ref: string } };
  bindings: { kafka: { key: { type: string; description: string } } };
  'x-reason-codes'?: Record<string, string>;
}

export interface RawContract {
  info: { title: string; version: string; description: string };
  channels: Record<string, RawChannel>;
  operations: Record<string, { action: 'send' | 'receive'; channel: { $ref: string } }>;
  components: {
    messages: Record<string, RawMessage>;
    schemas: Record<
      string,
      { description?: string; required?: string[]; properties: Record<string, { description?: string }> }
    >;
  };
}

export function readContract(file: string = ASYNCAPI_FILE): RawContract {
  return parseYaml(readFileSync(file, 'utf8')) as RawContract;
}

/** The message of a channel (each of ours carries exactly one), resolved from components. */
export function channelMessage(c: RawContract, channel: RawChannel): RawMessage {
  const ref = Object.values(channel.messages)[0]!.$ref;
  const name = ref.split('/').pop()!;
  const m = c.components.messages[name];
  if (!m) throw new Error(`asyncapi.yaml: ${ref} not found`);
  return m;
}
