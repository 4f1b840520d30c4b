import { queryBlockingKeys } from './blocking.js';
import { compareAll } from './compare.js';
import { computeNameFrequencies } from './frequencies.js';
import { InMemoryCandidateSource } from './in-memory-source.js';
import { vetoed } from './decide.js';
import { scoreCandidates } from './match.js';
import { preparePerson } from './prepare.js';
import type {
  ComparisonField,
  MatchModel,
  MatchParameters,
  MatchThresholds,
  MemberRecord,
  PersonQuery,
} from './types.js';

/**
 * Parameter estimation from labelled data (how `data/parameters.json` was made; `vss-bridge match estimate`).
 *
 * 1. m per field and level: the share of labelled true pairs (query, its member) falling into each level.
 * 2. u per field and level: the share of random pairs (query, a uniformly drawn other member) in each level —
 *    random, not blocked, pairs, because u is P(level | two different people of the population).
 *    Both use add-`smoothing` counts so an unseen level gets a small, finite weight.
 *    `missing` is not a level: it carries weight 0. TF-adjusted levels keep their m; u comes from the frequency
 *    table at scoring time.
 * 3. Thresholds: every labelled query is blocked and scored with the new m/u; over a grid of (match, margin) the
 *    pair with the highest auto-match recall whose wrong auto-matches stay ≤ `maxWrongPer10k` is chosen, preferring
 *    the higher bar on ties. The review floor is the highest value that keeps ≥ `reviewRecall` of the true members
 *    that blocking found among the candidates.
 * Labelled data: the synthetic generator's truth file, or operators' resolved review cases (same line format).
 */
export interface LabelledQuery {
  query: PersonQuery;
  /** The true member, or null when the person is not in HGD. */
  memberId: string | null;
}

export interface EstimateOptions {
  base: MatchParameters;
  members: readonly MemberRecord[];
  labelled: readonly LabelledQuery[];
  /** Random non-matching pairs per labelled query for u (default 20). */
  randomPairsPerQuery?: number;
  smoothing?: number;
  maxWrongPer10k?: number;
  reviewRecall?: number;
  seed?: number;
}

export interface EstimateReport {
  parameters: MatchParameters;
  truePairs: number;
  randomPairs: number;
  training: { recall: number; wrongPer10k: number; reviewRecall: number };
}

function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

export function estimateParameters(opts: EstimateOptions): EstimateReport {
  const smoothing = opts.smoothing ?? 0.5;
  const perQuery = opts.randomPairsPerQuery ?? 20;
  const rand = lcg(opts.seed ?? 1);
  const frequencies = computeNameFrequencies(opts.members.map((m) => m.fullName));
  const byId = new Map(opts.members.map((m) => [m.memberId, m]));
  const ctx = { frequencies };
  const mCounts = new Map<ComparisonField, Map<string, number>>();
  const uCounts = new Map<ComparisonField, Map<string, number>>();
  const bump = (t: Map<ComparisonField, Map<string, number>>, f: ComparisonField, level: string) => {
    if (level === 'missing') return;
    let row = t.get(f);
    if (!row) t.set(f, (row = new Map()));
    row.set(level, (row.get(level) ?? 0) + 1);
  };
  let truePairs = 0;
  let randomPairs = 0;
  for (const l of opts.labelled) {
    const q = preparePerson(l.query);
    if (l.memberId !== null) {
      const m = byId.get(l.memberId);
      if (m) {
        truePairs++;
        for (const c of compareAll(q, preparePerson(m), ctx)) bump(mCounts, c.field, c.level);
      }
    }
    for (let i = 0; i < perQuery; i++) {
      const m = opts.members[Math.floor(rand() * opts.members.length)]!;
      if (m.memberId === l.memberId) continue;
      randomPairs++;
      for (const c of compareAll(q, preparePerson(m), ctx)) bump(uCounts, c.field, c.level);
    }
  }

  const parameters: MatchParameters = structuredClone(opts.base);
  parameters.version = `estimated-${new Date().toISOString().slice(0, 10)}`;
  parameters.method =
    `labelled pairs: m from ${truePairs} true pairs, u from ${randomPairs} random pairs, add-${smoothing} smoothing; ` +
    'thresholds by grid search (see src/matching/estimate.ts)';
  for (const [field, fp] of Object.entries(parameters.fields) as Array<
    [ComparisonField, MatchParameters['fields'][ComparisonField]]
  >) {
    const levels = new Set([
      ...Object.keys(fp.levels),
      ...(mCounts.get(field)?.keys() ?? []),
      ...(uCounts.get(field)?.keys() ?? []),
    ]);
    const mRow = mCounts.get(field) ?? new Map<string, number>();
    const uRow = uCounts.get(field) ?? new Map<string, number>();
    const mTotal = [...levels].reduce((a, l) => a + (mRow.get(l) ?? 0) + smoothing, 0);
    const uTotal = [...levels].reduce((a, l) => a + (uRow.get(l) ?? 0) + smoothing, 0);
    const next: Record<string, { m: number; u: number }> = {};
    for (const l of levels) {
      next[l] = {
        m: Number((((mRow.get(l) ?? 0) + smoothing) / mTotal).toPrecision(4)),
        u: Number((((uRow.get(l) ?? 0) + smoothing) / uTotal).toPrecision(4)),
      };
    }
    fp.levels = next;
  }

  // Thresholds from the blocked, scored labelled queries.
  const model: MatchModel = { parameters, frequencies };
  const source = new InMemoryCandidateSource(opts.members);
  const scored = opts.labelled.map((l) => {
    const q = preparePerson(l.query);
    const r = scoreCandidates(q, source.findCandidatesSync(queryBlockingKeys(q)), {
      ...model,
      parameters: {
        ...parameters,
        thresholds: { ...parameters.thresholds, review: -1e9, maxReviewCandidates: 1e9 },
      },
    });
    return {
      truth: l.memberId,
      ranked: r.candidates.map((c) => ({
        id: c.memberId,
        score: c.score,
        vetoed: vetoed(c, parameters.thresholds),
      })),
    };
  });
  const thresholds = chooseThresholds(
    scored,
    parameters.thresholds,
    opts.maxWrongPer10k ?? 0.25,
    opts.reviewRecall ?? 0.995,
  );
  parameters.thresholds = thresholds.thresholds;
  return { parameters, truePairs, randomPairs, training: thresholds.training };
}

export interface ScoredLabelled {
  truth: string | null;
  ranked: Array<{ id: string; score: number; vetoed?: boolean }>;
}

export function chooseThresholds(
  scored: readonly ScoredLabelled[],
  base: MatchThresholds,
  maxWrongPer10k: number,
  reviewRecall: number,
): { thresholds: MatchThresholds; training: EstimateReport['training'] } {
  const inHgd = scored.filter((s) => s.truth !== null).length || 1;
  let best: { match: number; margin: number; recall: number; wrong: number } | null = null;
  for (let match = 10; match <= 45; match += 0.5) {
    for (let margin = 2; margin <= 12; margin += 1) {
      let correct = 0;
      let wrong = 0;
      for (const s of scored) {
        const a = s.ranked[0];
        if (!a || a.score < match || a.vetoed) continue;
        const b = s.ranked[1];
        if (b && a.score - b.score < margin) continue;
        if (a.id === s.truth) correct++;
        else wrong++;
      }
      const recall = correct / inHgd;
      const wrongPer10k = (wrong / scored.length) * 10_000;
      if (wrongPer10k > maxWrongPer10k) continue;
      if (!best || recall > best.recall + 1e-9) best = { match, margin, recall, wrong: wrongPer10k };
    }
  }
  const chosen = best ?? { match: base.match, margin: base.margin, recall: 0, wrong: Number.NaN };
  // Review floor: keep `reviewRecall` of the true members that blocking found.
  const trueScores = scored
    .map((s) => s.ranked.find((r) => r.id === s.truth)?.score)
    .filter((x): x is number => x !== undefined)
    .sort((a, b) => a - b);
  const idx = Math.floor((1 - reviewRecall) * trueScores.length);
  const review = Math.min(chosen.match - 1, Math.floor(trueScores[idx] ?? base.review));
  return {
    thresholds: { ...base, match: chosen.match, margin: chosen.margin, review },
    training: { recall: chosen.recall, wrongPer10k: chosen.wrong, reviewRecall },
  };
}
