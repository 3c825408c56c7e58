import type { Cursor } from '../state/checkpoint.js';

/** Counter keys of the report, e.g. 'records.read', 'records.skipped.anonymous', 'objects.events'. */
export type Counts = Record<string, number>;

export function addCount(counts: Counts, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

/**
 * A record with objects to send, as the acknowledgement side sees it: its objects may sit in two
 * requests, and Braze may refuse one of them after the record was counted as sent.
 */
export interface Ticket {
  readonly file: string;
  readonly line: number;
  /** The counter the record's fate went to (or will go to). */
  fate: string;
  /** Set once the record was counted, to the segment that holds its count. */
  segment: Segment | undefined;
  /** True once any of its objects was refused (locally or by Braze). */
  rejected: boolean;
}

/**
 * The work between two resume points: the records counted since the previous one (their counter
 * deltas and rejects-file lines) and the request that closed it. Segments commit strictly in order,
 * each only once its request (and every earlier one) is acknowledged, so what a checkpoint says was
 * done is always contiguous from the start (style.md habit 5; Vector's ordered finaliser).
 */
export class Segment {
  /** The report's counters; those counted per record wait in `tally` until fold(). */
  readonly counts: Counts = {};
  readonly tally = new Tally();
  readonly rejectLines: string[] = [];
  readonly requestLines: string[] = [];
  records = 0;
  /** Set when the segment is closed. */
  cursor: Cursor | undefined;
  ids = 0;
  nextRequest = 0;
  acked = false;
  /**
   * The record whose objects straddle this segment's end (its first objects are in this segment's
   * request): if Braze refuses one of them, the resume point must say so (cursor.skipRejected).
   */
  spanning: Ticket | undefined;

  /** Moves the per-record counters into `counts` (when the segment is closed, and for progress). */
  fold(readKey: string): void {
    const t = this.tally;
    if (t.read > 0) addCount(this.counts, readKey, t.read);
    for (let i = 0; i < t.fates.length; i++) addCount(this.counts, t.fates[i]!, t.fateCounts[i]!);
    if (t.attributes > 0) addCount(this.counts, 'objects.attributes', t.attributes);
    if (t.events > 0) addCount(this.counts, 'objects.events', t.events);
    if (t.purchases > 0) addCount(this.counts, 'objects.purchases', t.purchases);
    if (t.dataPoints > 0) addCount(this.counts, 'dataPoints', t.dataPoints);
    if (t.invalidUtf8 > 0) addCount(this.counts, 'records.invalidUtf8', t.invalidUtf8);
    t.reset();
  }
}

/**
 * The counters every record adds to, as plain numbers and a short list of fates: counting each
 * record into the report's dictionary by key was about six megamorphic keyed updates per record on
 * the main thread.
 */
export class Tally {
  read = 0;
  attributes = 0;
  events = 0;
  purchases = 0;
  dataPoints = 0;
  /** Records whose text held invalid UTF-8 (a count beside the fates, not one of them). */
  invalidUtf8 = 0;
  /** Fate counter keys (a handful), and how many records went to each. */
  fates: string[] = [];
  fateCounts: number[] = [];

  fate(key: string): void {
    const i = this.fates.indexOf(key);
    if (i >= 0) this.fateCounts[i]!++;
    else {
      this.fates.push(key);
      this.fateCounts.push(1);
    }
  }

  reset(): void {
    this.read = this.attributes = this.events = this.purchases = this.dataPoints = this.invalidUtf8 = 0;
    this.fates = [];
    this.fateCounts = [];
  }
}
