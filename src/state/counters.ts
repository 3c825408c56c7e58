import type { SkipReason } from '../transform/types.js';

/**
 * The report's counter keys and the fates a record can end with, as closed unions (style.md habit 3):
 * one module that the planners, the engine, the report and the progress display all read, so that a
 * misspelt key does not compile.
 */

/** Replay's counter keys for the three kinds of fate. */
export const REPLAY_KEYS = { read: 'records.read', sent: 'records.sent', rejected: 'records.rejected' } as const;

/** The counter key of each skip reason. */
export const SKIPPED = {
  anonymous: 'records.skipped.anonymous',
  duplicate: 'records.skipped.duplicate',
  brazeOrigin: 'records.skipped.brazeOrigin',
  notMapped: 'records.skipped.notMapped',
  filtered: 'records.skipped.filtered',
  /** --attributes changed: every attribute the record would set was the value last sent (issue 15). */
  unchanged: 'records.skipped.unchanged',
} as const satisfies Record<SkipReason, `records.skipped.${SkipReason}`>;

/** Delete's counter keys (cli.md: ids.read, ids.deleted, ids.duplicate, ids.rejected). */
export const DELETE_KEYS = { read: 'ids.read', sent: 'ids.deleted', duplicate: 'ids.duplicate', rejected: 'ids.rejected' } as const;

/** How one replay record ended. */
export type ReplayFate = typeof REPLAY_KEYS.sent | typeof REPLAY_KEYS.rejected | (typeof SKIPPED)[SkipReason];
/** How one delete ID ended. */
export type DeleteFate = typeof DELETE_KEYS.sent | typeof DELETE_KEYS.duplicate | typeof DELETE_KEYS.rejected;
/** The counter key a record's fate goes to: every record gets exactly one. */
export type Fate = ReplayFate | DeleteFate;

/** Every fate a replay planner gives, in a fixed order (the worker sends a fate as its index here). */
export const REPLAY_FATES: readonly ReplayFate[] = [REPLAY_KEYS.sent, REPLAY_KEYS.rejected, ...Object.values(SKIPPED)];

/** The counter keys whose meaning the engine needs (replay's or delete's). */
export interface FateKeys {
  readonly read: typeof REPLAY_KEYS.read | typeof DELETE_KEYS.read;
  readonly sent: Fate;
  readonly rejected: Fate;
}

/** Every counter the report knows. */
export type CounterKey =
  | Fate
  | FateKeys['read']
  | 'objects.attributes'
  | 'objects.events'
  | 'objects.purchases'
  | 'objects.attributesUnchanged'
  | 'dataPoints'
  | 'records.invalidUtf8'
  | 'dataPointsSaved'
  | 'dataPoints.requested'
  | 'requests.sent'
  | 'requests.retried'
  | 'requests.inDoubt'
  /** Dry run: requests written to requests.ndjson (the first --keep-requests). */
  | 'requests.kept'
  | 'braze.deleted';

/**
 * The report's counters by key. Keys are strings here because counters come back from a checkpoint;
 * every key written goes through addCount, which takes a CounterKey.
 */
export type Counts = Record<string, number>;

export function addCount(counts: Counts, key: CounterKey, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

/** Adds every counter of `from` into `to`. */
export function addCounts(to: Counts, from: Readonly<Counts>): void {
  for (const key in from) to[key] = (to[key] ?? 0) + from[key]!;
}
