import type { RequestItem } from '../braze/types.js';
import type { CounterKey, Fate } from './fates.js';

/** One input record after planning: its fate and the request items it contributes. */
export interface Unit {
  readonly file: string;
  readonly line: number;
  /** Byte offset after the record (resume seeks here in plain NDJSON). */
  readonly end: number;
  /** Counter key of the record's fate ('records.sent', 'records.skipped.duplicate', 'ids.deleted', ...). */
  readonly fate: Fate;
  readonly items: readonly RequestItem[];
  /** Objects by kind and Braze data points this record contributes (replay). */
  readonly attributes?: number;
  readonly events?: number;
  readonly purchases?: number;
  readonly dataPoints?: number;
  /** Its text held invalid UTF-8 (records.invalidUtf8, whatever the fate). */
  readonly invalidUtf8?: boolean;
  /** --attributes changed: attribute values left out (already sent), and the data points that saved. */
  readonly attributesUnchanged?: number;
  readonly dataPointsSaved?: number;
  /** A counter the record adds to beside its fate (--stitch: records.stitched, records.anonymous.*). */
  readonly also?: CounterKey | undefined;
  /** --mapping: the `identifiers` entry that identified the record; counted when it is sent (records.identifiedBy). */
  readonly identifiedBy?: number | undefined;
  /** A rejects-file line for a record rejected before sending. */
  readonly rejectLine?: string;
}
