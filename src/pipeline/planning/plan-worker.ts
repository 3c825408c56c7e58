import { parentPort, workerData } from 'node:worker_threads';
import type { DiffMode } from '../../config/options.js';
import { forEachItem } from '../../input/batch-items.js';
import type { LineBatch } from '../../input/line-batches.js';
import type { ReadHead } from '../../input/open.js';
import { readWholeFile, type WholeFile, type WholeRead } from '../../input/whole-file.js';
import type { MappingSettings } from '../../transform/types.js';
import { ChunkWriter, transferList, type ChunkPart, type PlannedChunk } from './planned-codec.js';
import { RecordPlanner } from './plan-record.js';
import { SampleNeed } from './sample-need.js';
import { linksOfBatch, linksOfRecords, RecentLinks, type LinkChunk } from './link-chunk.js';
import { indexIdentifier } from '../../transform/mapping/identity-key.js';
import type { Stitching } from '../../transform/stitch.js';
import type { JobFailed, Numbered } from './worker-pool.js';

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
  /** The run thread's SampleNeed flag (shared memory): whether the page still wants sample texts. */
  readonly samples: Int32Array;
  /** Whether attributes objects are cut into pieces (`--attributes changed`; plan-record.ts). */
  readonly attributePieces: boolean;
}

/**
 * A job for a planning worker, of the input numbered `fileIndex` in the run (archive positions): a
 * batch of records (its arrays transferred, not copied), or a small file to read whole and plan
 * as one batch (whole-file.ts).
 */
export type PlanJob = { readonly fileIndex: number } & ({ readonly batch: LineBatch } | { readonly whole: WholeFile });

/** A small file of a group (file-groups.ts): read whole and planned as a job of its own. */
export type WholeJob = { readonly fileIndex: number; readonly whole: WholeFile };

/** Small files to read whole, given to one worker in one job (file-groups.ts). */
export interface GroupJob {
  readonly files: readonly WholeJob[];
}

/** A file's own answer in its group's: its records (a part of the group's chunk), its links, its bytes handed back, or its failure. */
export type GroupFileAnswer = { readonly part: ChunkPart } | { readonly links: LinkChunk } | { readonly head: ReadHead } | { readonly error: string };

/** The answer for a group, each file's in the group's order; in the replay pass, the records of all its files in one chunk. */
export interface GroupReply extends Numbered {
  readonly chunk?: PlannedChunk;
  readonly files: readonly GroupFileAnswer[];
}

/**
 * A worker's answer for a job: what its pass makes of the lines (planned records, or links). `ends`:
 * the batch held a record that ends its input (a JSON array's element that is not valid JSON, see
 * batch-items.ts); nothing read after it is taken.
 */
export type PlanWorkerReply =
  /** `part`: a small file's records in its group's chunk (file-groups.ts); else the chunk is the batch's. */
  | { readonly seq: number; readonly chunk: PlannedChunk; readonly part?: ChunkPart; readonly ends?: true }
  | { readonly seq: number; readonly links: LinkChunk; readonly ends?: true }
  /** A whole file the worker did not take: the bytes it read, for the usual read to go on from. */
  | { readonly seq: number; readonly head: ReadHead };

/**
 * A planning worker: parses and maps batches of records (NDJSON lines and JSON-array elements with
 * JSON.parse, CSV rows with csv-parse; filter, map, serialise: the CPU-heavy part of a run) and posts
 * them back encoded. The main thread reads and splits the inputs, but small files it offers whole,
 * in groups (whole-file.ts, file-groups.ts), which the worker reads and splits itself or hands back;
 * the pool (worker-pool.ts) gives each job to the least busy worker, and the input's reading
 * (input-reading.ts) takes the answers in input order.
 */
const data = workerData as PlanWorkerData;
const planner = new RecordPlanner(data.mapping, data.diff, { base: data.worker, stride: data.workers }, await openStitching(data.identity), new SampleNeed(data.samples), data.attributePieces);
const port = parentPort!;
const recent = new RecentLinks();
/** --stitch with a mapping file's identifiers: the index is keyed by them (identity-key.ts). */
const identify = indexIdentifier(data.mapping.rules);

port.on('message', (message: (PlanJob | GroupJob) & Numbered) => {
  if ('files' in message) {
    answerGroup(message);
    return;
  }
  try {
    const read = 'whole' in message ? readWholeFile(message.whole) : message;
    if ('head' in read) {
      port.postMessage({ seq: message.seq, head: read.head } satisfies PlanWorkerReply, [read.head.bytes.buffer as ArrayBuffer]);
      return;
    }
    const { batch } = read;
    if (data.mode === 'links') {
      const { links, ends } = batch.form ? linksOfRecords(batch, data.mapping.time, recent, identify) : { links: linksOfBatch(batch, data.mapping.time, recent, identify), ends: false };
      port.postMessage({ seq: message.seq, links, ...(ends && { ends }) } satisfies PlanWorkerReply);
      return;
    }
    planner.fileIndex = message.fileIndex;
    const writer = new ChunkWriter(batch.starts.length);
    const ends = forEachItem(batch, (item, length) => planner.planInto(item, writer, length));
    const chunk = writer.finish(planner.keys?.drain() ?? []);
    port.postMessage({ seq: message.seq, chunk, ...(ends && { ends }) } satisfies PlanWorkerReply, transferList(chunk));
  } catch (error) {
    port.postMessage({ seq: message.seq, error: messageOf(error) } satisfies JobFailed);
  }
});

/**
 * A group of small files (file-groups.ts), read whole, answered in one message. In the replay pass
 * their records go into one chunk, each file's a part of it: one set of arrays made, posted and
 * decoded for the group rather than for each file. In the index pass (--stitch), each file's links.
 */
function answerGroup(group: GroupJob & Numbered): void {
  try {
    const reads = group.files.map((file) => readWholeFile(file.whole));
    const heads = reads.flatMap((read) => (read.kind === 'head' ? [read.head.bytes.buffer as ArrayBuffer] : []));
    if (data.mode === 'links') {
      const files = eachFile(reads, (batch) => ({ links: linksOfBatch(batch, data.mapping.time, recent, identify) }));
      port.postMessage({ seq: group.seq, files } satisfies GroupReply, heads);
      return;
    }
    const writer = new ChunkWriter(reads.reduce((n, read) => n + (read.kind === 'batch' ? read.batch.starts.length : 0), 0));
    const files = eachFile(reads, (batch, i) => {
      const from = writer.cursor;
      planner.fileIndex = group.files[i]!.fileIndex;
      forEachItem(batch, (item, length) => planner.planInto(item, writer, length));
      return { part: { from, count: writer.cursor.record - from.record } };
    });
    const chunk = writer.finish(planner.keys?.drain() ?? []);
    port.postMessage({ seq: group.seq, chunk, files } satisfies GroupReply, [...transferList(chunk), ...heads]);
  } catch (error) {
    port.postMessage({ seq: group.seq, error: messageOf(error) } satisfies JobFailed);
  }
}

/**
 * Each file's answer, in the group's order: its work on its lines, or its bytes handed back. A file
 * whose work fails ends the run when its turn comes, so no file after it is worked on.
 */
function eachFile(reads: readonly WholeRead[], work: (batch: LineBatch, index: number) => GroupFileAnswer): GroupFileAnswer[] {
  let failed: string | undefined;
  return reads.map((read, index) => {
    if (failed !== undefined) return { error: failed };
    if (read.kind === 'head') return { head: read.head };
    try {
      return work(read.batch, index);
    } catch (error) {
      failed = messageOf(error);
      return { error: failed };
    }
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** --stitch: the identity index, opened read-only in this thread (loaded only for such a run). */
async function openStitching(dir: string | undefined): Promise<Stitching | undefined> {
  if (dir === undefined) return undefined;
  const { IdentityIndex, stitching } = await import('../../state/identity/index.js');
  return stitching(IdentityIndex.open(dir, { readonly: true }));
}
