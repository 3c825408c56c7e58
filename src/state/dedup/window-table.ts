/**
 * The messages of the de-duplication window: a multiset of (64-bit messageId hash, message time in
 * seconds), 12 bytes a slot. A hash may be held more than once, with different times (a message ID
 * seen again after more than the window is a new message, remembered beside the old copy), so the
 * table is a pure function of the entries written and the ranges kept: the order they came in does
 * not matter, which is what lets a resumed run rebuild it exactly from the journal.
 *
 * Split by the top bits of the hash into 64 shards, open-addressed with linear probing (as IdSet);
 * `keep` rebuilds one shard at a time, so evicting never holds two copies of the whole table.
 */
export class WindowTable {
  readonly #tables: Uint32Array[] = [];
  readonly #slots: number[] = [];
  readonly #sizes: number[] = [];
  #size = 0;
  /** Where keep() collects a shard's live entries (hash hi, lo, time). */
  #scratch = new Uint32Array(3 * 1024);

  constructor(capacity = 1 << 14) {
    const slots = Math.max(16, Math.ceil(capacity / shards / maxLoad));
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
    if (++this.#sizes[k]! > this.#slots[k]! * maxLoad) this.#rebuild(k, Math.ceil(this.#slots[k]! * 1.5));
  }

  /** Drops every entry whose time is outside [from, to]; returns how many were dropped. */
  keep(from: number, to: number): number {
    const before = this.#size;
    for (let k = 0; k < shards; k++) {
      const live = this.#collect(k, from, to);
      if (live < this.#sizes[k]!) this.#place(k, Math.max(16, Math.ceil(live / (maxLoad * 0.7))), live);
    }
    return before - this.#size;
  }

  /** Copies shard k's entries whose time is in [from, to] to the scratch array; returns how many. */
  #collect(k: number, from: number, to: number): number {
    const table = this.#tables[k]!;
    if (this.#scratch.length < this.#sizes[k]! * 3) this.#scratch = new Uint32Array(this.#sizes[k]! * 6);
    const kept = this.#scratch;
    let live = 0;
    for (let i = 0; i < table.length; i += 3) {
      const t = table[i + 2]!;
      if ((table[i] !== 0 || table[i + 1] !== 0) && t >= from && t <= to) {
        kept[live * 3] = table[i]!;
        kept[live * 3 + 1] = table[i + 1]!;
        kept[live * 3 + 2] = t;
        live++;
      }
    }
    return live;
  }

  /** Lays shard k out in `slots` slots with the `live` entries collected (its table reused when the size stays). */
  #place(k: number, slots: number, live: number): void {
    const table = slots === this.#slots[k]! ? this.#tables[k]!.fill(0) : new Uint32Array(slots * 3);
    const kept = this.#scratch;
    for (let e = 0; e < live * 3; e += 3) place(table, slots, kept[e]!, kept[e + 1]!, kept[e + 2]!);
    this.#size += live - this.#sizes[k]!;
    this.#tables[k] = table;
    this.#slots[k] = slots;
    this.#sizes[k] = live;
  }

  /** Re-lays shard k out in `slots` slots, with every entry (growth). */
  #rebuild(k: number, slots: number): void {
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
/** The fullest a shard gets before it grows by half (linear probing stays short below ~80%). */
const maxLoad = 0.75;

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
