import type { Command } from 'commander';
import { topicBindings } from '../../../connectors/registry/bindings.js';
import { checkAll, registerAll } from '../../../connectors/registry/codec.js';
import { loadSchemas } from '../../contracts/schemas.js';
import { loadConfig } from '../../runtime/config.js';
import { registryOptions } from '../../runtime/connections.js';

/**
 * `vss-bridge schemas register|check`: the contracts of DESIGN.md ("Topics") under TopicNameStrategy
 * (`<topic>-value`), BACKWARD, for the configured topics (TOPIC_PREFIX and TOPIC_* apply) and their `.dlq`s.
 */
export function register(program: Command): void {
  const schemas = program.command('schemas').description('Avro contracts in the schema registry');

  schemas
    .command('register')
    .description('register every schema under <topic>-value and set the subject compatibility to BACKWARD')
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
    .description('check the working-tree schemas against what is registered; exit 1 when any is incompatible')
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
        process.stdout.write(`${r.compatible ? 'compatible  ' : 'INCOMPATIBLE'} ${r.subject}\n`);
        if (!r.compatible) {
          incompatible++;
          for (const m of r.messages.length > 0 ? r.messages : ['(the registry gave no details)']) {
            process.stdout.write(`    ${m}\n`);
          }
        }
      }
      if (incompatible > 0) {
        process.stderr.write(`vss-bridge: ${incompatible} of ${results.length} schemas are incompatible\n`);
        process.exitCode = 1;
      }
    });
}
