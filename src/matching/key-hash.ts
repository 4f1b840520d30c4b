/**
 * A 64-bit hash of a blocking key (two independent 32-bit FNV-1a variants), as a signed decimal string for a Postgres
 * bigint. Stored instead of the key text to keep the key index small; a rare collision only brings an extra candidate
 * that scoring rejects.
 */
export function keyHash(key: string): string {
  const h = keyHashHalves(key, SCRATCH);
  return BigInt.asIntN(64, (BigInt(h[0]!) << 32n) | BigInt(h[1]!)).toString();
}

const SCRATCH = new Uint32Array(2);

/**
 * The two 32-bit halves behind `keyHash` (high, low; unsigned), written into `out`: the import's worker threads hash
 * millions of texts and use them without going through BigInt.
 */
export function keyHashHalves(key: string, out: Uint32Array): Uint32Array {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  out[0] = h1 >>> 0;
  out[1] = h2 >>> 0;
  return out;
}
