import { compareAll, type Comparison } from './compare.js';
import type { PreparedPerson } from './prepare.js';
import type { FieldEvidence, MatchModel } from './types.js';

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
  const evidence: FieldEvidence[] = [];
  let score = 0;
  for (const c of compareAll(q, m, model)) {
    const w = Math.round(weightOf(c, model) * 1000) / 1000;
    score += w;
    evidence.push({ field: c.field, level: c.level, weight: w });
  }
  return { score: Math.round(score * 1000) / 1000, evidence };
}
