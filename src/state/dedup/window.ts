import { WindowLog } from './window-log.js';
import { WindowVotes } from './window-votes.js';
import { WindowTable } from './window-table.js';

/** Where the filter's writes and clock moves go (the journal, window-journal.ts). */
export interface WindowSink {
  write(hi: number, lo: number, time: number): void;
  /** The clock moved to bucket `bucket` and entries were dropped (see DedupWindow.oldest). */
  moved(bucket: number): void;
}

/** The clock is looked at again every this many messages remembered. */
const EVERY = 64;

/**
 * The duplicate filter over a window of message time (cli.md "Duplicates"). A message at time t (its
 * receivedAt, else its timestamp, in seconds; 0 when it has neither) is a duplicate when its
 * messageId was remembered with a time within `window` seconds of t. Pure and in memory; deterministic
 * in the order of the messages checked, whatever the threads that planned them.
 *
 * Time is cut into buckets of window/16. Every 64 messages remembered, the clock moves to the median
 * bucket of those remembered since it last moved: messages with a wrong time do not move it unless
 * they are half of them, while a jump of the archive's order (Segment's layout reads one source's
 * whole history, then goes back in time for the next) moves it within a bucket's worth of messages.
 * When the clock moves, entries farther than the window (plus two to three buckets) from it are
 * dropped, so memory holds about one window of messages: those within the window of the clock when
 * entries were last dropped and those remembered since. Each takes 12 bytes in the table (25-75%
 * full) and 16 in the log (a third to all full): 32 to 96 bytes an entry, 32 to 48 while the window
 * slides steadily (the table alone, laid out again at every drop, took 16 to 23). A message without a
 * time is checked against every entry and remembered at the clock.
 *
 * The guarantee: a copy within the window of an earlier copy is always caught, unless between the two
 * the clock moved more than the window away from the earlier copy's time.
 */
export class DedupWindow {
  readonly table = new WindowTable();
  /** Bucket width in seconds. */
  readonly width: number;
  /** Buckets kept on each side of the clock's. */
  readonly reach: number;
  /** The entries in the order written, for dropping them (none for the whole run: nothing is dropped). */
  readonly #log: WindowLog | undefined;
  #clock: number | undefined;
  readonly #votes = new WindowVotes();
  /** Entries written (by checks and by a resumed run's replay). */
  #written = 0;
  /** The clock's bucket when entries were last dropped. */
  #dropped: number | undefined;

  /** `window`: seconds, or Infinity for the whole run (nothing is ever dropped). */
  constructor(
    readonly window: number,
    private readonly sink: WindowSink,
  ) {
    this.width = Number.isFinite(window) ? Math.max(1, Math.floor(window / 16)) : Infinity;
    this.reach = Number.isFinite(window) ? Math.ceil(window / this.width) + 1 : Infinity;
    this.#log = Number.isFinite(window) ? new WindowLog() : undefined;
  }

  /** How many entries were written before the oldest one still held (all, when none is). */
  get oldest(): number {
    return this.#log === undefined ? 0 : this.#log.oldest(this.#written);
  }

  /** The clock's bucket (undefined before the first message with a time). */
  get clock(): number | undefined {
    return this.#clock;
  }

  /** Checks a message: false when it is a duplicate; otherwise remembers it and returns true. */
  check(hi: number, lo: number, time: number): boolean {
    if (this.table.has(hi, lo, time, this.window)) return false;
    this.write(hi, lo, time === 0 ? this.#now() : time);
    return true;
  }

  /** Remembers an entry (a check that found no duplicate; a resumed run replaying its journal). */
  write(hi: number, lo: number, time: number): void {
    this.table.add(hi, lo, time);
    this.sink.write(hi, lo, time);
    const seq = this.#written++;
    if (this.#log === undefined) return;
    this.#log.add(hi, lo, time, seq);
    if (time !== 0) this.#vote(Math.floor(time / this.width));
  }

  /** Where a resumed run's journal segment starts: the clock as it was, no votes yet. */
  restart(clock: number | undefined): void {
    this.#clock = clock;
    this.#dropped = clock;
    this.#votes.clear();
  }

  /** The time a message without one is remembered at: the middle of the clock's bucket. */
  #now(): number {
    return this.#clock === undefined || this.width === Infinity ? 0 : this.#clock * this.width + Math.floor(this.width / 2);
  }

  #vote(bucket: number): void {
    if (this.#clock === undefined) this.#clock = bucket;
    this.#votes.add(bucket);
    if (this.#votes.count % EVERY !== 0) return;
    const median = this.#votes.median();
    if (median !== this.#clock) this.#move(median);
  }

  /**
   * The clock moves; entries are dropped once it is two buckets from where they were last dropped.
   * (The rule dates from when a drop scanned the whole table, which at every bucket was a tenth of a
   * sparse archive's main thread; it stays, as it decides which entries are held, and a resumed run
   * replays it.)
   */
  #move(bucket: number): void {
    this.#clock = bucket;
    this.#votes.clear();
    if (this.#dropped !== undefined && Math.abs(bucket - this.#dropped) < 2) return;
    this.#dropped = bucket;
    const from = bucket - this.reach;
    const to = bucket + this.reach;
    this.#log!.keep(from * this.width, (to + 1) * this.width - 1, this.table);
    this.sink.moved(bucket);
  }
}

/** Seconds since 1970 of a time in ms, as the filter takes it: 0 (no time) outside 1970-2106. */
export function windowSeconds(ms: number | undefined): number {
  if (ms === undefined || !(ms >= 1000) || ms >= 4294967296000) return 0;
  return Math.floor(ms / 1000);
}
