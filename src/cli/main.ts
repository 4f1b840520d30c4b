import { Command, CommanderError } from 'commander';
import { ConfigError } from '../runtime/config.js';
import { StartupError } from '../runtime/startup.js';
import { registerCommands } from './commands/index.js';
import { namedConnectionError } from './connection-errors.js';

const program = new Command('vss-bridge')
  .description('Integration adapter between VssID, HGD and the BHXH Bộ Quốc phòng registry')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exit(e.exitCode);
  }
  // One line, naming what is wrong (a bad variable, an unreachable service): no stack trace for users.
  const named = e instanceof ConfigError || e instanceof StartupError ? e : namedConnectionError(e);
  if (named) {
    process.stderr.write(`vss-bridge: ${named.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`vss-bridge: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
