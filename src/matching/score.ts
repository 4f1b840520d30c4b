import { COMPARATORS, compareAll, type Comparison } from './compare.js';
import type { PreparedPerson } from './prepare.js';
import type {
  ComparisonField,
  FieldEvidence,
  FieldParameters,
  MatchModel,
  MatchParameters,
} from './types.js';

/**
 * Fellegi–Sunter scoring: every field contributes log2(m/u) of the level it fell into; the score is their sum (bits
 * of evidence for "same person"). For term-frequency-adjusted levels (an exact family or given name) u is the share
 * of HGD members holding that very token, so "Nguyễn" (≈38 %) is weak evidence and a rare name is strong.
 */
export function weightOf(c: Comparison, model: MatchModel): number {
  if (c.level === 'missing') return 0;
  const lw = levelWeights(model.parameters)[c.field]?.get(c.level);
  if (!lw) return 0;
  if (c.tfValue !== undefined && lw.tfAdjusted) {
    const table = c.field === 'family_name' ? model.frequencies.family : model.frequencies.given;
    const f = table.get(c.tfValue);
    const u = Math.max(f ?? model.parameters.tfMinU, model.parameters.tfMinU);
    return Math.log2(lw.m / u);
  }
  return lw.weight;
}

interface LevelWeight {
  m: number;
  /** log2(m / u) with the level's own u. */
  weight: number;
  /** u is the value's HGD frequency when the comparison carries one. */
  tfAdjusted: boolean;
}

/** Per parameters object: field → level → its m and weight, computed once (was a lookup and a log per comparison). */
const LEVEL_WEIGHTS = new WeakMap<
  MatchParameters,
  Partial<Record<ComparisonField, Map<string, LevelWeight>>>
>();

function levelWeights(
  parameters: MatchParameters,
): Partial<Record<ComparisonField, Map<string, LevelWeight>>> {
  let table = LEVEL_WEIGHTS.get(parameters);
  if (!table) {
    table = {};
    for (const [field, fp] of Object.entries(parameters.fields) as Array<
      [ComparisonField, FieldParameters]
    >) {
      if (!fp) continue; // a field the parameters do not weigh: its comparisons weigh nothing
      const levels = new Map<string, LevelWeight>();
      for (const [level, lp] of Object.entries(fp.levels)) {
        levels.set(level, {
          m: lp.m,
          weight: Math.log2(lp.m / lp.u),
          tfAdjusted: fp.tfAdjusted?.includes(level) ?? false,
        });
      }
      table[field] = levels;
    }
    LEVEL_WEIGHTS.set(parameters, table);
  }
  return table;
}

export interface Score {
  score: number;
  evidence: FieldEvidence[];
}

export function scorePair(q: PreparedPerson, m: PreparedPerson, model: MatchModel): Score {
  return scoreOf(compareAll(q, m, model), model);
}

function scoreOf(comparisons: readonly Comparison[], model: MatchModel, weights?: readonly number[]): Score {
  const evidence: FieldEvidence[] = [];
  let score = 0;
  for (let i = 0; i < comparisons.length; i++) {
    const c = comparisons[i]!;
    const w = Math.round((weights ? weights[i]! : weightOf(c, model)) * 1000) / 1000;
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

/**
 * The order `scorePairAtLeast` compares fields in: the cheap ones first (codes, date, gender), then the names, and the
 * parents' names last (their preparation and Jaro–Winkler cost the most). The identifying fields with large weights
 * (ID number, ward) come early so that, once they are known, the bound on what is left is tight enough to drop a
 * candidate before its parents' names are read. Evidence and score still follow `COMPARATORS`' order.
 */
const PRUNING_ORDER: readonly ComparisonField[] = [
  'id_number',
  'dob',
  'gender',
  'province',
  'ward',
  'family_name',
  'given_name',
  'middle_name',
  'father_name',
  'mother_name',
];

interface Pruning {
  /** Index into COMPARATORS of the k-th field compared. */
  order: number[];
  /** `rest[k]` bounds the weight the fields from the k-th compared on can still add. */
  rest: number[];
}

/** Per parameters object. */
const PRUNING = new WeakMap<MatchParameters, Pruning>();

function pruningOf(model: MatchModel): Pruning {
  let pruning = PRUNING.get(model.parameters);
  if (!pruning) {
    const fields = COMPARATORS.map((c) => c(EMPTY, EMPTY).field);
    const order = PRUNING_ORDER.map((f) => fields.indexOf(f));
    // Any comparator not listed is compared last, in its own order.
    fields.forEach((_, i) => {
      if (!order.includes(i)) order.push(i);
    });
    if (order.some((i) => i < 0)) throw new Error('pruning order names a field no comparator has');
    const rest = new Array<number>(order.length + 1).fill(0);
    for (let k = order.length - 1; k >= 0; k--)
      rest[k] = rest[k + 1]! + maxFieldWeight(fields[order[k]!]!, model.parameters);
    pruning = { order, rest };
    PRUNING.set(model.parameters, pruning);
  }
  return pruning;
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

const SCRATCH_COMPARISONS = new Array<Comparison>(COMPARATORS.length);
const SCRATCH_WEIGHTS = new Array<number>(COMPARATORS.length).fill(0);

/** Covers the rounding of `scoreOf` (every weight and the sum to 0.001). */
const ROUNDING_SLACK = 0.02;

/**
 * `scorePair`, or `null` as soon as the comparisons so far plus the most the remaining fields could add stay below
 * `floor` (then the score would have been below `floor` too). Fields are compared cheapest first (`PRUNING_ORDER`),
 * so a candidate blocked on a shared given name but born on another date, elsewhere, with another ID number, is
 * dropped before its names and parents' names are compared. With `floor` at most the review threshold and at most
 * match − margin, dropping such candidates cannot change a decision or the candidate list (see `scoreCandidates`);
 * a score that is kept is the same sum, in the same order, as `scorePair`'s.
 */
export function scorePairAtLeast(
  q: PreparedPerson,
  m: PreparedPerson,
  model: MatchModel,
  floor: number,
): Score | null {
  const { order, rest } = pruningOf(model);
  // Scratch arrays, reused: most candidates are dropped, and scoreOf reads them before the next call.
  const comparisons = SCRATCH_COMPARISONS;
  const weights = SCRATCH_WEIGHTS;
  let partial = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const c = COMPARATORS[i]!(q, m, model);
    const w = weightOf(c, model);
    comparisons[i] = c;
    weights[i] = w;
    partial += w;
    if (partial + rest[k + 1]! < floor - ROUNDING_SLACK) return null;
  }
  return scoreOf(comparisons, model, weights);
}
