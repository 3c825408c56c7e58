import type { RequestItem } from '../../braze/types.js';
import type { DiffMode } from '../../config/options.js';
import { INVALID_UTF8_TEXT, recordText, rejectedText, sampleText } from '../../dryrun/record-text.js';
import { TraceKeys } from '../../dryrun/trace-keys.js';
import type { InputItem } from '../../input/types.js';
import { hashId } from '../../hash.js';
import { windowSeconds } from '../../state/dedup/window.js';
import { parseTime } from '../../transform/time.js';
import { AttributeCutter } from '../../transform/attributes/attribute-pieces.js';
import { dataPoints } from '../../transform/data-points.js';
import { mapMessage } from '../../transform/map-message.js';
import { checkShape } from '../../transform/shape.js';
import { ANONYMOUS, REPLAY_KEYS, SKIPPED, STITCHED, type IdentityKey, type ReplayFate } from '../fates.js';
import type { FieldTrace, MapResult, MappingSettings, SkipReason } from '../../transform/types.js';
import { archivePosition, type Stitching } from '../../transform/stitch.js';
import { tracesReused } from '../../transform/trace.js';
import { SampleNeed } from './sample-need.js';

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
  /** Message time for the duplicate window: receivedAt, else timestamp, in seconds since 1970; 0 when none. */
  readonly time: number;
  readonly attributes: number;
  readonly events: number;
  readonly purchases: number;
  readonly dataPoints: number;
  readonly rejectLine: string | undefined;
  /** Whether diff lines were kept for the record (even none). */
  readonly traced: boolean;
  /** --diff full text. */
  readonly text: string | undefined;
  /** Its text held invalid UTF-8, replaced by U+FFFD (counted in records.invalidUtf8; not a fate). */
  readonly invalidUtf8: boolean;
  /** --stitch: records.stitched, or why an anonymous record stays skipped; undefined for the rest. */
  readonly also: IdentityKey | undefined;
  /** A stitched record's link source ("file:line"), when a diff is kept. */
  readonly link: string | undefined;
  /** With a diff: the message as read (JSON), for the first records of each file (the page's samples). */
  readonly source: string | undefined;
  /** --mapping: the index of the `identifiers` entry that identified the record (records.identifiedBy). */
  readonly identifiedBy: number | undefined;
}

/**
 * One record planned as far as can be done without knowing the rest of the run: its fate by the
 * mapping (not yet "duplicate": that needs every earlier message ID, see decisions/deduplicator.ts), its objects
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
  /** Set on the main thread by --attributes changed (changed-attributes.ts); 0 from the planner. */
  readonly attributesUnchanged: number;
  readonly dataPointsSaved: number;
}

/**
 * Where the planner puts a record, piece by piece: its objects' JSON and its diff lines first, then
 * the record itself. The main thread builds a Planned object (PlannedBuilder); a planning worker
 * writes straight into the chunk it posts (ChunkWriter, planned-codec.ts), with no object per record.
 */
export interface PlanSink<R> {
  /** `attrs`: an attributes object's pieces (attribute-pieces.ts), valid only during the call: copied if kept. */
  item(array: string, json: string, points: number, attrs?: Uint32Array): void;
  trace(id: number): void;
  record(head: RecordHead): R;
}

export class RecordPlanner {
  readonly keys: TraceKeys | undefined;
  readonly #builder = new PlannedBuilder();
  readonly #cutter = new AttributeCutter();

  /** The number of the input file being planned (archive positions, for --stitch). */
  fileIndex = 0;

  constructor(
    private readonly mapping: MappingSettings,
    private readonly diff: DiffMode,
    keys: { base: number; stride: number } = { base: 0, stride: 1 },
    /** --stitch: the identity index's lookups. */
    private readonly stitch?: Stitching,
    /** Whether the page still wants sample texts (sample-need.ts). @default always */
    private readonly samples = new SampleNeed(),
    /**
     * Whether attributes objects are cut into pieces with their values' hashes, which only
     * `--attributes changed` reads (changed-attributes.ts); otherwise they are serialised whole.
     * @default true
     */
    private readonly attributePieces = true,
  ) {
    this.keys = diff === 'none' ? undefined : new TraceKeys(keys.base, keys.stride);
  }

  /** `sourceChars`: the length of the line the record was parsed from, when known (see MapOptions). */
  plan(item: InputItem, sourceChars?: number): Planned {
    return this.planInto(item, this.#builder, sourceChars);
  }

  /** Plans a record into `out` (see PlanSink). */
  planInto<R>(item: InputItem, out: PlanSink<R>, sourceChars?: number): R {
    // A dry run's traces are read here before the next record is mapped: one set serves every record.
    if (this.keys !== undefined) return tracesReused(() => this.#plan(item, out, sourceChars));
    return this.#plan(item, out, sourceChars);
  }

  #plan<R>(item: InputItem, out: PlanSink<R>, sourceChars: number | undefined): R {
    const { file, line, end } = item;
    if (item.kind === 'malformed') return this.#rejected(item, out, item.reason, JSON.stringify({ file, line, reason: item.reason, raw: item.raw }));
    if (item.invalidUtf8) this.#invalidUtf8(out);
    const shape = checkShape(item.value);
    if (!shape.ok) {
      return this.#rejected(item, out, shape.reason, JSON.stringify({ file, line, reason: shape.reason, field: shape.field, record: item.value }));
    }
    const msg = shape.msg;
    const id = msg.messageId;
    const hash = (typeof id === 'string' && id !== '') || typeof id === 'number' ? hashId(String(id)) : undefined;
    // Every record's time (the page's chart), though only one with a messageId is de-duplicated.
    const time = windowSeconds(parseTime(msg.receivedAt) ?? parseTime(msg.timestamp));
    const keys = this.keys;
    const position = archivePosition(this.fileIndex, line);
    const result = mapMessage(msg, this.mapping, { trace: keys !== undefined, sourceChars, stitch: this.stitch, position });
    const also = identityKey(result);
    const link = keys !== undefined && result.fate !== 'skipped' ? result.stitched?.source : undefined;
    const text = this.diff === 'full' ? recordText(`${file}:${line}`, msg, result) + (item.invalidUtf8 ? INVALID_UTF8_TEXT : '') : undefined;
    // A dry run's diff (its page's samples): the text of the first lines of each file, until the page has them all.
    const source = keys !== undefined && line <= SAMPLE_LINES && this.samples.wanted ? sampleText(msg) : undefined;
    if (result.fate === 'skipped') {
      if (keys) {
        // A skipped record's traces: what it would have carried that the diff counts (an anonymous push token).
        for (const t of result.trace) out.trace(keys.field(t));
        out.trace(keys.fate(SKIPPED_LINE[result.reason], result.detail));
      }
      return out.record({ file, line, end, fate: SKIPPED[result.reason], hash, time, attributes: 0, events: 0, purchases: 0, dataPoints: 0, rejectLine: undefined, traced: keys !== undefined, text, invalidUtf8: item.invalidUtf8 === true, also, link, source, identifiedBy: undefined });
    }
    if (keys) {
      for (const t of result.trace) out.trace(keys.field(t));
      if (result.fate === 'rejected') out.trace(keys.fate('rejected', result.reason));
    }
    let attributes = 0;
    let events = 0;
    let purchases = 0;
    let total = 0;
    for (const object of result.objects) {
      let points: number;
      if (object.kind === 'attributes' && this.attributePieces) {
        const pieces = this.#cutter.cut(object.body);
        points = pieces.points;
        out.item(object.kind, pieces.json, points, this.#cutter.words);
      } else {
        points = dataPoints(object);
        out.item(object.kind, JSON.stringify(object.body), points);
      }
      if (object.kind === 'attributes') attributes++;
      else if (object.kind === 'events') events++;
      else purchases++;
      total += points;
    }
    const rejectLine = result.fate === 'rejected' ? JSON.stringify({ file, line, reason: result.reason, field: result.field, record: msg }) : undefined;
    const fate = result.fate === 'sent' ? REPLAY_KEYS.sent : REPLAY_KEYS.rejected;
    return out.record({ file, line, end, fate, hash, time, attributes, events, purchases, dataPoints: total, rejectLine, traced: keys !== undefined, text, invalidUtf8: item.invalidUtf8 === true, also, link, source, identifiedBy: result.identifiedBy });
  }

  /** Shown in the diff as a change of the record's text (and counted through the record's head). */
  #invalidUtf8<R>(out: PlanSink<R>): void {
    if (this.keys) out.trace(this.keys.field(INVALID_UTF8));
  }

  #rejected<R>(item: InputItem, out: PlanSink<R>, reason: string, rejectLine: string): R {
    const { file, line, end } = item;
    if (this.keys) out.trace(this.keys.fate('rejected', reason));
    const text = this.diff === 'full' ? rejectedText(`${file}:${line}`, reason) : undefined;
    return out.record({ file, line, end, fate: REPLAY_KEYS.rejected, hash: undefined, time: 0, attributes: 0, events: 0, purchases: 0, dataPoints: 0, rejectLine, traced: this.keys !== undefined, text, invalidUtf8: false, also: undefined, link: undefined, source: undefined, identifiedBy: undefined });
  }
}

/**
 * The diff line of each skip reason, made once: a line built per skipped record (a third of an
 * archive) was a fresh string for the planner to hash.
 */
const SKIPPED_LINE: { readonly [R in SkipReason]: `skipped: ${R}` } = {
  anonymous: 'skipped: anonymous',
  duplicate: 'skipped: duplicate',
  brazeOrigin: 'skipped: brazeOrigin',
  notMapped: 'skipped: notMapped',
  filtered: 'skipped: filtered',
  unchanged: 'skipped: unchanged',
};

/** The page's samples come from the first lines of each file (the main thread keeps the first few of the run). */
const SAMPLE_LINES = 2;

const INVALID_UTF8: FieldTrace = { from: '(text)', to: '(text)', action: 'changed', reason: 'invalid UTF-8 replaced by U+FFFD' };

/**
 * Builds Planned objects (all of one shape: spreading a shared "empty" object into some of them made
 * the hot path several times slower).
 */
class PlannedBuilder implements PlanSink<Planned> {
  #items: RequestItem[] = [];
  #traces: number[] = [];

  item(array: string, json: string, points: number, attrs?: Uint32Array): void {
    this.#items.push(attrs ? { array, json, points, attrs: attrs.slice() } : { array, json, points });
  }

  trace(id: number): void {
    this.#traces.push(id);
  }

  record(head: RecordHead): Planned {
    const { file, line, end, fate, hash, time, attributes, events, purchases, dataPoints, rejectLine, traced, text, invalidUtf8, also, link, source, identifiedBy } = head;
    const items = this.#items.length > 0 ? this.#items : none;
    const traceIds = traced ? this.#traces : undefined;
    if (items !== none) this.#items = [];
    if (traced) this.#traces = [];
    const traceEnd = traceIds?.length ?? 0;
    return { file, line, end, fate, hash, time, items, attributes, events, purchases, dataPoints, rejectLine, traceIds, traceStart: 0, traceEnd, text, invalidUtf8, attributesUnchanged: 0, dataPointsSaved: 0, also, link, source, identifiedBy };
  }
}

const none: readonly RequestItem[] = [];

/** The identity counter a mapped record adds to (--stitch), if any. */
function identityKey(result: MapResult): IdentityKey | undefined {
  if (result.fate === 'skipped') return result.anonymous === undefined ? undefined : ANONYMOUS[result.anonymous];
  return result.stitched === undefined ? undefined : STITCHED;
}
