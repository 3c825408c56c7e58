import type { RequestItem } from '../braze/types.js';
import type { TraceDef } from '../dryrun/trace-keys.js';
import { SKIPPED, type Planned } from './plan-record.js';
import { REPLAY_KEYS } from './plan-replay.js';

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
const FIELDS = 13;

export function encodeChunk(planned: readonly Planned[], defs: TraceDef[]): PlannedChunk {
  const ints = new Int32Array(planned.length * FIELDS);
  const ends = new Float64Array(planned.length);
  let itemCount = 0;
  let traceCount = 0;
  for (const p of planned) {
    itemCount += p.items.length;
    traceCount += p.traceIds ? p.traceEnd - p.traceStart : 0;
  }
  const arrays = new Uint8Array(itemCount);
  const offsets = new Int32Array(itemCount + 1);
  const traces = new Int32Array(traceCount);
  const texts: string[] = [];
  const strings: string[] = [];
  let at = 0;
  let item = 0;
  let trace = 0;
  planned.forEach((p, i) => {
    const o = i * FIELDS;
    ints[o] = p.line;
    ints[o + 1] = FATES.indexOf(p.fate);
    ints[o + 2] = p.hash ? 1 : 0;
    ints[o + 3] = p.hash ? p.hash[0] | 0 : 0;
    ints[o + 4] = p.hash ? p.hash[1] | 0 : 0;
    ints[o + 5] = p.items.length;
    ints[o + 6] = p.traceIds ? p.traceEnd - p.traceStart : -1;
    ints[o + 7] = p.attributes;
    ints[o + 8] = p.events;
    ints[o + 9] = p.purchases;
    ints[o + 10] = p.dataPoints;
    ints[o + 11] = p.rejectLine === undefined ? 0 : 1;
    ints[o + 12] = p.text === undefined ? 0 : 1;
    ends[i] = p.end;
    for (const it of p.items) {
      const text = it.json ?? JSON.stringify(it.value);
      arrays[item] = ARRAYS.indexOf(it.array);
      offsets[item] = at;
      texts.push(text);
      at += text.length;
      item++;
    }
    if (p.traceIds) for (let t = p.traceStart; t < p.traceEnd; t++) traces[trace++] = p.traceIds[t]!;
    if (p.rejectLine !== undefined) strings.push(p.rejectLine);
    if (p.text !== undefined) strings.push(p.text);
  });
  offsets[itemCount] = at;
  return { count: planned.length, ints, ends, arrays, offsets, json: texts.join(''), traces, strings, defs };
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
    };
  }
  return out;
}

/** The buffers to transfer with postMessage. */
export function transferList(chunk: PlannedChunk): ArrayBuffer[] {
  return [chunk.ints.buffer, chunk.ends.buffer, chunk.arrays.buffer, chunk.offsets.buffer, chunk.traces.buffer] as ArrayBuffer[];
}
