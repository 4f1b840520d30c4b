import { compareAll, type CompareContext } from './compare.js';
import { preparePerson, type PreparedPerson } from './prepare.js';
import type {
  ComparisonField,
  MatchParameters,
  MemberRecord,
  NameFrequencies,
  PersonQuery,
} from './types.js';

/**
 * Parameter estimation on the data being searched (`vss-bridge match estimate`), the way Splink does it:
 *
 * 1. u per field and level — P(level | two different people) — from random pairs of HGD members. Two members drawn
 *    at random are different people (a duplicate pair among N² / 2 is negligible), so no labels are needed.
 *    An exact family or given name is term-frequency adjusted at scoring time: its u is that name's share of HGD
 *    members (`hgd refresh-frequencies`), not the level's average.
 * 2. m per field and level — P(level | same person) — by expectation–maximisation over unlabelled candidate pairs:
 *    declarations (queries) blocked against HGD as the matcher blocks them. Each pair is a mixture of "same person"
 *    (share λ) and "different people"; with u fixed from step 1, the E step gives each pair its probability of being
 *    a match from the current m and λ, the M step re-estimates m (and λ) as probability-weighted level shares.
 *    Fields are assumed independent given the match status (the Fellegi–Sunter assumption the scorer makes too).
 *    As in Splink, the fields the pairs were blocked on (given name, birth year) agree on nearly every candidate
 *    pair, so they carry no information about the match status there: they are left out of the E step, and their m
 *    is taken from anchor pairs, those whose ID numbers agree (the same person, whatever their names and dates say).
 * 3. Nothing is fitted to labels. The decision rule (thresholds) is stated as probabilities and carried over from
 *    the base parameters; labelled data, when there is some, only checks the result (`bench/`, review outcomes).
 *
 * All counts are add-`smoothing` so an unseen level keeps a small, finite weight.
 */
export interface EstimateOptions {
  base: MatchParameters;
  /** A random sample of HGD members (u from pairs of them). */
  members: readonly MemberRecord[];
  frequencies: NameFrequencies;
  /** Unlabelled declarations with the members blocking returned for each (EM pairs). */
  candidates: ReadonlyArray<{ query: PersonQuery; members: readonly MemberRecord[] }>;
  /** HGD size the sample was drawn from (for the provenance). */
  hgdMembers: number;
  uPairs?: number;
  iterations?: number;
  smoothing?: number;
  seed?: number;
  /**
   * Fields the candidates were blocked on: they agree on almost every candidate pair, matches or not, so they are
   * left out of the E step (their m is still re-estimated in the M step). Default: given name and date of birth,
   * which every name key of `blocking.ts` holds (given name or a one-deletion variant, birth year ± 1), the province
   * and gender, and the ward (shared by a whole household).
   */
  blockedOn?: readonly ComparisonField[];
  /** Fewest ID-agreeing anchor pairs for the blocked-on fields' m (else the base m is kept); default 200. */
  minAnchors?: number;
  /** Free text saying which data the estimate ran on (kept in the provenance). */
  label?: string;
}

export interface EstimateReport {
  parameters: MatchParameters;
  uPairs: number;
  emPairs: number;
  /** Estimated share of candidate pairs that are the same person. */
  lambda: number;
  iterations: number;
  /** Largest change of any m in the last iteration. */
  lastChange: number;
}

type Counts = Map<ComparisonField, Map<string, number>>;

function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function bump(t: Counts, f: ComparisonField, level: string, by = 1): void {
  if (level === 'missing') return;
  let row = t.get(f);
  if (!row) t.set(f, (row = new Map()));
  row.set(level, (row.get(level) ?? 0) + by);
}

/** Levels of a field: those of the base parameters plus any observed. */
function levelsOf(base: MatchParameters, f: ComparisonField, ...seen: Counts[]): string[] {
  const out = new Set(Object.keys(base.fields[f]?.levels ?? {}));
  for (const c of seen) for (const l of c.get(f)?.keys() ?? []) out.add(l);
  return [...out];
}

function shares(levels: readonly string[], row: Map<string, number> | undefined, smoothing: number) {
  const total = levels.reduce((a, l) => a + (row?.get(l) ?? 0) + smoothing, 0);
  return new Map(levels.map((l) => [l, ((row?.get(l) ?? 0) + smoothing) / total]));
}

const sig = (x: number) => Number(x.toPrecision(4));

export function estimateParameters(opts: EstimateOptions): EstimateReport {
  const smoothing = opts.smoothing ?? 0.5;
  const rand = lcg(opts.seed ?? 1);
  const ctx: CompareContext = { frequencies: opts.frequencies };
  const fields = Object.keys(opts.base.fields) as ComparisonField[];

  // 1. u from random member pairs.
  const prepared: PreparedPerson[] = opts.members.map(preparePerson);
  const uCounts: Counts = new Map();
  const uTarget = Math.min(
    opts.uPairs ?? 200_000,
    Math.max(0, (prepared.length * (prepared.length - 1)) / 2),
  );
  let uPairs = 0;
  while (uPairs < uTarget) {
    const a = Math.floor(rand() * prepared.length);
    const b = Math.floor(rand() * prepared.length);
    if (a === b || opts.members[a]!.memberId === opts.members[b]!.memberId) continue;
    uPairs++;
    for (const c of compareAll(prepared[a]!, prepared[b]!, ctx)) bump(uCounts, c.field, c.level);
  }

  // Birth-year concentration (for the namesake estimate): Σ share(year)².
  const years = new Map<number, number>();
  let dated = 0;
  for (const p of prepared) {
    if (!p.dob) continue;
    dated++;
    years.set(p.dob.year, (years.get(p.dob.year) ?? 0) + 1);
  }
  const sameYear = dated > 0 ? [...years.values()].reduce((a, c) => a + (c / dated) ** 2, 0) : undefined;

  // 2. m by EM over the blocked candidate pairs. Pairs are reduced to their comparison vectors, counted once each.
  const patterns = new Map<string, { levels: string[]; n: number }>();
  let emPairs = 0;
  for (const { query, members } of opts.candidates) {
    const q = preparePerson(query);
    const seen = new Set<string>();
    for (const m of members) {
      if (seen.has(m.memberId)) continue;
      seen.add(m.memberId);
      emPairs++;
      const levels = compareAll(q, preparePerson(m), ctx).map((c) => c.level);
      const key = levels.join('|');
      const p = patterns.get(key);
      if (p) p.n++;
      else patterns.set(key, { levels, n: 1 });
    }
  }
  const levelNames = fields.map((f) => levelsOf(opts.base, f, uCounts));
  const u = fields.map((f, i) => shares(levelNames[i]!, uCounts.get(f), smoothing));
  const m = fields.map((f, i) => {
    const base = opts.base.fields[f]?.levels ?? {};
    return new Map(levelNames[i]!.map((l) => [l, base[l]?.m ?? 1e-3]));
  });
  // Start from one true pair per query among the candidates (a declaration usually has its person in HGD).
  let lambda = Math.min(0.5, opts.candidates.length / Math.max(emPairs, 1));
  // The ward is not a blocking key of the name keys, but a whole household shares it: parents, children and siblings
  // among the candidates agree on it as a match does, so in the E step it would pull household co-members into the
  // match class. It is treated like the blocked-on fields (m from anchor pairs).
  const blockedOn = new Set<ComparisonField>(
    opts.blockedOn ?? ['given_name', 'dob', 'province', 'gender', 'ward'],
  );
  const iterations = opts.iterations ?? 25;
  let lastChange = 0;
  let done = 0;
  /** EM iterations: the E step reads the fields not in `skip`, the M step re-estimates the fields in `update`. */
  const em = (skip: ReadonlySet<ComparisonField>, update: ReadonlySet<ComparisonField>) => {
    for (let it = 0; it < iterations; it++) {
      const mCounts: Counts = new Map();
      let matchMass = 0;
      for (const p of patterns.values()) {
        let lm = Math.log(lambda);
        let lu = Math.log(1 - lambda);
        p.levels.forEach((level, i) => {
          if (level === 'missing' || skip.has(fields[i]!)) return;
          lm += Math.log(m[i]!.get(level) ?? 1e-6);
          lu += Math.log(u[i]!.get(level) ?? 1e-6);
        });
        const w = 1 / (1 + Math.exp(lu - lm));
        matchMass += w * p.n;
        p.levels.forEach((level, i) => bump(mCounts, fields[i]!, level, w * p.n));
      }
      lambda = Math.min(0.999, Math.max(1e-6, matchMass / Math.max(emPairs, 1)));
      lastChange = 0;
      fields.forEach((f, i) => {
        if (!update.has(f)) return;
        const next = shares(levelNames[i]!, mCounts.get(f), smoothing / 10);
        for (const [l, v] of next) lastChange = Math.max(lastChange, Math.abs(v - (m[i]!.get(l) ?? 0)));
        m[i] = next;
      });
      done++;
      if (lastChange < 1e-5) break;
    }
  };
  const free = new Set(fields.filter((f) => !blockedOn.has(f)));
  // Pass 1: the E step on the fields not blocked on.
  em(blockedOn, new Set(fields));

  // The blocked-on fields' m from the EM would be biased (in the blocked pairs, siblings and namesakes agree on them
  // as matches do). They are taken from anchor pairs instead: pairs whose ID numbers agree, which are the same person
  // whatever their names and dates say — the errors in names and dates are independent of whether an ID is present.
  const idIndex = fields.indexOf('id_number');
  const anchorCounts: Counts = new Map();
  let anchors = 0;
  for (const p of patterns.values()) {
    if (p.levels[idIndex] !== 'exact') continue;
    anchors += p.n;
    p.levels.forEach((level, i) => bump(anchorCounts, fields[i]!, level, p.n));
  }
  if (anchors >= (opts.minAnchors ?? 200)) {
    fields.forEach((f, i) => {
      if (blockedOn.has(f)) m[i] = shares(levelNames[i]!, anchorCounts.get(f), smoothing / 10);
    });
    // Pass 2: the date of birth (now with its anchor m) joins the E step, which tells siblings (same family, middle
    // and parents' names, another date) from the person; the free fields' m are re-estimated.
    em(new Set([...blockedOn].filter((f) => f !== 'dob')), free);
  }
  // The ID number's own m, likewise, from pairs that agree on everything else that identifies: full date, family and
  // given name, province (two different people share all of that about once in 10^9 pairs).
  const at = (f: ComparisonField) => fields.indexOf(f);
  const idAnchors: Counts = new Map();
  let idAnchorPairs = 0;
  for (const p of patterns.values()) {
    const l = p.levels;
    if (l[at('dob')] !== 'exact_day' || l[at('given_name')] !== 'exact' || l[at('family_name')] !== 'exact')
      continue;
    if (l[at('province')] !== 'exact' || l[idIndex] === 'missing') continue;
    idAnchorPairs += p.n;
    bump(idAnchors, 'id_number', l[idIndex]!, p.n);
  }
  if (idAnchorPairs >= (opts.minAnchors ?? 200))
    m[idIndex] = shares(levelNames[idIndex]!, idAnchors.get('id_number'), smoothing / 10);

  const parameters: MatchParameters = structuredClone(opts.base);
  // To the second: two estimates of one day (a re-run after a fix) must not share a version.
  const estimatedAt = new Date().toISOString();
  parameters.version = `estimated-${estimatedAt.slice(0, 19)}Z`;
  parameters.method =
    `u from ${uPairs} random HGD member pairs; m by EM over ${emPairs} unlabelled candidate pairs ` +
    `(${opts.candidates.length} declarations, ${done} iterations); add-${smoothing} smoothing; ` +
    'exact names term-frequency adjusted from HGD (see src/matching/estimate.ts)';
  parameters.provenance = {
    estimatedAt,
    data: opts.label ?? 'unspecified',
    hgdMembers: opts.hgdMembers,
    memberSample: opts.members.length,
    uPairs,
    declarations: opts.candidates.length,
    emPairs,
    emIterations: done,
    emLambda: sig(lambda),
    emBlockedOn: [...blockedOn],
    anchorPairs: anchors,
    idAnchorPairs,
    frequenciesOver: opts.frequencies.total,
  };
  if (sameYear !== undefined) parameters.dobSameYearShare = sig(sameYear);
  fields.forEach((f, i) => {
    const fp = parameters.fields[f];
    if (!fp) return;
    fp.levels = Object.fromEntries(
      levelNames[i]!.map((l) => [l, { m: sig(m[i]!.get(l)!), u: sig(u[i]!.get(l)!) }]),
    );
  });
  return { parameters, uPairs, emPairs, lambda, iterations: done, lastChange };
}
