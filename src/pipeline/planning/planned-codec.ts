import type { RequestItem } from '../../braze/types.js';
import type { TraceDef } from '../../dryrun/trace-keys.js';
import type { Planned, PlanSink, RecordHead } from './plan-record.js';
import { IDENTITY_KEYS, REPLAY_FATES } from '../fates.js';

/**
 * A chunk of Planned records as the planning worker posts it: numbers in typed arrays (transferred,
 * not copied) and every object's JSON in one string, so that crossing threads costs a few copies per
 * chunk instead of a structured clone per record.
 */
export interface PlannedChunk {
  readonly count: number;
  readonly ints: Int32Array;
  readonly ends: Float64Array;
  readonly arrays: Uint8Array;
  readonly offsets: Int32Array;
  /** Per item: its data points; where its attribute pieces start in `attrWords` (one more at the end). */
  readonly points: Int32Array;
  readonly attrOffsets: Int32Array;
  readonly attrWords: Uint32Array;
  readonly json: string;
  readonly traces: Int32Array;
  /** Rejects-file lines and --diff full texts, in record order, for the records that have them. */
  readonly strings: string[];
  readonly defs: TraceDef[];
}

/** Where a record's fields start in a chunk: the cursors plannedRecords keeps as it decodes. */
export interface ChunkCursor {
  readonly record: number;
  readonly item: number;
  readonly trace: number;
  readonly string: number;
}

/** Some records of a chunk: those of one small file, in the one chunk of its group (file-groups.ts). */
export interface ChunkPart {
  readonly from: ChunkCursor;
  readonly count: number;
}

const ARRAYS = ['attributes', 'events', 'purchases'];

/**
 * The planned record's layout: where each of its numbers sits in the chunk's `ints` (one row of WIDTH
 * per record). A new field of RecordHead gets a line here, its write in ChunkWriter.record and its
 * read in plannedRecords; the offsets are named, so two fields cannot be swapped by a typo.
 * Strings (rejects line, --diff full text) travel in `strings`; `end` (beyond int32) in `ends`.
 */
export const FIELDS = {
  line: 0,
  fate: 1,
  /** 1 when the record has a messageId hash, then its two halves. */
  hasHash: 2,
  hashHi: 3,
  hashLo: 4,
  /** How many objects (items) the record has. */
  items: 5,
  /** How many diff lines it has, or -1 when none were kept. */
  traces: 6,
  attributes: 7,
  events: 8,
  purchases: 9,
  dataPoints: 10,
  /** 1 when a rejects-file line / a --diff full text follows in `strings`. */
  hasRejectLine: 11,
  hasText: 12,
  /** 1 when the record's text held invalid UTF-8 (replaced by U+FFFD; records.invalidUtf8). */
  invalidUtf8: 13,
  /** Message time for the duplicate window, seconds since 1970 (0: none), read back unsigned. */
  time: 14,
  /** --stitch: the record's identity counter (IDENTITY_KEYS index + 1; 0 none), and 1 when its link source follows in `strings`. */
  also: 15,
  hasLink: 16,
  /** 1 when the record's source text (the page's samples) follows in `strings`. */
  hasSource: 17,
  /** --mapping: the `identifiers` entry that identified the record, + 1 (0: none). */
  identifiedBy: 18,
} as const;
const WIDTH = Object.keys(FIELDS).length;

/**
 * Writes planned records straight into a chunk (a PlanSink): the planning worker makes no object per
 * record. Record fields go to a typed array sized for the batch; objects' JSON and diff lines grow
 * as they come.
 */
export class ChunkWriter implements PlanSink<void> {
  #count = 0;
  readonly #ints: Int32Array;
  readonly #ends: Float64Array;
  readonly #arrays: number[] = [];
  readonly #offsets: number[] = [];
  readonly #points: number[] = [];
  readonly #attrOffsets: number[] = [];
  /** The attributes objects' words, copied in as they come (grown as needed). */
  #attrWords: Uint32Array = new Uint32Array(1024);
  #attrAt = 0;
  readonly #texts: string[] = [];
  #at = 0;
  readonly #traces: number[] = [];
  readonly #strings: string[] = [];
  #recordItems = 0;
  #recordTraces = 0;

  /** `capacity`: the most records this chunk will hold (a batch's line count). */
  constructor(capacity: number) {
    this.#ints = new Int32Array(capacity * WIDTH);
    this.#ends = new Float64Array(capacity);
  }

  /** Where the next record goes (the start of a file's part). */
  get cursor(): ChunkCursor {
    return { record: this.#count, item: this.#arrays.length, trace: this.#traces.length, string: this.#strings.length };
  }

  item(array: string, json: string, points: number, attrs?: Uint32Array): void {
    this.#arrays.push(ARRAYS.indexOf(array));
    this.#offsets.push(this.#at);
    this.#points.push(points);
    this.#attrOffsets.push(this.#attrAt);
    if (attrs) {
      if (this.#attrAt + attrs.length > this.#attrWords.length) this.#attrWords = grownTo(this.#attrWords, this.#attrAt + attrs.length);
      this.#attrWords.set(attrs, this.#attrAt);
      this.#attrAt += attrs.length;
    }
    this.#texts.push(json);
    this.#at += json.length;
    this.#recordItems++;
  }

  trace(id: number): void {
    this.#traces.push(id);
    this.#recordTraces++;
  }

  record(head: RecordHead): void {
    const { hash, rejectLine, text } = head;
    const i = this.#count++;
    const ints = this.#ints;
    const o = i * WIDTH;
    ints[o + FIELDS.line] = head.line;
    ints[o + FIELDS.fate] = REPLAY_FATES.indexOf(head.fate);
    ints[o + FIELDS.hasHash] = hash ? 1 : 0;
    ints[o + FIELDS.hashHi] = hash ? hash[0] | 0 : 0;
    ints[o + FIELDS.hashLo] = hash ? hash[1] | 0 : 0;
    ints[o + FIELDS.items] = this.#recordItems;
    ints[o + FIELDS.traces] = head.traced ? this.#recordTraces : -1;
    ints[o + FIELDS.attributes] = head.attributes;
    ints[o + FIELDS.events] = head.events;
    ints[o + FIELDS.purchases] = head.purchases;
    ints[o + FIELDS.dataPoints] = head.dataPoints;
    ints[o + FIELDS.hasRejectLine] = rejectLine === undefined ? 0 : 1;
    ints[o + FIELDS.hasText] = text === undefined ? 0 : 1;
    ints[o + FIELDS.invalidUtf8] = head.invalidUtf8 ? 1 : 0;
    ints[o + FIELDS.time] = head.time | 0;
    ints[o + FIELDS.also] = head.also === undefined ? 0 : IDENTITY_KEYS.indexOf(head.also) + 1;
    ints[o + FIELDS.hasLink] = head.link === undefined ? 0 : 1;
    ints[o + FIELDS.hasSource] = head.source === undefined ? 0 : 1;
    ints[o + FIELDS.identifiedBy] = head.identifiedBy === undefined ? 0 : head.identifiedBy + 1;
    this.#ends[i] = head.end;
    if (rejectLine !== undefined) this.#strings.push(rejectLine);
    if (text !== undefined) this.#strings.push(text);
    if (head.link !== undefined) this.#strings.push(head.link);
    if (head.source !== undefined) this.#strings.push(head.source);
    this.#recordItems = 0;
    this.#recordTraces = 0;
  }

  /** The chunk, with the trace definitions made since the last one. */
  finish(defs: TraceDef[]): PlannedChunk {
    const count = this.#count;
    this.#offsets.push(this.#at);
    this.#attrOffsets.push(this.#attrAt);
    const attrWords = this.#attrWords.slice(0, this.#attrAt);
    return {
      count,
      ints: count * WIDTH === this.#ints.length ? this.#ints : this.#ints.slice(0, count * WIDTH),
      ends: count === this.#ends.length ? this.#ends : this.#ends.slice(0, count),
      arrays: Uint8Array.from(this.#arrays),
      offsets: Int32Array.from(this.#offsets),
      points: Int32Array.from(this.#points),
      attrOffsets: Int32Array.from(this.#attrOffsets),
      attrWords,
      json: this.#texts.join(''),
      traces: Int32Array.from(this.#traces),
      strings: this.#strings,
      defs,
    };
  }
}

/**
 * The chunk's records (or those of `part`), each decoded as it is taken: a record the run has done
 * with dies young, where a chunk decoded whole (~1,000 records) outlived the run thread's
 * young-generation collections and was copied by each.
 */
export function* plannedRecords(chunk: PlannedChunk, file: string, part?: ChunkPart): Generator<Planned, void, undefined> {
  const { ints, ends, arrays, offsets, json, traces, strings } = chunk;
  const { points, attrOffsets, attrWords } = chunk;
  let { item, trace, string } = part?.from ?? { item: 0, trace: 0, string: 0 };
  const first = part?.from.record ?? 0;
  const end = part ? first + part.count : chunk.count;
  for (let i = first; i < end; i++) {
    const o = i * WIDTH;
    const nItems = ints[o + FIELDS.items]!;
    const items: RequestItem[] = new Array(nItems);
    for (let k = 0; k < nItems; k++, item++) {
      const array = ARRAYS[arrays[item]!]!;
      const text = json.slice(offsets[item]!, offsets[item + 1]!);
      const a = attrOffsets[item]!;
      const b = attrOffsets[item + 1]!;
      items[k] = b > a ? { array, json: text, points: points[item]!, attrs: attrWords.subarray(a, b) } : { array, json: text, points: points[item]! };
    }
    const nTraces = ints[o + FIELDS.traces]!;
    const traceStart = trace;
    if (nTraces > 0) trace += nTraces;
    yield {
      file,
      line: ints[o + FIELDS.line]!,
      end: ends[i]!,
      fate: REPLAY_FATES[ints[o + FIELDS.fate]!]!,
      hash: ints[o + FIELDS.hasHash] ? [ints[o + FIELDS.hashHi]! >>> 0, ints[o + FIELDS.hashLo]! >>> 0] : undefined,
      items,
      attributes: ints[o + FIELDS.attributes]!,
      events: ints[o + FIELDS.events]!,
      purchases: ints[o + FIELDS.purchases]!,
      dataPoints: ints[o + FIELDS.dataPoints]!,
      rejectLine: ints[o + FIELDS.hasRejectLine] ? strings[string++] : undefined,
      traceIds: nTraces < 0 ? undefined : traces,
      traceStart,
      traceEnd: trace,
      text: ints[o + FIELDS.hasText] ? strings[string++] : undefined,
      invalidUtf8: ints[o + FIELDS.invalidUtf8] === 1,
      time: ints[o + FIELDS.time]! >>> 0,
      attributesUnchanged: 0,
      dataPointsSaved: 0,
      also: ints[o + FIELDS.also] ? IDENTITY_KEYS[ints[o + FIELDS.also]! - 1] : undefined,
      link: ints[o + FIELDS.hasLink] ? strings[string++] : undefined,
      source: ints[o + FIELDS.hasSource] ? strings[string++] : undefined,
      identifiedBy: ints[o + FIELDS.identifiedBy] ? ints[o + FIELDS.identifiedBy]! - 1 : undefined,
    };
  }
}

/** A copy of `words` with room for `least` words at least (twice its size, or more). */
function grownTo(words: Uint32Array, least: number): Uint32Array {
  const more = new Uint32Array(Math.max(words.length * 2, least));
  more.set(words);
  return more;
}

/** The buffers to transfer with postMessage. */
export function transferList(chunk: PlannedChunk): ArrayBuffer[] {
  const { ints, ends, arrays, offsets, traces, points, attrOffsets, attrWords } = chunk;
  const large = [ints, ends, arrays, offsets, traces, points, attrOffsets, attrWords].filter((a) => a.byteLength >= TRANSFER_BYTES);
  return large.map((a) => a.buffer) as ArrayBuffer[];
}

/**
 * Arrays smaller than this are copied by postMessage, not transferred: a transfer costs more than
 * copying a few KiB. Measured on 1,000,000 messages in 20,000 files (a chunk of ~50 records a file,
 * eight arrays of 40 B to 3.4 KB): the run's CPU fell from 33.0 to 25.8 s (machine loaded, one run each).
 */
const TRANSFER_BYTES = 16 << 10;
