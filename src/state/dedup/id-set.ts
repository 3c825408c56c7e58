/**
 * A compact set of 64-bit hashes of message IDs (or user IDs, for delete): 8 bytes a slot, about 15
 * bytes per ID (a Set of strings would take ~100 bytes per 36-character ID). A false "duplicate" needs
 * a 64-bit collision: about 1 in 3·10^6 for a run of 10 million IDs.
 *
 * It is split by the top bits of the hash into 64 shards, open-addressed tables with linear probing,
 * each growing by half on its own when it is full enough. Each shard has its own fill limit, spread
 * over one growth step (80% down to 53%), so that the shards grow one after another as IDs come in:
 * the set's memory rises smoothly with its size instead of in steps, and never holds an old and a new
 * copy of all of itself at once (one table that doubled from 32 to 64 MB at ~2 million IDs was the
 * peak of a 4-million-message run). Any slot count works: a hash is mapped onto a table by
 * multiplication, not masking.
 */
export class IdSet {
  readonly #tables: Uint32Array[] = [];
  readonly #slots: number[] = [];
  readonly #sizes: number[] = [];
  readonly #limits: number[] = [];
  #size = 0;

  constructor(capacity = 1 << 16) {
    // Every shard starts at the same size, so their different limits make them grow at different times.
    const slots = Math.max(16, Math.ceil(capacity / shards / load(0)));
    for (let k = 0; k < shards; k++) {
      this.#tables.push(new Uint32Array(slots * 2));
      this.#slots.push(slots);
      this.#sizes.push(0);
      this.#limits.push(Math.floor(slots * load(k)));
    }
  }

  get size(): number {
    return this.#size;
  }

  /** Adds the hash (hi, lo); returns false when it was already there. (0, 0) is remapped to (0, 1). */
  add(hi: number, lo: number): boolean {
    if (hi === 0 && lo === 0) lo = 1;
    const k = hi >>> shardShift;
    if (!insert(this.#tables[k]!, this.#slots[k]!, hi, lo)) return false;
    this.#size++;
    if (++this.#sizes[k]! > this.#limits[k]!) this.#grow(k);
    return true;
  }

  #grow(k: number): void {
    const old = this.#tables[k]!;
    const slots = Math.ceil(this.#slots[k]! * 1.5);
    const table = new Uint32Array(slots * 2);
    for (let i = 0; i < old.length; i += 2) {
      if (old[i] !== 0 || old[i + 1] !== 0) insert(table, slots, old[i]!, old[i + 1]!);
    }
    this.#tables[k] = table;
    this.#slots[k] = slots;
    this.#limits[k] = Math.floor(slots * load(k));
  }
}

/** Shards, a power of two: a hash's shard is the top log2(shards) bits of its high half. */
const shards = 64;
const shardShift = 32 - Math.log2(shards);

/**
 * Shard k's fill limit: from 80% down to 80% / 1.5. At 80%, linear probing takes ~3 probes to find an
 * ID and ~13 (adjacent slots, one or two cache lines) to place a new one; that is the fullest a shard gets.
 */
function load(k: number): number {
  return 0.8 / 1.5 ** (k / shards);
}

/** Linear probing from the slot `lo` maps to; false when (hi, lo) is already in the table. */
function insert(table: Uint32Array, slots: number, hi: number, lo: number): boolean {
  let slot = Math.floor((lo >>> 0) * slots / 4294967296);
  for (;;) {
    const at = slot * 2;
    const h = table[at]!;
    const l = table[at + 1]!;
    if (h === 0 && l === 0) {
      table[at] = hi;
      table[at + 1] = lo;
      return true;
    }
    if (h === hi && l === lo) return false;
    if (++slot === slots) slot = 0;
  }
}
