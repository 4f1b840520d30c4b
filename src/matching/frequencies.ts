import { familyRepresentative, foldName, splitName } from './normalise.js';
import type { NameFrequencies } from './types.js';

/** Counts folded family and given name tokens; feed it every HGD full name, then `toFrequencies()`. */
export class NameFrequencyCounter {
  total = 0;
  readonly family = new Map<string, number>();
  readonly given = new Map<string, number>();

  add(fullName: string | null | undefined): void {
    if (!fullName) return;
    const parts = splitName(foldName(fullName));
    if (!parts.given) return;
    this.total++;
    if (parts.family) {
      const f = familyRepresentative(parts.family);
      this.family.set(f, (this.family.get(f) ?? 0) + 1);
    }
    this.given.set(parts.given, (this.given.get(parts.given) ?? 0) + 1);
  }

  toFrequencies(): NameFrequencies {
    return fromCounts(this.total, this.family, this.given);
  }
}

export function fromCounts(
  total: number,
  family: ReadonlyMap<string, number>,
  given: ReadonlyMap<string, number>,
): NameFrequencies {
  const share = (m: ReadonlyMap<string, number>) =>
    new Map([...m].map(([k, v]) => [k, total > 0 ? v / total : 0] as [string, number]));
  return { total, family: share(family), given: share(given) };
}

export function computeNameFrequencies(names: Iterable<string | null | undefined>): NameFrequencies {
  const c = new NameFrequencyCounter();
  for (const n of names) c.add(n);
  return c.toFrequencies();
}

/** No data yet: every TF-adjusted level falls back to the parameters' floor. */
export const EMPTY_FREQUENCIES: NameFrequencies = { total: 0, family: new Map(), given: new Map() };
