import provinceMerge from './data/province-merge-2025.json' with { type: 'json' };

/**
 * Maps an old (Decision 124/2004) or new (Decision 19/2025) 2-digit province code to the code of the province it
 * belongs to since 1 July 2025. The mapping is data (`data/province-merge-2025.json`, with its source); unknown codes
 * pass through unchanged so that a code missing from the table never rejects a record.
 */
const OLD_TO_NEW: Readonly<Record<string, string>> = provinceMerge.oldToNew;

export function currentProvinceCode(code: string | null | undefined): string | null {
  if (code === null || code === undefined) return null;
  const trimmed = code.trim();
  if (trimmed.length === 0) return null;
  const padded = /^\d$/.test(trimmed) ? `0${trimmed}` : trimmed;
  return OLD_TO_NEW[padded] ?? padded;
}

/** Old codes that were merged into another province's code (used by the generator to write old codes). */
export function mergedProvinces(): ReadonlyArray<{ code: string; name: string; mergedFrom: string[] }> {
  return provinceMerge.newProvinces;
}

export function oldProvinceNames(): Readonly<Record<string, string>> {
  return provinceMerge.oldProvinces;
}
