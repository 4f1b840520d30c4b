import { Readable } from 'node:stream';
import type { Knex } from 'knex';
import { importMembers } from '../../connectors/hgd/import.js';
import { refreshNameFrequencies } from '../../connectors/hgd/import.js';
import { topicBindings } from '../../connectors/registry/bindings.js';
import { AvroCodec } from '../../connectors/registry/codec.js';
import { registerAsUpstream } from '../../connectors/registry/compatibility.js';
import { loadConfig, type Config } from '../../src/runtime/config.js';
import { codecOptions, registryOptions } from '../../src/runtime/connections.js';
import { createLogger } from '../../src/runtime/logger.js';
import { STACK, uniqueName, withCredentials } from './stack.js';
import type { Writable } from 'node:stream';

/** A config for one test: its own topics (unique prefix), consumer group and database. */
export function testConfig(databaseUrl: string, extra: NodeJS.ProcessEnv = {}): Config {
  const prefix = `${uniqueName('t')}.`;
  return loadConfig({
    ...process.env,
    TOPIC_PREFIX: prefix,
    KAFKA_GROUP_ID: uniqueName('g'),
    DATABASE_URL: databaseUrl,
    DATABASE_OWNER_URL: withCredentials(databaseUrl, STACK.databaseUrl),
    HTTP_PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    ...extra,
  });
}

export function testLogger(level = process.env.TEST_LOG_LEVEL ?? 'warn', dest?: Writable) {
  return createLogger(level, dest as never);
}

/** HGD member lines (docs/batch-formats.md). */
export interface MemberLine {
  member_id: string;
  household_code: string | null;
  full_name: string;
  dob: string | null;
  gender: 'M' | 'F' | null;
  id_number?: string | null;
  bhxh_code?: string | null;
  province_code?: string | null;
  ward_code?: string | null;
  father_name?: string | null;
  mother_name?: string | null;
  relation_to_head?: string | null;
}

export async function seedHgd(knex: Knex, members: MemberLine[]): Promise<void> {
  const text = members.map((m) => JSON.stringify(m)).join('\n');
  const summary = await importMembers(knex, Readable.from([text]));
  if (summary.rejected > 0) throw new Error(`seed rejected ${summary.rejected} line(s)`);
  await refreshNameFrequencies(knex);
}

/**
 * The codec for a test's topics: the input schemas registered as the upstream producer would (FORWARD_TRANSITIVE),
 * then ours (outputs and dead letters) by the codec itself.
 */
export async function testCodec(config: Config): Promise<AvroCodec> {
  await registerAsUpstream(config.schemaRegistryUrl, topicBindings(config), {}, registryOptions(config));
  const codec = new AvroCodec(codecOptions(config, topicBindings(config)));
  await codec.init();
  return codec;
}
