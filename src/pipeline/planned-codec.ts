import type { RequestItem } from '../braze/types.js';
import type { TraceDef } from '../dryrun/trace-keys.js';
import type { Planned, PlanSink } from './plan-record.js';
import { REPLAY_KEYS, SKIPPED } from './plan-replay.js';

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
  readonly json: string;
  readonly traces: Int32Array;
  /** Rejects-file lines and --diff full texts, in record order, for the records that have them. */
  readonly strings: string[];
  readonly defs: TraceDef[];
}

/** Every fate a RecordPlanner gives, by number. */
const FATES: readonly string[] = [REPLAY_KEYS.sent, REPLAY_KEYS.rejected, ...Object.values(SKIPPED)];
const ARRAYS = ['attributes', 'events', 'purchases'];
const FIELDS = 14;

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
  readonly #texts: string[] = [];
  #at = 0;
  readonly #traces: number[] = [];
  readonly #strings: string[] = [];
  #recordItems = 0;
  #recordTraces = 0;
  #recordInvalid = 0;

  /** `capacity`: the most records this chunk will hold (a batch's line count). */
  constructor(capacity: number) {
    this.#ints = new Int32Array(capacity * FIELDS);
    this.#ends = new Float64Array(capacity);
  }

  item(array: string, json: string): void {
    this.#arrays.push(ARRAYS.indexOf(array));
    this.#offsets.push(this.#at);
    this.#texts.push(json);
    this.#at += json.length;
    this.#recordItems++;
  }

  trace(id: number): void {
    this.#traces.push(id);
    this.#recordTraces++;
  }

  invalidUtf8(): void {
    this.#recordInvalid = 1;
  }

  record(
    _file: string, line: number, end: number, fate: string, hash: readonly [number, number] | undefined,
    attributes: number, events: number, purchases: number, dataPoints: number,
    rejectLine: string | undefined, traced: boolean, text: string | undefined,
  ): void {
    const i = this.#count++;
    const ints = this.#ints;
    const o = i * FIELDS;
    ints[o] = line;
    ints[o + 1] = FATES.indexOf(fate);
    ints[o + 2] = hash ? 1 : 0;
    ints[o + 3] = hash ? hash[0] | 0 : 0;
    ints[o + 4] = hash ? hash[1] | 0 : 0;
    ints[o + 5] = this.#recordItems;
    ints[o + 6] = traced ? this.#recordTraces : -1;
    ints[o + 7] = attributes;
    ints[o + 8] = events;
    ints[o + 9] = purchases;
    ints[o + 10] = dataPoints;
    ints[o + 11] = rejectLine === undefined ? 0 : 1;
    ints[o + 12] = text === undefined ? 0 : 1;
    ints[o + 13] = this.#recordInvalid;
    this.#ends[i] = end;
    if (rejectLine !== undefined) this.#strings.push(rejectLine);
    if (text !== undefined) this.#strings.push(text);
    this.#recordItems = 0;
    this.#recordTraces = 0;
    this.#recordInvalid = 0;
  }

  /** The chunk, with the trace definitions made since the last one. */
  finish(defs: TraceDef[]): PlannedChunk {
    const count = this.#count;
    this.#offsets.push(this.#at);
    return {
      count,
      ints: count * FIELDS === this.#ints.length ? this.#ints : this.#ints.slice(0, count * FIELDS),
      ends: count === this.#ends.length ? this.#ends : this.#ends.slice(0, count),
      arrays: Uint8Array.from(this.#arrays),
      offsets: Int32Array.from(this.#offsets),
      json: this.#texts.join(''),
      traces: Int32Array.from(this.#traces),
      strings: this.#strings,
      defs,
    };
  }
}

export function decodeChunk(chunk: PlannedChunk, file: string): Planned[] {
  const { ints, ends, arrays, offsets, json, traces, strings } = chunk;
  const out: Planned[] = new Array(chunk.count);
  let item = 0;
  let trace = 0;
  let string = 0;
  for (let i = 0; i < chunk.count; i++) {
    const o = i * FIELDS;
    const nItems = ints[o + 5]!;
    const items: RequestItem[] = new Array(nItems);
    for (let k = 0; k < nItems; k++, item++) items[k] = { array: ARRAYS[arrays[item]!]!, json: json.slice(offsets[item]!, offsets[item + 1]!) };
    const nTraces = ints[o + 6]!;
    const traceStart = trace;
    if (nTraces > 0) trace += nTraces;
    out[i] = {
      file,
      line: ints[o]!,
      end: ends[i]!,
      fate: FATES[ints[o + 1]!]!,
      hash: ints[o + 2] ? [ints[o + 3]! >>> 0, ints[o + 4]! >>> 0] : undefined,
      items,
      attributes: ints[o + 7]!,
      events: ints[o + 8]!,
      purchases: ints[o + 9]!,
      dataPoints: ints[o + 10]!,
      rejectLine: ints[o + 11] ? strings[string++] : undefined,
      traceIds: nTraces < 0 ? undefined : traces,
      traceStart,
      traceEnd: trace,
      text: ints[o + 12] ? strings[string++] : undefined,
      invalidUtf8: ints[o + 13] === 1,
    };
  }
  return out;
}

/** The buffers to transfer with postMessage. */
export function transferList(chunk: PlannedChunk): ArrayBuffer[] {
  return [chunk.ints.buffer, chunk.ends.buffer, chunk.arrays.buffer, chunk.offsets.buffer, chunk.traces.buffer] as ArrayBuffer[];
}
