import type { Command } from 'commander';
import { register as cdc, registerVerifyIndex } from './cdc.js';
import { register as dlq } from './dlq.js';
import { register as dlqList } from './dlq-list.js';
import { envHelp } from './env-help.js';
import { register as hgd } from './hgd.js';
import { register as hgdShow } from './hgd-show.js';
import { register as lag } from './lag.js';
import { register as match } from './match.js';
import { register as operators } from './operators.js';
import { register as retention } from './retention.js';
import { register as review } from './review.js';
import { register as run } from './run.js';
import { register as schemas } from './schemas.js';
import { register as validate } from './validate.js';

export function registerCommands(program: Command): void {
  for (const register of [
    run,
    schemas,
    hgd,
    hgdShow,
    match,
    review,
    operators,
    dlq,
    lag,
    validate,
    retention,
    cdc,
  ])
    register(program);
  registerVerifyIndex(program);
  dlqList(program);
  addEnvHelp(program);
}

/** Appends to every runnable command's --help the environment variables it reads (env-help.ts). */
function addEnvHelp(program: Command): void {
  const walk = (cmd: Command, path: string[]): void => {
    for (const sub of cmd.commands) {
      const p = [...path, sub.name()];
      if (sub.commands.length > 0) walk(sub, p);
      // A group command (`dlq`, `hgd` …) only lists its subcommands; `match` is both a command and a group.
      if (sub.commands.length === 0 || p.join(' ') === 'match') {
        sub.addHelpText('after', envHelp(p.join(' ')));
      }
    }
  };
  walk(program, []);
}
