import { parentPort, workerData, type MessagePort, type TransferListItem } from 'node:worker_threads';
import type { DiffMode } from '../../config/options.js';
import { forEachItem } from '../../input/batch-items.js';
import type { LineBatch } from '../../input/line-batches.js';
import type { ReadHead } from '../../input/open.js';
import { readWholeFile, type WholeFile } from '../../input/whole-file.js';
import type { MappingSettings } from '../../transform/types.js';
import { ChunkWriter, transferList, type PlannedChunk } from './planned-codec.js';
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

/** The answer for a group: each file's own reply, or its own failure, in the group's order. */
export interface GroupReply extends Numbered {
  readonly files: ReadonlyArray<PlanWorkerReply | JobFailed>;
}

/**
 * A worker's answer for a job: what its pass makes of the lines (planned records, or links). `ends`:
 * the batch held a record that ends its input (a JSON array's element that is not valid JSON, see
 * batch-items.ts); nothing read after it is taken.
 */
export type PlanWorkerReply =
  | { readonly seq: number; readonly chunk: PlannedChunk; readonly ends?: true }
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
const planner = new RecordPlanner(data.mapping, data.diff, { base: data.worker, stride: data.workers }, await openStitching(data.identity), new SampleNeed(data.samples));
const port = parentPort!;
const recent = new RecentLinks();
/** --stitch with a mapping file's identifiers: the index is keyed by them (identity-key.ts). */
const identify = indexIdentifier(data.mapping.rules);

port.on('message', (message: (PlanJob | GroupJob) & Numbered) => ('files' in message ? answerGroup(message) : answer(message, port)));

/** Where an answer goes: the parent thread, or the collector of a group's answers. */
type Answers = Pick<MessagePort, 'postMessage'>;

/** Answers one job to `port` (the parent, or for a file of a group, the group's collector). */
function answer(message: PlanJob & Numbered, port: Answers): void {
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
    port.postMessage({ seq: message.seq, error: error instanceof Error ? error.message : String(error) } satisfies JobFailed);
  }
}

/** Answers each file of a group as its own job, and posts all the answers back in one message. */
function answerGroup(group: GroupJob & Numbered): void {
  const files: Array<PlanWorkerReply | JobFailed> = [];
  const transfer: TransferListItem[] = [];
  const collect: Answers = {
    postMessage(reply: PlanWorkerReply | JobFailed, moved: readonly TransferListItem[] = []) {
      files.push(reply);
      transfer.push(...moved);
    },
  };
  for (const file of group.files) answer({ seq: group.seq, ...file }, collect);
  port.postMessage({ seq: group.seq, files } satisfies GroupReply, transfer);
}

/** --stitch: the identity index, opened read-only in this thread (loaded only for such a run). */
async function openStitching(dir: string | undefined): Promise<Stitching | undefined> {
  if (dir === undefined) return undefined;
  const { IdentityIndex, stitching } = await import('../../state/identity/index.js');
  return stitching(IdentityIndex.open(dir, { readonly: true }));
}
