import { parentPort, workerData } from 'node:worker_threads';
import type { DiffMode } from '../config/options.js';
import { parseLine } from '../input/ndjson.js';
import { forEachLine, type LineBatch } from '../input/line-batches.js';
import { readWholeFile, type WholeFile } from '../input/whole-file.js';
import type { InputItem } from '../input/types.js';
import type { MappingSettings } from '../transform/types.js';
import { ChunkWriter, transferList, type PlannedChunk } from './planned-codec.js';
import { RecordPlanner } from './plan-record.js';
import { linksOfBatch, RecentLinks, type LinkChunk } from './link-chunk.js';
import type { Stitching } from '../transform/stitch.js';

/** What the main thread hands each planning worker once. */
export interface PlanWorkerData {
  readonly mapping: MappingSettings;
  readonly diff: DiffMode;
  /** Diff line ids are `worker + n * workers` (the main thread's own planner uses the last slot). */
  readonly worker: number;
  readonly workers: number;
  /** 'links': the index pass of --stitch (links only); 'plan' (default): parse and map. */
  readonly mode?: 'plan' | 'links';
  /** --stitch, replay pass: the state directory whose identity index the mapping looks up (read-only). */
  readonly identity?: string;
}

/** A batch of NDJSON lines to plan (transferred, not copied), numbered for putting results in order. */
export interface SeqBatch extends LineBatch {
  readonly seq: number;
  /** The input file's number in the run (archive positions). */
  readonly fileIndex: number;
}

/** A small input file to read whole and plan as one batch (whole-file.ts), numbered like a batch. */
export interface SeqFile {
  readonly seq: number;
  readonly fileIndex: number;
  readonly whole: WholeFile;
}

export type PlanWorkerReply =
  | { readonly seq: number; readonly chunk: PlannedChunk }
  | { readonly seq: number; readonly links: LinkChunk }
  | { readonly seq: number; readonly error: string }
  /** The file of a SeqFile must be read the usual way (see whole-file.ts). */
  | { readonly seq: number; readonly readUsually: true };

/**
 * A planning worker: parses and maps batches of NDJSON lines (JSON.parse, filter, map, serialise:
 * the CPU-heavy part of a run) and posts them back encoded. The main thread reads and splits the
 * input, hands each batch to the least busy worker and puts the results back in input order.
 */
const data = workerData as PlanWorkerData;
const planner = new RecordPlanner(data.mapping, data.diff, { base: data.worker, stride: data.workers }, await openStitching(data.identity));
const port = parentPort!;
const recent = new RecentLinks();

port.on('message', (message: SeqBatch | SeqFile) => {
  try {
    const batch = 'whole' in message ? wholeBatch(message) : message;
    if (batch === undefined) {
      port.postMessage({ seq: message.seq, readUsually: true } satisfies PlanWorkerReply);
      return;
    }
    if (data.mode === 'links') {
      port.postMessage({ seq: batch.seq, links: linksOfBatch(batch, data.mapping.time, recent) } satisfies PlanWorkerReply);
      return;
    }
    planner.fileIndex = batch.fileIndex;
    const writer = new ChunkWriter(batch.starts.length);
    forEachLine(batch, (text, line, end, invalidUtf8) => {
      const item: InputItem | undefined = parseLine(batch.file, text, line, end, invalidUtf8);
      if (item) planner.planInto(item, writer, text.length);
    });
    const chunk = writer.finish(planner.keys?.drain() ?? []);
    port.postMessage({ seq: batch.seq, chunk } satisfies PlanWorkerReply, transferList(chunk));
  } catch (error) {
    port.postMessage({ seq: message.seq, error: error instanceof Error ? error.message : String(error) } satisfies PlanWorkerReply);
  }
});

/** The lines of a SeqFile as a batch, or undefined when the file must be read the usual way. */
function wholeBatch(message: SeqFile): SeqBatch | undefined {
  const batch = readWholeFile(message.whole);
  return batch && { ...batch, seq: message.seq, fileIndex: message.fileIndex };
}

/** --stitch: the identity index, opened read-only in this thread (loaded only for such a run). */
async function openStitching(dir: string | undefined): Promise<Stitching | undefined> {
  if (dir === undefined) return undefined;
  const { IdentityIndex, stitching } = await import('../state/identity/index.js');
  return stitching(IdentityIndex.open(dir, { readonly: true }));
}
