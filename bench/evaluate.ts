import type { MatchResult, PersonQuery } from '../src/matching/types.js';
import type { QueryTruth } from './generator/queries.js';

/** Evaluation metrics of docs/matching.md for a batch of results against the generator's truth. */
export interface EvalMetrics {
  queries: number;
  inHgd: number;
  notInHgd: number;
  autoMatches: number;
  correctAutoMatches: number;
  wrongAutoMatches: number;
  wrongAutoMatchesPer10k: number;
  precision: number;
  recall: number;
  f1: number;
  reviews: number;
  reviewRate: number;
  reviewsWithTrue: number;
  /** Among reviews of people who are in HGD: share whose candidates contain the true member. */
  reviewTrueCandidateShare: number;
  noMatches: number;
  noMatchOfInHgd: number;
  top1Recall: number;
  /** True member among any candidates (match or review), over queries of people in HGD. */
  candidateRecall: number;
  /** The model's own expectation of wrong auto-matches per 10k queries: Σ (1 − probability) over auto-matches. */
  expectedWrongPer10k: number;
}

export interface EvalCase {
  query: PersonQuery;
  truth: QueryTruth;
  result: MatchResult;
}

export function evaluate(cases: readonly EvalCase[]): {
  metrics: EvalMetrics;
  wrong: EvalCase[];
  missed: EvalCase[];
} {
  let inHgd = 0;
  let auto = 0;
  let correct = 0;
  let reviews = 0;
  let reviewsOfMembers = 0;
  let reviewsWithTrue = 0;
  let noMatches = 0;
  let noMatchOfInHgd = 0;
  let top1 = 0;
  let anyCandidate = 0;
  let expectedWrong = 0;
  const wrong: EvalCase[] = [];
  const missed: EvalCase[] = [];
  for (const c of cases) {
    const t = c.truth.memberId;
    const r = c.result;
    if (t !== null) inHgd++;
    if (t !== null && r.candidates[0]?.memberId === t) top1++;
    if (t !== null && r.candidates.some((x) => x.memberId === t)) anyCandidate++;
    if (r.decision === 'match') {
      auto++;
      expectedWrong += 1 - (r.best?.probability ?? 1);
      if (r.best?.memberId === t) correct++;
      else wrong.push(c);
    } else if (r.decision === 'review') {
      reviews++;
      if (t !== null) {
        reviewsOfMembers++;
        if (r.candidates.some((x) => x.memberId === t)) reviewsWithTrue++;
        else missed.push(c);
      }
    } else {
      noMatches++;
      if (t !== null) {
        noMatchOfInHgd++;
        missed.push(c);
      }
    }
  }
  const precision = auto > 0 ? correct / auto : 1;
  const recall = inHgd > 0 ? correct / inHgd : 0;
  return {
    metrics: {
      queries: cases.length,
      inHgd,
      notInHgd: cases.length - inHgd,
      autoMatches: auto,
      correctAutoMatches: correct,
      wrongAutoMatches: auto - correct,
      wrongAutoMatchesPer10k: cases.length > 0 ? ((auto - correct) / cases.length) * 10_000 : 0,
      precision,
      recall,
      f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
      reviews,
      reviewRate: cases.length > 0 ? reviews / cases.length : 0,
      reviewsWithTrue,
      reviewTrueCandidateShare: reviewsOfMembers > 0 ? reviewsWithTrue / reviewsOfMembers : 1,
      noMatches,
      noMatchOfInHgd,
      top1Recall: inHgd > 0 ? top1 / inHgd : 0,
      candidateRecall: inHgd > 0 ? anyCandidate / inHgd : 0,
      expectedWrongPer10k: cases.length > 0 ? (expectedWrong / cases.length) * 10_000 : 0,
    },
    wrong,
    missed,
  };
}

export function formatMetrics(m: EvalMetrics): string {
  const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
  const rows: Array<[string, string]> = [
    ['queries (in HGD / not in HGD)', `${m.queries} (${m.inHgd} / ${m.notInHgd})`],
    ['auto-matches', String(m.autoMatches)],
    ['wrong auto-matches', `${m.wrongAutoMatches} (${m.wrongAutoMatchesPer10k.toFixed(2)} per 10k queries)`],
    ['wrong auto-matches the model expects', `${m.expectedWrongPer10k.toFixed(2)} per 10k queries`],
    ['auto-match precision', m.precision.toFixed(5)],
    ['auto-match recall', m.recall.toFixed(4)],
    ['auto-match F1', m.f1.toFixed(4)],
    ['review rate', pct(m.reviewRate)],
    [
      'reviews whose candidates hold the true member',
      `${pct(m.reviewTrueCandidateShare)} (${m.reviewsWithTrue})`,
    ],
    ['no_match (of people in HGD)', `${m.noMatches} (${m.noMatchOfInHgd})`],
    ['top-1 recall', m.top1Recall.toFixed(4)],
    ['true member among any candidates', m.candidateRecall.toFixed(4)],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}

/** The bounds of issue 4 ("Must show"); `minRecall` may be set apart for a data set (say why where it is). */
export function checkBounds(m: EvalMetrics, opts: { minRecall?: number } = {}): string[] {
  const minRecall = opts.minRecall ?? 0.9;
  const failures: string[] = [];
  if (m.wrongAutoMatchesPer10k > 1)
    failures.push(`wrong auto-matches ${m.wrongAutoMatchesPer10k.toFixed(2)} per 10k > 1`);
  if (m.recall < minRecall)
    failures.push(`auto-match recall ${m.recall.toFixed(4)} < ${minRecall.toFixed(2)}`);
  if (m.reviewTrueCandidateShare < 0.98) {
    failures.push(`true member among review candidates ${m.reviewTrueCandidateShare.toFixed(4)} < 0.98`);
  }
  return failures;
}
