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
  readonly counts: Counts = {};
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
}
