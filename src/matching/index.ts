/** The matching engine's public API (docs/matching.md). Pure: no database, no Kafka. */
export * from './types.js';
export { matchPerson, scoreCandidates, type MatchOptions } from './match.js';
export { preparePerson, type PreparedPerson } from './prepare.js';
export { memberBlockingKeys, queryBlockingKeys } from './blocking.js';
export { canonicalName, foldName, splitName, prepareName } from './normalise.js';
export { parseDob, formatDob, type ParsedDob } from './dob.js';
export { currentProvinceCode } from './province.js';
export { defaultParameters, loadParameters, validateParameters } from './parameters.js';
export {
  computeNameFrequencies,
  NameFrequencyCounter,
  fromCounts,
  EMPTY_FREQUENCIES,
} from './frequencies.js';
export { InMemoryCandidateSource } from './in-memory-source.js';
export {
  memberFromLine,
  queryFromLine,
  memberToLine,
  queryToLine,
  resultToLine,
  type LineResult,
} from './lines.js';
export { estimateParameters, type EstimateOptions, type EstimateReport } from './estimate.js';
export { expectedNamesakes } from './namesakes.js';
export { posteriorOf } from './decide.js';
export { keyHash } from './key-hash.js';
