import { parentPort, workerData } from 'node:worker_threads';
import type { DiffMode } from '../config/options.js';
import { parseLine } from '../input/ndjson.js';
import { replacedInvalidUtf8, validUtf8 } from '../input/utf8.js';
import type { InputItem } from '../input/types.js';
import type { MappingSettings } from '../transform/types.js';
import { ChunkWriter, transferList, type PlannedChunk } from './planned-codec.js';
import { RecordPlanner } from './plan-record.js';

/** What the main thread hands each planning worker once. */
export interface PlanWorkerData {
  readonly mapping: MappingSettings;
  readonly diff: DiffMode;
  /** Diff line ids are `worker + n * workers` (the main thread's own planner uses the last slot). */
  readonly worker: number;
  readonly workers: number;
}

/**
 * A batch of NDJSON lines to plan, as bytes (transferred, not copied): line i is
 * `bytes[starts[i] .. starts[i+1])` (the last one ends at `bytes.length`), with its physical line
 * number and end offset.
 */
export interface LineBatch {
  readonly seq: number;
  readonly file: string;
  readonly bytes: Uint8Array;
  readonly starts: Int32Array;
  readonly lines: Int32Array;
  readonly ends: Float64Array;
}

export type PlanWorkerReply = { readonly seq: number; readonly chunk: PlannedChunk } | { readonly seq: number; readonly error: string };

/**
 * A planning worker: parses and maps batches of NDJSON lines (JSON.parse, filter, map, serialise:
 * the CPU-heavy part of a run) and posts them back encoded. The main thread reads and splits the
 * input, hands each batch to the least busy worker and puts the results back in input order.
 */
const data = workerData as PlanWorkerData;
const planner = new RecordPlanner(data.mapping, data.diff, { base: data.worker, stride: data.workers });
const port = parentPort!;

port.on('message', (batch: LineBatch) => {
  try {
    const bytes = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.length);
    const count = batch.starts.length;
    const writer = new ChunkWriter(count);
    const valid = validUtf8(bytes);
    for (let i = 0; i < count; i++) {
      const start = batch.starts[i]!;
      const stop = i + 1 < count ? batch.starts[i + 1]! : bytes.length;
      const text = bytes.toString('utf8', start, stop);
      const item: InputItem | undefined = parseLine(batch.file, text, batch.lines[i]!, batch.ends[i]!, !valid && replacedInvalidUtf8(text, bytes, start, stop));
      if (item) planner.planInto(item, writer, text.length);
    }
    const chunk = writer.finish(planner.keys?.drain() ?? []);
    port.postMessage({ seq: batch.seq, chunk } satisfies PlanWorkerReply, transferList(chunk));
  } catch (error) {
    port.postMessage({ seq: batch.seq, error: error instanceof Error ? error.message : String(error) } satisfies PlanWorkerReply);
  }
});
