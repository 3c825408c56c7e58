/**
 * The messages of the de-duplication window: a multiset of (64-bit messageId hash, message time in
 * seconds), 12 bytes a slot. A hash may be held more than once, with different times (a message ID
 * seen again after more than the window is a new message, remembered beside the old copy), so the
 * table is a pure function of the entries added and deleted: the order they came in does not matter,
 * which is what lets a resumed run rebuild it exactly from the journal.
 *
 * Split by the top bits of the hash into 64 shards, open-addressed with linear probing (as IdSet). A
 * deletion shifts the entries after it in its run back (no tombstones, so probes stay as short as the
 * fill makes them). A shard grows by half when it is 75% full and is laid out again half full when
 * deletions leave it under 25% full, one shard at a time: the table never holds two copies of
 * itself, and its slots stay within four times its entries.
 */
export class WindowTable {
  readonly #tables: Uint32Array[] = [];
  readonly #slots: number[] = [];
  readonly #sizes: number[] = [];
  #size = 0;

  constructor(capacity = 1 << 14) {
    const slots = Math.max(minSlots, Math.ceil(capacity / shards / maxLoad));
    for (let k = 0; k < shards; k++) {
      this.#tables.push(new Uint32Array(slots * 3));
      this.#slots.push(slots);
      this.#sizes.push(0);
    }
  }

  get size(): number {
    return this.#size;
  }

  /**
   * True when the hash is held with a time that `t` is within `window` seconds of. A time of 0 is
   * "no time": it matches (and is matched by) any time.
   */
  has(hi: number, lo: number, t: number, window: number): boolean {
    if (hi === 0 && lo === 0) lo = 1;
    const k = hi >>> shardShift;
    const table = this.#tables[k]!;
    const slots = this.#slots[k]!;
    let slot = home(lo, slots);
    for (;;) {
      const at = slot * 3;
      const h = table[at]!;
      const l = table[at + 1]!;
      if (h === 0 && l === 0) return false;
      if (h === hi && l === lo) {
        const s = table[at + 2]!;
        if (s === 0 || t === 0 || Math.abs(t - s) <= window) return true;
      }
      if (++slot === slots) slot = 0;
    }
  }

  /** Adds an entry (even when the hash is already held). */
  add(hi: number, lo: number, time: number): void {
    if (hi === 0 && lo === 0) lo = 1;
    const k = hi >>> shardShift;
    place(this.#tables[k]!, this.#slots[k]!, hi, lo, time);
    this.#size++;
    if (++this.#sizes[k]! > this.#slots[k]! * maxLoad) this.#relay(k, Math.ceil(this.#sizes[k]! / midLoad));
  }

  /** Deletes one entry (hash and time); false when there is none. */
  delete(hi: number, lo: number, time: number): boolean {
    if (hi === 0 && lo === 0) lo = 1;
    const k = hi >>> shardShift;
    const table = this.#tables[k]!;
    const slots = this.#slots[k]!;
    let slot = home(lo, slots);
    for (;;) {
      const at = slot * 3;
      const h = table[at]!;
      const l = table[at + 1]!;
      if (h === 0 && l === 0) return false;
      if (h === hi && l === lo && table[at + 2] === time) break;
      if (++slot === slots) slot = 0;
    }
    shiftBack(table, slots, slot);
    this.#size--;
    const size = --this.#sizes[k]!;
    if (slots > minSlots && size < slots * minLoad) this.#relay(k, Math.max(minSlots, Math.ceil(size / midLoad)));
    return true;
  }

  /** Lays shard k out again in `slots` slots, with every entry (growth, or shrinking after deletions). */
  #relay(k: number, slots: number): void {
    const old = this.#tables[k]!;
    const table = new Uint32Array(slots * 3);
    for (let i = 0; i < old.length; i += 3) {
      if (old[i] !== 0 || old[i + 1] !== 0) place(table, slots, old[i]!, old[i + 1]!, old[i + 2]!);
    }
    this.#tables[k] = table;
    this.#slots[k] = slots;
  }
}

const shards = 64;
const shardShift = 32 - Math.log2(shards);
const minSlots = 16;
/** The fullest a shard gets before it grows (linear probing stays short below ~80%). */
const maxLoad = 0.75;
/** The emptiest a shard gets before it shrinks (unless at minSlots). */
const minLoad = 0.25;
/** How full a shard is laid out again, growing or shrinking: either takes a third of its entries more or half of them less. */
const midLoad = 0.5;

function home(lo: number, slots: number): number {
  return Math.floor((lo >>> 0) * slots / 4294967296);
}

function place(table: Uint32Array, slots: number, hi: number, lo: number, time: number): void {
  let slot = home(lo, slots);
  for (;;) {
    const at = slot * 3;
    if (table[at] === 0 && table[at + 1] === 0) {
      table[at] = hi;
      table[at + 1] = lo;
      table[at + 2] = time;
      return;
    }
    if (++slot === slots) slot = 0;
  }
}

/**
 * Empties slot `hole` and moves back into it each later entry of the run whose home slot is not
 * between the hole and itself (Knuth's algorithm R), so that every entry stays reachable from its home.
 */
function shiftBack(table: Uint32Array, slots: number, hole: number): void {
  for (let slot = hole; ; ) {
    if (++slot === slots) slot = 0;
    const at = slot * 3;
    if (table[at] === 0 && table[at + 1] === 0) break;
    const h = home(table[at + 1]!, slots);
    // An entry whose home is after the hole, up to itself, is reached without passing the hole.
    if (hole <= slot ? h > hole && h <= slot : h > hole || h <= slot) continue;
    const to = hole * 3;
    table[to] = table[at]!;
    table[to + 1] = table[at + 1]!;
    table[to + 2] = table[at + 2]!;
    hole = slot;
  }
  table.fill(0, hole * 3, hole * 3 + 3);
}
