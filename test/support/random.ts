/** mulberry32: reproducible pseudo-random 32-bit values, for seeded faults, jitter and kill times. */
export function seededInts(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** The same sequence as numbers in [0, 1), like Math.random. */
export function seeded(seed: number): () => number {
  const next = seededInts(seed);
  return () => next() / 4294967296;
}
