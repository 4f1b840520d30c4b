import { COMPARATORS, compareAll, type Comparison } from './compare.js';
import type { PreparedPerson } from './prepare.js';
import type { ComparisonField, FieldEvidence, MatchModel, MatchParameters } from './types.js';

/**
 * Fellegi–Sunter scoring: every field contributes log2(m/u) of the level it fell into; the score is their sum (bits
 * of evidence for "same person"). For term-frequency-adjusted levels (an exact family or given name) u is the share
 * of HGD members holding that very token, so "Nguyễn" (≈38 %) is weak evidence and a rare name is strong.
 */
export function weightOf(c: Comparison, model: MatchModel): number {
  if (c.level === 'missing') return 0;
  const field = model.parameters.fields[c.field];
  const lp = field?.levels[c.level];
  if (!field || !lp) return 0;
  let u = lp.u;
  if (c.tfValue !== undefined && field.tfAdjusted?.includes(c.level)) {
    const table = c.field === 'family_name' ? model.frequencies.family : model.frequencies.given;
    const f = table.get(c.tfValue);
    u = Math.max(f ?? model.parameters.tfMinU, model.parameters.tfMinU);
  }
  return Math.log2(lp.m / u);
}

export interface Score {
  score: number;
  evidence: FieldEvidence[];
}

export function scorePair(q: PreparedPerson, m: PreparedPerson, model: MatchModel): Score {
  return scoreOf(compareAll(q, m, model), model);
}

function scoreOf(comparisons: readonly Comparison[], model: MatchModel): Score {
  const evidence: FieldEvidence[] = [];
  let score = 0;
  for (const c of comparisons) {
    const w = Math.round(weightOf(c, model) * 1000) / 1000;
    score += w;
    evidence.push({ field: c.field, level: c.level, weight: w });
  }
  return { score: Math.round(score * 1000) / 1000, evidence };
}

/** Largest weight any level of a field can carry (term-frequency-adjusted levels at the smallest u), at least 0. */
function maxFieldWeight(field: ComparisonField, parameters: MatchParameters): number {
  const fp = parameters.fields[field];
  if (!fp) return 0;
  let max = 0;
  for (const [level, lp] of Object.entries(fp.levels)) {
    const u = fp.tfAdjusted?.includes(level) ? Math.min(lp.u, parameters.tfMinU) : lp.u;
    max = Math.max(max, Math.log2(lp.m / u));
  }
  return max;
}

/** Per model: `rest[i]` bounds the weight the comparators from i on can still add. */
const REST_BOUNDS = new WeakMap<MatchParameters, number[]>();

function restBounds(model: MatchModel): number[] {
  let rest = REST_BOUNDS.get(model.parameters);
  if (!rest) {
    const fields = COMPARATORS.map((c) => c(EMPTY, EMPTY).field);
    rest = new Array<number>(fields.length + 1).fill(0);
    for (let i = fields.length - 1; i >= 0; i--)
      rest[i] = rest[i + 1]! + maxFieldWeight(fields[i]!, model.parameters);
    REST_BOUNDS.set(model.parameters, rest);
  }
  return rest;
}

const EMPTY: PreparedPerson = {
  name: null,
  familyKey: '',
  dob: null,
  gender: null,
  idNumber: null,
  province: null,
  ward: null,
  father: null,
  mother: null,
};

/** Covers the rounding of `scoreOf` (every weight and the sum to 0.001). */
const ROUNDING_SLACK = 0.02;

/**
 * `scorePair`, or `null` as soon as the comparisons so far plus the most the remaining fields could add stay below
 * `floor` (then the score would have been below `floor` too). The name fields come first in `COMPARATORS`, so a
 * candidate blocked on a shared given name but with another family and middle name is dropped after three
 * comparisons. With `floor` at most the review threshold and at most match − margin, dropping such candidates cannot
 * change a decision or the candidate list (see `scoreCandidates`).
 */
export function scorePairAtLeast(
  q: PreparedPerson,
  m: PreparedPerson,
  model: MatchModel,
  floor: number,
): Score | null {
  const rest = restBounds(model);
  const comparisons: Comparison[] = [];
  let partial = 0;
  for (let i = 0; i < COMPARATORS.length; i++) {
    const c = COMPARATORS[i]!(q, m, model);
    comparisons.push(c);
    partial += weightOf(c, model);
    if (partial + rest[i + 1]! < floor - ROUNDING_SLACK) return null;
  }
  return scoreOf(comparisons, model);
}
