import type { Command } from 'commander';
import { register as dlq } from './dlq.js';
import { register as hgd } from './hgd.js';
import { register as lag } from './lag.js';
import { register as match } from './match.js';
import { register as retention } from './retention.js';
import { register as review } from './review.js';
import { register as run } from './run.js';
import { register as schemas } from './schemas.js';
import { register as validate } from './validate.js';

export function registerCommands(program: Command): void {
  for (const register of [run, schemas, hgd, match, review, dlq, lag, validate, retention]) register(program);
}
