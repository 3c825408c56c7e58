import type { AnonymousWhy } from '../transform/stitch.js';
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

/**
 * `replay --stitch` (cli.md "Identity stitching"): anonymous-only records sent as their user (counted
 * in records.sent too), and why the others stay skipped as anonymous (they add up to
 * records.skipped.anonymous). A record counts to at most one of these, beside its fate.
 */
export const STITCHED = 'records.stitched';
export const ANONYMOUS = {
  unlinked: 'records.anonymous.unlinked',
  ambiguous: 'records.anonymous.ambiguous',
  noAnonymousId: 'records.anonymous.noAnonymousId',
  olderTraits: 'records.anonymous.olderTraits',
} as const satisfies Record<AnonymousWhy, `records.anonymous.${AnonymousWhy}`>;
export type IdentityKey = typeof STITCHED | (typeof ANONYMOUS)[AnonymousWhy];
/** In a fixed order (the worker sends the key as its index here, plus one; 0 is none). */
export const IDENTITY_KEYS: readonly IdentityKey[] = [STITCHED, ...Object.values(ANONYMOUS)];

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
  | IdentityKey
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
  | 'braze.deleted'
  /** --mapping: records sent, by the index of the `identifiers` entry that identified them. */
  | `records.identifiedBy.${number}`;

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

/** The counter of records sent that the `identifiers` entry at `index` identified (report: records.identifiedBy). */
export function identifiedByKey(index: number): `records.identifiedBy.${number}` {
  return `records.identifiedBy.${index}`;
}
