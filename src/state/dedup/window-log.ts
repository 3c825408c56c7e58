import type { WindowTable } from './window-table.js';

/** The fewest entries the log has room for. */
const MIN_ENTRIES = 1024;

/**
 * The duplicate window's entries (hash hi, lo, time and the count of entries written before it, 16
 * bytes each) in the order they were written. Dropping the entries outside a range of time reads
 * them in that order, deletes from the table only those it drops and moves the others up over them:
 * the table itself is never scanned.
 * Drops come at most once every two buckets of the clock's travel (window.ts), so in an archive read
 * in order of time an entry is read about reach/2 (~9) times before it is dropped: sequential reads,
 * where laying the table's 64 shards out again at each drop cost a random write for every entry kept.
 * The checks of a year-long archive's 1,000,000 messages (48 h window, no journal) took 350 ms of
 * CPU that way, 165 ms this way.
 *
 * Being in order, the log also says which was the oldest entry still held: the journal's segments
 * written before it can go (window-journal.ts). It grows by half when full and is reallocated two
 * thirds full when under a third full: 16 to 48 bytes an entry.
 */
export class WindowLog {
  #entries = new Uint32Array(MIN_ENTRIES * 4);
  #length = 0;

  /** Adds an entry; `seq`: how many were written before it. */
  add(hi: number, lo: number, time: number, seq: number): void {
    if (this.#length * 4 === this.#entries.length) this.#resize(Math.ceil(this.#length * 1.5));
    const entries = this.#entries;
    const at = this.#length++ * 4;
    entries[at] = hi;
    entries[at + 1] = lo;
    entries[at + 2] = time;
    entries[at + 3] = seq;
  }

  /**
   * How many entries were written before the oldest one held; `written` when none is. (A seq is kept
   * modulo 2^32: the oldest entry held is never 2^32 entries old.)
   */
  oldest(written: number): number {
    if (this.#length === 0) return written;
    return written - ((written - this.#entries[3]!) % 4294967296);
  }

  /** Drops every entry whose time is outside [from, to], deleting it from `table`; returns how many. */
  keep(from: number, to: number, table: WindowTable): number {
    const entries = this.#entries;
    const end = this.#length * 4;
    let kept = 0;
    for (let at = 0; at < end; at += 4) {
      const time = entries[at + 2]!;
      if (time >= from && time <= to) {
        if (kept !== at) {
          entries[kept] = entries[at]!;
          entries[kept + 1] = entries[at + 1]!;
          entries[kept + 2] = time;
          entries[kept + 3] = entries[at + 3]!;
        }
        kept += 4;
      } else if (!table.delete(entries[at]!, entries[at + 1]!, time)) {
        throw new Error('The duplicate window lost an entry: its table and its log differ');
      }
    }
    const dropped = this.#length - kept / 4;
    this.#length = kept / 4;
    if (this.#length * 12 < entries.length && entries.length > MIN_ENTRIES * 4) this.#resize(Math.max(MIN_ENTRIES, Math.ceil(this.#length * 1.5)));
    return dropped;
  }

  #resize(entries: number): void {
    const resized = new Uint32Array(entries * 4);
    resized.set(this.#entries.subarray(0, this.#length * 4));
    this.#entries = resized;
  }
}
