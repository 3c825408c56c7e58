import type { RequestItem } from '../braze/types.js';
import type { DiffMode } from '../config/options.js';
import { recordText } from '../dryrun/record-text.js';
import { TraceKeys } from '../dryrun/trace-keys.js';
import type { InputItem } from '../input/types.js';
import { hashId } from '../state/id-set.js';
import { dataPoints } from '../transform/data-points.js';
import { mapMessage } from '../transform/map-message.js';
import { checkShape } from '../transform/shape.js';
import { ANONYMOUS, REPLAY_KEYS, SKIPPED, STITCHED, type IdentityKey, type ReplayFate } from '../state/counters.js';
import type { MapResult, MappingSettings } from '../transform/types.js';
import { archivePosition, type Stitching } from '../transform/stitch.js';

/**
 * What the planner says of one record besides its objects and diff lines: the named fields that cross
 * from the planning worker to the main thread (planned-codec.ts lays them out). A field the main
 * thread needs (event time, a hash) is added here and in the codec's FIELDS table.
 */
export interface RecordHead {
  readonly file: string;
  readonly line: number;
  /** Byte offset after the record (resume seeks here in plain NDJSON). */
  readonly end: number;
  /** Counter key of the fate: 'records.sent', 'records.rejected', 'records.skipped.<reason>'. */
  readonly fate: ReplayFate;
  /** Hash of the messageId (hi, lo), or undefined when the record is rejected before de-duplication. */
  readonly hash: readonly [number, number] | undefined;
  readonly attributes: number;
  readonly events: number;
  readonly purchases: number;
  readonly dataPoints: number;
  readonly rejectLine: string | undefined;
  /** Whether diff lines were kept for the record (even none). */
  readonly traced: boolean;
  /** --diff full text. */
  readonly text: string | undefined;
  /** --stitch: records.stitched, or why an anonymous record stays skipped; undefined for the rest. */
  readonly also: IdentityKey | undefined;
  /** A stitched record's link source ("file:line"), when a diff is kept. */
  readonly link: string | undefined;
}

/**
 * One record planned as far as can be done without knowing the rest of the run: its fate by the
 * mapping (not yet "duplicate": that needs every earlier message ID, see dedup.ts), its objects
 * already serialised, its counters, rejects-file line and diff lines. Pure; runs in the planning
 * worker (or on the main thread for stdin).
 */
export interface Planned extends Omit<RecordHead, 'traced'> {
  readonly items: readonly RequestItem[];
  /**
   * Diff line numbers (TraceKeys) when a diff is kept: `traceIds[traceStart .. traceEnd)`. A decoded
   * chunk's records share one array (no array per record on the main thread).
   */
  readonly traceIds: ArrayLike<number> | undefined;
  readonly traceStart: number;
  readonly traceEnd: number;
}

/**
 * Where the planner puts a record, piece by piece: its objects' JSON and its diff lines first, then
 * the record itself. The main thread builds a Planned object (PlannedBuilder); a planning worker
 * writes straight into the chunk it posts (ChunkWriter, planned-codec.ts), with no object per record.
 */
export interface PlanSink<R> {
  item(array: string, json: string): void;
  trace(id: number): void;
  record(head: RecordHead): R;
}

export class RecordPlanner {
  readonly keys: TraceKeys | undefined;
  readonly #builder = new PlannedBuilder();

  /** The number of the input file being planned (archive positions, for --stitch). */
  fileIndex = 0;

  constructor(
    private readonly mapping: MappingSettings,
    private readonly diff: DiffMode,
    keys: { base: number; stride: number } = { base: 0, stride: 1 },
    /** --stitch: the identity index's lookups. */
    private readonly stitch?: Stitching,
  ) {
    this.keys = diff === 'none' ? undefined : new TraceKeys(keys.base, keys.stride);
  }

  /** `sourceChars`: the length of the line the record was parsed from, when known (see MapOptions). */
  plan(item: InputItem, sourceChars?: number): Planned {
    return this.planInto(item, this.#builder, sourceChars);
  }

  /** Plans a record into `out` (see PlanSink). */
  planInto<R>(item: InputItem, out: PlanSink<R>, sourceChars?: number): R {
    const { file, line, end } = item;
    if (item.kind === 'malformed') return this.#rejected(item, out, item.reason, JSON.stringify({ file, line, reason: item.reason, raw: item.raw }));
    const shape = checkShape(item.value);
    if (!shape.ok) {
      return this.#rejected(item, out, shape.reason, JSON.stringify({ file, line, reason: shape.reason, field: shape.field, record: item.value }));
    }
    const msg = shape.msg;
    const id = msg.messageId;
    const hash = (typeof id === 'string' && id !== '') || typeof id === 'number' ? hashId(String(id)) : undefined;
    const keys = this.keys;
    const position = archivePosition(this.fileIndex, line);
    const result = mapMessage(msg, this.mapping, { trace: keys !== undefined, sourceChars, stitch: this.stitch, position });
    const also = identityKey(result);
    const link = keys !== undefined && result.fate !== 'skipped' ? result.stitched?.source : undefined;
    const text = this.diff === 'full' ? recordText(`${file}:${line}`, msg, result) : undefined;
    if (result.fate === 'skipped') {
      if (keys) out.trace(keys.fate(`skipped: ${result.reason}`, result.detail));
      return out.record({ file, line, end, fate: SKIPPED[result.reason], hash, attributes: 0, events: 0, purchases: 0, dataPoints: 0, rejectLine: undefined, traced: keys !== undefined, text, also, link });
    }
    if (keys) {
      for (const t of result.trace) out.trace(keys.field(t));
      if (result.fate === 'rejected') out.trace(keys.fate('rejected', result.reason));
    }
    let attributes = 0;
    let events = 0;
    let purchases = 0;
    let points = 0;
    for (const object of result.objects) {
      out.item(object.kind, JSON.stringify(object.body));
      if (object.kind === 'attributes') attributes++;
      else if (object.kind === 'events') events++;
      else purchases++;
      points += dataPoints(object);
    }
    const rejectLine = result.fate === 'rejected' ? JSON.stringify({ file, line, reason: result.reason, field: result.field, record: msg }) : undefined;
    const fate = result.fate === 'sent' ? REPLAY_KEYS.sent : REPLAY_KEYS.rejected;
    return out.record({ file, line, end, fate, hash, attributes, events, purchases, dataPoints: points, rejectLine, traced: keys !== undefined, text, also, link });
  }

  #rejected<R>(item: InputItem, out: PlanSink<R>, reason: string, rejectLine: string): R {
    const { file, line, end } = item;
    if (this.keys) out.trace(this.keys.fate('rejected', reason));
    const text = this.diff === 'full' ? `${file}:${line}  rejected: ${reason}\n` : undefined;
    return out.record({ file, line, end, fate: REPLAY_KEYS.rejected, hash: undefined, attributes: 0, events: 0, purchases: 0, dataPoints: 0, rejectLine, traced: this.keys !== undefined, text, also: undefined, link: undefined });
  }
}

/**
 * Builds Planned objects (all of one shape: spreading a shared "empty" object into some of them made
 * the hot path several times slower).
 */
class PlannedBuilder implements PlanSink<Planned> {
  #items: RequestItem[] = [];
  #traces: number[] = [];

  item(array: string, json: string): void {
    this.#items.push({ array, json });
  }

  trace(id: number): void {
    this.#traces.push(id);
  }

  record(head: RecordHead): Planned {
    const { file, line, end, fate, hash, attributes, events, purchases, dataPoints, rejectLine, traced, text, also, link } = head;
    const items = this.#items.length > 0 ? this.#items : none;
    const traceIds = traced ? this.#traces : undefined;
    if (items !== none) this.#items = [];
    if (traced) this.#traces = [];
    const traceEnd = traceIds?.length ?? 0;
    return { file, line, end, fate, hash, items, attributes, events, purchases, dataPoints, rejectLine, traceIds, traceStart: 0, traceEnd, text, also, link };
  }
}

const none: readonly RequestItem[] = [];

/** The identity counter a mapped record adds to (--stitch), if any. */
function identityKey(result: MapResult): IdentityKey | undefined {
  if (result.fate === 'skipped') return result.anonymous === undefined ? undefined : ANONYMOUS[result.anonymous];
  return result.stitched === undefined ? undefined : STITCHED;
}
