import type { Command } from 'commander';
import {
  INPUT_COMPATIBILITY,
  OUTPUT_COMPATIBILITY,
  topicBindings,
} from '../../../connectors/registry/bindings.js';
import { checkAll, registerAll } from '../../../connectors/registry/codec.js';
import { loadSchemas } from '../../contracts/schemas.js';
import { loadConfig } from '../../runtime/config.js';
import { registryOptions } from '../../runtime/connections.js';

/**
 * `vss-bridge schemas register|check`: the contracts under TopicNameStrategy (`<topic>-value`) for the configured
 * topics (TOPIC_PREFIX and TOPIC_* apply) and their `.dlq`s. Subjects we write are ours (BACKWARD_TRANSITIVE);
 * subjects we read belong to their producer (FORWARD_TRANSITIVE) and are only checked, never registered.
 */
export function register(program: Command): void {
  const schemas = program.command('schemas').description('Avro contracts in the schema registry');

  schemas
    .command('register')
    .description(
      `register the schemas of the topics the adapter writes (outputs and dead letters) under <topic>-value and set those subjects to BACKWARD_TRANSITIVE; the input subjects belong to their producer and are left alone`,
    )
    .action(async () => {
      const config = loadConfig();
      const results = await registerAll(
        config.schemaRegistryUrl,
        topicBindings(config),
        registryOptions(config),
      );
      for (const r of results) process.stdout.write(`registered ${r.subject} id=${r.id}\n`);
    });

  schemas
    .command('check')
    .description(
      `check every subject; exit 1 when any is incompatible. Output subjects: the working-tree schema against what is registered, compatibility ${OUTPUT_COMPATIBILITY.join(' or ')}. Input subjects: the producer's latest schema read with our reader schema (names each field that breaks), compatibility ${INPUT_COMPATIBILITY.join(' or ')}`,
    )
    .option('--schemas-dir <dir>', 'check the .avsc files of this folder instead of schemas/')
    .action(async (o: { schemasDir?: string }) => {
      const config = loadConfig();
      const overrides = o.schemasDir ? loadSchemas(o.schemasDir) : {};
      const results = await checkAll(
        config.schemaRegistryUrl,
        topicBindings(config),
        overrides,
        registryOptions(config),
      );
      let incompatible = 0;
      for (const r of results) {
        const level = r.level ?? 'not registered yet';
        process.stdout.write(
          `${r.compatible ? 'compatible  ' : 'INCOMPATIBLE'} ${r.subject} (${r.role}, ${level})\n`,
        );
        if (!r.compatible) incompatible++;
        for (const m of r.messages) process.stdout.write(`    ${m}\n`);
      }
      if (incompatible > 0) {
        process.stderr.write(`vss-bridge: ${incompatible} of ${results.length} subjects are incompatible\n`);
        process.exitCode = 1;
      }
    });
}
