import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** Lints a snippet as if it were the file at `filePath`, with the project's own eslint configuration. */
async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: process.cwd() });
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layering rule (eslint no-restricted-imports)', () => {
  it.each([
    [
      'src/flows/defence-code-mapping/x.ts',
      "import { ConsumerLoop } from '../../../connectors/kafka/consumer-loop.js';",
    ],
    ['src/flows/review/x.ts', "import type { Config } from '../../runtime/config.js';"],
    ['src/flows/x.ts', "import { Kafka } from 'kafkajs';"],
    ['src/domain/x.ts', "import type { Knex } from 'knex';"],
    ['src/domain/x.ts', "import { decideCodeMapping } from '../flows/defence-code-mapping/decide.js';"],
    ['src/matching/x.ts', "import { createDb } from '../../connectors/db/knex.js';"],
    ['src/ports/x.ts', "import type { Logger } from '../runtime/logger.js';"],
    ['connectors/db/x.ts', "import { ReviewDesk } from '../../src/flows/review/desk.js';"],
  ])('%s: refuses %s', async (file, code) => {
    expect(await restrictedImports(file, code)).toHaveLength(1);
  });

  it.each([
    ['src/flows/review/x.ts', "import type { EffectStore } from '../../ports/event-store.js';"],
    ['src/flows/x.ts', "import type { Effect } from '../domain/effects.js';"],
    ['connectors/db/x.ts', "import type { ReviewCase } from '../../src/ports/review-cases.js';"],
    ['src/runtime/x.ts', "import { PgEventStore } from '../../connectors/db/event-store.js';"],
  ])('%s: allows %s', async (file, code) => {
    expect(await restrictedImports(file, code)).toEqual([]);
  });
});

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const importsOf = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*?from\s+'([^']+)'/gm)].map(
    (m) => m[1]!,
  );

describe('the tree as it is', () => {
  it('no file under src/flows, src/domain, src/matching or src/ports imports src/runtime or connectors/', () => {
    const offenders = ['src/flows', 'src/domain', 'src/matching', 'src/ports'].flatMap(tsFiles).flatMap((f) =>
      importsOf(f)
        .filter((i) => /(^|\/)(runtime|connectors|cli)\//.test(i))
        .map((i) => `${f}: ${i}`),
    );
    expect(offenders).toEqual([]);
  });

  it('no file under connectors/ imports src/flows', () => {
    const offenders = tsFiles('connectors').flatMap((f) =>
      importsOf(f)
        .filter((i) => i.includes('/flows/'))
        .map((i) => `${f}: ${i}`),
    );
    expect(offenders).toEqual([]);
  });
});
