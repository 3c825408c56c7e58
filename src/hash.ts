// The one hash of IDs and keys that the mapping (transform/) and what the run remembers (state/) share:
// a leaf module, so that neither reaches into the other for it.

/**
 * 64-bit hash of a string as two 32-bit halves (two differently seeded murmur3-style passes over the
 * UTF-16 code units). Not cryptographic; only spread matters.
 */
export function hashId(text: string): [number, number] {
  const out: [number, number] = [0, 0];
  hashInto(text, out, 0);
  return out;
}

/** hashId() written into `out` at `at` (hi) and `at + 1` (lo): no array made per hash. */
export function hashInto(text: string, out: { [index: number]: number }, at: number): void {
  let h1 = 0x811c9dc5 ^ text.length;
  let h2 = 0x2545f491 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0xcc9e2d51);
    h1 = (h1 << 15) | (h1 >>> 17);
    h2 = Math.imul(h2 ^ c, 0x1b873593);
    h2 = (h2 << 13) | (h2 >>> 19);
    // `| 0` keeps it a 32-bit integer (the same bits): left a double past 2^31, the loop ran 2.5x slower.
    h2 = (Math.imul(h2, 5) + 0xe6546b64) | 0;
  }
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  h2 ^= h2 >>> 16;
  h2 = Math.imul(h2, 0x85ebca6b);
  h2 ^= h2 >>> 13;
  h2 = Math.imul(h2 ^ h1, 0xc2b2ae35);
  h2 ^= h2 >>> 16;
  out[at] = h1 >>> 0;
  out[at + 1] = h2 >>> 0;
}
