/** Seeded synthetic HGD and declarations, usable as a library (tests, demo) and through `cli.ts`. */
export {
  generateHgd,
  joinName,
  oldStyleTone,
  type GeneratedPerson,
  type HgdGenOptions,
} from './households.js';
export { generateQueries, typo, type QueryTruth, type QueryGenOptions } from './queries.js';
export { Rng } from './rng.js';
export { memberToLine, queryToLine, memberFromLine, queryFromLine } from '../../src/matching/lines.js';
