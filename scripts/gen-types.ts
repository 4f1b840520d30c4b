/**
 * Regenerates src/contracts/generated.ts from schemas/*.avsc.
 * Usage: npm run gen:types   (node --import tsx scripts/gen-types.ts [--check])
 * With --check it writes nothing and exits 1 when the checked-in file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateTypes } from '../src/contracts/generate.js';
import { listSchemaFiles, SCHEMAS_DIR } from '../src/contracts/schemas.js';
import type { AvroRecordSchema } from '../src/contracts/schemas.js';
import { join } from 'node:path';

const target = fileURLToPath(new URL('../src/contracts/generated.ts', import.meta.url));
const schemas = listSchemaFiles().map((name) => ({
  name,
  schema: JSON.parse(readFileSync(join(SCHEMAS_DIR, `${name}.avsc`), 'utf8')) as AvroRecordSchema,
}));
const text = generateTypes(schemas);

if (process.argv.includes('--check')) {
  const current = readFileSync(target, 'utf8');
  if (current !== text) {
    console.error('src/contracts/generated.ts is out of date: run npm run gen:types');
    process.exit(1);
  }
  console.log('src/contracts/generated.ts is up to date');
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target} (${schemas.length} schemas)`);
}
