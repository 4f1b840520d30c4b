import type { Gender as MatchGender } from '../matching/types.js';

export type AvroGender = 'MALE' | 'FEMALE' | 'UNKNOWN';

export function toMatchGender(g: AvroGender): MatchGender | null {
  return g === 'MALE' ? 'M' : g === 'FEMALE' ? 'F' : null;
}

export function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
