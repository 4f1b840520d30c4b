import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_TOPICS, loadConfig } from '../../runtime/config.js';
import { dlqTopic, INPUT_TOPICS, topicBindings } from '../../../connectors/registry/bindings.js';
import { checkMessageJson } from '../../../connectors/registry/message-check.js';
import { ENV_HELP } from './env-help.js';

/**
 * `vss-bridge validate --topic T FILE.json|-`: checks one message (JSON form, as in schemas/examples) against the
 * topic's Avro schema and content rules, without a broker or registry. Exit 0 when it would be accepted, 1 with
 * every problem (field, reason code) otherwise, 2 on a usage error. Values are never printed.
 */
export function register(program: Command): void {
  program
    .command('validate')
    .description(
      "check a message (JSON, as in schemas/examples) against the topic's Avro schema and content rules, without a broker; exit 0 when valid, 1 listing every problem by field and reason code (values are never printed)",
    )
    .requiredOption('--topic <topic>', 'the topic the message is for (default name, or with TOPIC_PREFIX)')
    .option('--json', 'print the problems as JSON')
    .argument('<file>', "the message as JSON; '-' reads stdin")
    .addHelpText('after', ENV_HELP['validate']!)
    .action((file: string, o: { topic: string; json?: boolean }) => {
      const config = loadConfig();
      const bindings = topicBindings(config);
      const defaults = [
        ...Object.values(DEFAULT_TOPICS),
        ...INPUT_TOPICS.map((k) => dlqTopic(DEFAULT_TOPICS[k])),
      ];
      const b = bindings.find((x) => x.topic === o.topic) ?? bindings[defaults.indexOf(o.topic)];
      if (!b) {
        process.stderr.write(
          `vss-bridge validate: unknown topic; one of: ${bindings.map((x) => x.topic).join(', ')}\n`,
        );
        process.exitCode = 2;
        return;
      }
      let text: string;
      try {
        text = readFileSync(file === '-' ? 0 : file, 'utf8');
      } catch (e) {
        process.stderr.write(
          `vss-bridge validate: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}\n`,
        );
        process.exitCode = 2;
        return;
      }
      const problems = checkMessageJson(b.schema, text);
      if (o.json) {
        process.stdout.write(
          `${JSON.stringify({ topic: b.topic, schema: b.schema, valid: problems.length === 0, problems }, null, 2)}\n`,
        );
      } else if (problems.length === 0) {
        process.stdout.write(`valid ${b.schema} for ${b.topic}\n`);
      } else {
        process.stdout.write(`INVALID ${b.schema} for ${b.topic}: ${problems.length} problem(s)\n`);
        for (const p of problems) process.stdout.write(`  ${p.field}  ${p.code}  ${p.message}\n`);
      }
      process.exitCode = problems.length === 0 ? 0 : 1;
    });
}
