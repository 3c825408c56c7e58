import type { DiffMode } from '../../config/options.js';
import { translateTraces, type TraceDef } from '../../dryrun/trace-keys.js';
import type { BatchLimits, LineBatch } from '../../input/line-batches.js';
import { releaseStdin } from '../../input/open.js';
import { readInput, type ReadOptions } from '../../input/read.js';
import type { InputFile, InputFormat, InputItem, ReadStart } from '../../input/types.js';
import type { MappingSettings } from '../../transform/types.js';
import { plannedRecords, type PlannedChunk } from './planned-codec.js';
import { RecordPlanner, type Planned } from './plan-record.js';
import { SampleNeed } from './sample-need.js';
import { linksOfItems, type LinkChunk } from './link-chunk.js';
import type { Stitching } from '../../transform/stitch.js';
import type { GroupJob, GroupReply, PlanJob, PlanWorkerData, PlanWorkerReply } from './plan-worker.js';
import { threadLimits } from '../../young-generation.js';
import { FileScheduler } from './file-scheduler.js';
import { WholeFileGroups } from './file-groups.js';
import { InputReading, type Dispatch, type Pass } from './input-reading.js';
import { WorkerPool } from './worker-pool.js';

/**
 * Lines per batch sent to a worker, and bytes: a batch of long lines is cut short, so that what a
 * worker holds at once stays small (it runs with a capped heap). A worker keeps a batch's results
 * until it posts them: 250 lines mostly die young, where 1,000 outlived scavenges and were promoted
 * (scavenging took ~40% less time, and the run ~10% less CPU, at 250).
 */
const limits: BatchLimits = { lines: 250, bytes: 4 << 20, quietMs: 20 };
/**
 * Batches in flight per worker: keeps every worker busy while bounding memory. Results are taken in
 * input order, so a worker that is ahead needs batches beyond the one the main thread waits for.
 */
const perWorker = 6;

export interface PlanPoolOptions {
  readonly mapping: MappingSettings;
  readonly diff: DiffMode;
  readonly format: InputFormat | undefined;
  readonly stdin: NodeJS.ReadableStream;
  /** Planning worker threads (at least one is started). */
  readonly workers: number;
  /**
   * A chunk's diff-line definitions, in input order; returns what its transient ids stand for, if
   * it has any (dryrun/trace-keys.ts): the chunk's ids are translated before a record is handed out.
   */
  readonly onDefs: (defs: readonly TraceDef[]) => readonly number[] | undefined;
  /** 'links': the pool of the --stitch index pass, whose workers extract links only. @default 'plan' */
  readonly mode?: 'plan' | 'links';
  /** --stitch, replay pass: the index's state directory (workers open it read-only) and its lookups here. */
  readonly identity?: { readonly dir: string; readonly here: Stitching };
  /** A dry run's page: whether it still wants sample texts (shared with the workers). @default always */
  readonly samples?: SampleNeed;
  /** Whether attributes objects are cut into pieces, which `--attributes changed` reads (plan-record.ts). @default true */
  readonly attributePieces?: boolean;
}

/**
 * Plans records on worker threads, in input order. Each input is read once (read.ts): the main
 * thread reads and gunzips (zlib works on the thread pool) and cuts it into batches of records
 * (NDJSON lines, JSON-array elements, CSV rows), which the workers (worker-pool.ts) parse and map;
 * small local files are offered whole to the workers instead, in groups (file-groups.ts). The answers
 * are handed out in the order the records were read (input-reading.ts), while the next inputs are
 * started (file-scheduler.ts). Only the malformed item that ends an input (a read error, a broken CSV
 * or JSON array) is planned here.
 */
export class PlanPool {
  readonly #workers: WorkerPool<PlanJob | GroupJob, PlanWorkerReply | GroupReply>;
  readonly #scheduler: FileScheduler;
  readonly #local: RecordPlanner;
  #closed: Promise<void> | undefined;

  constructor(private readonly options: PlanPoolOptions) {
    const workers = Math.max(1, options.workers);
    const slots = workers + 1;
    const samples = options.samples ?? new SampleNeed();
    const attributePieces = options.attributePieces ?? true;
    this.#local = new RecordPlanner(options.mapping, options.diff, { base: workers, stride: slots }, options.identity?.here, samples, attributePieces);
    const data = (w: number): PlanWorkerData => ({ mapping: options.mapping, diff: options.diff, worker: w, workers: slots, mode: options.mode, identity: options.identity?.dir, samples: samples.flag, attributePieces });
    this.#workers = new WorkerPool({ script: new URL('./plan-worker.js', import.meta.url), count: workers, data, resourceLimits: threadLimits(96), label: 'Planning' });
    const reads: ReadOptions = { format: options.format, stdin: options.stdin, limits };
    const groups = new WholeFileGroups((files) => this.#workers.post({ files }).then(groupReply));
    const work: Dispatch = {
      batch: (batch, fileIndex) => this.#workers.post({ fileIndex, batch }, transferOf(batch)).then(batchReply),
      whole: (whole, fileIndex) => groups.offer(whole, fileIndex),
      flush: () => groups.flush(),
    };
    this.#scheduler = new FileScheduler((file, index, start) => new InputReading(file, index, readInput(file, start, reads), work), work.flush);
  }

  /**
   * The planned records of one input (the `index`th), from `start`, in chunks. `inputs`: the run's
   * (`file` is the `index`th); those after it are started on while this one's last batches are planned.
   */
  read(file: InputFile, start: ReadStart | undefined, index = 0, inputs: readonly InputFile[] = []): AsyncGenerator<Iterable<Planned>> {
    const here = (items: readonly InputItem[]) => {
      this.#local.fileIndex = index;
      return this.#planHere(items);
    };
    return this.#ordered(file, start, index, inputs, { convert: (reply, name) => this.#decode(reply, name), here });
  }

  /** The index pass of --stitch (a pool made with mode 'links'): the links of one input, in chunks. */
  links(file: InputFile, start: ReadStart | undefined, index: number, inputs: readonly InputFile[] = []): AsyncGenerator<LinkChunk> {
    const here = (items: readonly InputItem[]) => linksOfItems(items, this.options.mapping);
    return this.#ordered(file, start, index, inputs, { convert: (reply) => ('links' in reply ? reply.links : here([])), here });
  }

  /** Stops the workers, and lets go of stdin (a stopped run may have left a read of it waiting). Once. */
  close(): Promise<void> {
    this.#closed ??= this.#scheduler.close().then(async () => {
      releaseStdin(this.options.stdin);
      await this.#workers.close();
    });
    return this.#closed;
  }

  /** One input read once, its results in input order. */
  async *#ordered<R>(file: InputFile, start: ReadStart | undefined, index: number, inputs: readonly InputFile[], pass: Pass<R>): AsyncGenerator<R> {
    const reading = await this.#scheduler.take(file, index, start);
    yield* reading.take(pass, this.#workers.size * perWorker, (room) => this.#scheduler.readAhead(index, inputs, room));
  }

  #planHere(items: readonly InputItem[]): Planned[] {
    const planned = items.map((item) => this.#local.plan(item));
    const defs = this.#local.keys?.drain();
    const transient = defs && defs.length > 0 ? this.options.onDefs(defs) : undefined;
    // The builder's lists of ids are its own (plan-record.ts), one per record.
    if (transient) for (const p of planned) if (p.traceIds) translateTraces(p.traceIds as number[], transient);
    return planned;
  }

  #decode(reply: PlanWorkerReply, file: string): Iterable<Planned> {
    if (!('chunk' in reply)) return [];
    const { chunk } = reply;
    // A group's chunk comes once for each of its files: its definitions are taken once.
    if (chunk.defs.length > 0 && !this.#defined.has(chunk)) {
      this.#defined.add(chunk);
      const transient = this.options.onDefs(chunk.defs);
      if (transient) translateTraces(chunk.traces, transient);
    }
    return plannedRecords(chunk, file, reply.part);
  }

  readonly #defined = new WeakSet<PlannedChunk>();
}

/** The answer to a batch of lines (one worker's pool answers batches and groups of small files). */
function batchReply(reply: PlanWorkerReply | GroupReply): PlanWorkerReply {
  if ('files' in reply) throw new Error('Planning failed: a batch was answered as a group of files');
  return reply;
}

/** The answer to a group of small files. */
function groupReply(reply: PlanWorkerReply | GroupReply): GroupReply {
  if (!('files' in reply)) throw new Error('Planning failed: a group of files was answered as a batch');
  return reply;
}

/** A batch's arrays, moved to the worker rather than copied. */
function transferOf(batch: LineBatch): ArrayBuffer[] {
  return [batch.bytes.buffer, batch.starts.buffer, batch.lines.buffer, batch.ends.buffer] as ArrayBuffer[];
}
