import { readFileSync } from 'node:fs';
import defaults from './data/parameters.json' with { type: 'json' };
import type { ComparisonField, MatchParameters } from './types.js';

const FIELDS: ComparisonField[] = [
  'family_name',
  'middle_name',
  'given_name',
  'dob',
  'gender',
  'father_name',
  'mother_name',
  'id_number',
  'province',
  'ward',
];

/** Checks a parameters object and lists every problem at once. */
export function validateParameters(p: unknown): MatchParameters {
  const problems: string[] = [];
  const o = p as Partial<MatchParameters>;
  if (!o || typeof o !== 'object') throw new Error('match parameters: not an object');
  if (typeof o.version !== 'string') problems.push('version: expected a string');
  if (typeof o.tfMinU !== 'number' || !(o.tfMinU > 0)) problems.push('tfMinU: expected a number > 0');
  const t = o.thresholds;
  if (!t) problems.push('thresholds: missing');
  else {
    for (const k of [
      'minMatchProbability',
      'reviewLog2Odds',
      'maxNamesakes',
      'maxReviewCandidates',
    ] as const) {
      if (typeof t[k] !== 'number') problems.push(`thresholds.${k}: expected a number`);
    }
    if (
      typeof t.minMatchProbability === 'number' &&
      !(t.minMatchProbability > 0.5 && t.minMatchProbability < 1)
    ) {
      problems.push('thresholds.minMatchProbability: expected 0.5 < p < 1');
    }
  }
  for (const f of FIELDS) {
    const fp = o.fields?.[f];
    if (!fp) {
      problems.push(`fields.${f}: missing`);
      continue;
    }
    for (const [level, lp] of Object.entries(fp.levels ?? {})) {
      if (!(lp.m > 0 && lp.m <= 1)) problems.push(`fields.${f}.levels.${level}.m: expected 0 < m ≤ 1`);
      if (!(lp.u > 0 && lp.u <= 1)) problems.push(`fields.${f}.levels.${level}.u: expected 0 < u ≤ 1`);
    }
  }
  if (problems.length > 0) throw new Error(`invalid match parameters:\n  ${problems.join('\n  ')}`);
  return o as MatchParameters;
}

/** The parameters shipped with the code (`data/parameters.json`). */
export function defaultParameters(): MatchParameters {
  return validateParameters(structuredClone(defaults));
}

export function loadParameters(path?: string): MatchParameters {
  if (!path) return defaultParameters();
  return validateParameters(JSON.parse(readFileSync(path, 'utf8')));
}
