import { hashId } from '../../hash.js';

/** Slots of the cache (a power of two): 2^16 pairs, 512 KiB. */
const SLOTS = 1 << 16;

/**
 * A direct-mapped cache of (anonymousId, userId) pairs just linked, by their 64-bit hash: most links
 * repeat a recent one, and a pair seen before changes no index entry (the first link stands, or it
 * is already ambiguous), so a false "seen" needs a 64-bit collision between two pairs.
 */
export class RecentPairs {
  readonly #slots = new Uint32Array(2 * SLOTS);

  /** True when the pair was seen lately; else remembers it. */
  seen(anonymousId: string, userId: string): boolean {
    const [hi, lo] = hashId(`${anonymousId}\u0000${userId}`);
    const at = (lo & (SLOTS - 1)) * 2;
    if (this.#slots[at] === hi && this.#slots[at + 1] === lo) return true;
    this.#slots[at] = hi;
    this.#slots[at + 1] = lo;
    return false;
  }
}
