import type { WindowTable } from './window-table.js';

/** The fewest entries the log has room for. */
const MIN_ENTRIES = 1024;

/**
 * The duplicate window's entries (hash hi, lo and time, 12 bytes each) in the order they were
 * written. Dropping the entries outside a range of time reads them in that order, deletes from the
 * table only those it drops and moves the others up over them: the table itself is never scanned.
 * Drops come at most once every two buckets of the clock's travel (window.ts), so in an archive read
 * in order of time an entry is read about reach/2 (~9) times before it is dropped: sequential reads,
 * where laying the table's 64 shards out again at each drop cost a random write for every entry kept.
 * The checks of a year-long archive's 1,000,000 messages (48 h window, no journal) took 350 ms of
 * CPU that way, 165 ms this way.
 *
 * The log grows by half when full and is reallocated two thirds full when under a third full: 12 to
 * 36 bytes an entry.
 */
export class WindowLog {
  #entries = new Uint32Array(MIN_ENTRIES * 3);
  #length = 0;

  add(hi: number, lo: number, time: number): void {
    if (this.#length * 3 === this.#entries.length) this.#resize(Math.ceil(this.#length * 1.5));
    const entries = this.#entries;
    const at = this.#length++ * 3;
    entries[at] = hi;
    entries[at + 1] = lo;
    entries[at + 2] = time;
  }

  /** Drops every entry whose time is outside [from, to], deleting it from `table`; returns how many. */
  keep(from: number, to: number, table: WindowTable): number {
    const entries = this.#entries;
    const end = this.#length * 3;
    let kept = 0;
    for (let at = 0; at < end; at += 3) {
      const time = entries[at + 2]!;
      if (time >= from && time <= to) {
        if (kept !== at) {
          entries[kept] = entries[at]!;
          entries[kept + 1] = entries[at + 1]!;
          entries[kept + 2] = time;
        }
        kept += 3;
      } else if (!table.delete(entries[at]!, entries[at + 1]!, time)) {
        throw new Error('The duplicate window lost an entry: its table and its log differ');
      }
    }
    const dropped = this.#length - kept / 3;
    this.#length = kept / 3;
    if (this.#length * 9 < entries.length && entries.length > MIN_ENTRIES * 3) this.#resize(Math.max(MIN_ENTRIES, Math.ceil(this.#length * 1.5)));
    return dropped;
  }

  #resize(entries: number): void {
    const resized = new Uint32Array(entries * 3);
    resized.set(this.#entries.subarray(0, this.#length * 3));
    this.#entries = resized;
  }
}
