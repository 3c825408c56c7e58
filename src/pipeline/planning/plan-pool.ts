import { Worker } from 'node:worker_threads';
import type { DiffMode } from '../../config/options.js';
import type { TraceDef } from '../../dryrun/trace-keys.js';
import { lineBatches, type BatchLimits, type LineBatch, type LinesRead } from '../../input/line-batches.js';
import { closeLater } from '../../input/read-ahead.js';
import { countInputBytes } from '../../input/bytes-read.js';
import { wholeFileOf } from '../../input/whole-file.js';
import { openInput, releaseStdin, type OpenedInput } from '../../input/open.js';
import { isParsed, itemsOf } from '../../input/read.js';
import type { InputFile, InputFormat, InputItem, ReadStart } from '../../input/types.js';
import type { MappingSettings } from '../../transform/types.js';
import { decodeChunk } from './planned-codec.js';
import { RecordPlanner, type Planned } from './plan-record.js';
import { linksOfItems, type LinkChunk } from './link-chunk.js';
import type { Stitching } from '../../transform/stitch.js';
import type { PlanWorkerData, PlanWorkerReply, SeqBatch, SeqFile } from './plan-worker.js';
import { threadLimits } from '../../young-generation.js';

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
/** Inputs after the one being read that may be opened and started on ahead of it (see PlanPool.read). */
const FILES_AHEAD = 24;
export function filesAfter(files: readonly InputFile[], index: number): readonly InputFile[] {
  return files.slice(index + 1, index + 1 + FILES_AHEAD);
}

export interface PlanPoolOptions {
  readonly mapping: MappingSettings;
  readonly diff: DiffMode;
  readonly format: InputFormat | undefined;
  readonly stdin: NodeJS.ReadableStream;
  /** Planning worker threads (at least one is started). */
  readonly workers: number;
  readonly onDefs: (defs: readonly TraceDef[]) => void;
  /** 'links': the pool of the --stitch index pass, whose workers extract links only. @default 'plan' */
  readonly mode?: 'plan' | 'links';
  /** --stitch, replay pass: the index's state directory (workers open it read-only) and its lookups here. */
  readonly identity?: { readonly dir: string; readonly here: Stitching };
  /** Local files up to this size are read whole by a worker (whole-file.ts). @default WHOLE_FILE_BYTES */
  readonly wholeFileBytes?: number;
}

/**
 * Plans records on worker threads, in input order. The main thread reads and gunzips (zlib works on
 * the thread pool) and splits NDJSON into lines; batches of lines go to the least busy worker,
 * which parse and map them; results are handed out in the order the lines were read. JSON arrays
 * and CSV are parsed and mapped here on the main thread (their parsers are streams).
 */
export class PlanPool {
  readonly #workers: Worker[] = [];
  readonly #pending = new Map<number, { worker: number; resolve: (p: WorkerResult) => void; reject: (e: Error) => void }>();
  /** Batches each worker has not answered yet. */
  readonly #load: number[] = [];
  readonly #local: RecordPlanner;
  #seq = 0;
  /** The next files, opened and their first batches dispatched while the current one finishes. */
  #ahead: Promise<Ahead[]> = Promise.resolve([]);
  #closed: Promise<void> | undefined;

  constructor(private readonly options: PlanPoolOptions) {
    const workers = Math.max(1, options.workers);
    const slots = workers + 1;
    this.#local = new RecordPlanner(options.mapping, options.diff, { base: workers, stride: slots }, options.identity?.here);
    for (let w = 0; w < workers; w++) {
      const data: PlanWorkerData = { mapping: options.mapping, diff: options.diff, worker: w, workers: slots, mode: options.mode, identity: options.identity?.dir };
      const worker = new Worker(new URL('./plan-worker.js', import.meta.url), { workerData: data, resourceLimits: threadLimits(96) });
      worker.on('message', (reply: PlanWorkerReply) => this.#settle(reply));
      worker.on('error', (error) => this.#failAll(error));
      worker.unref();
      this.#workers.push(worker);
      this.#load.push(0);
    }
  }

  /**
   * The planned records of one input (the `index`th), from `start`, in chunks. `following`: the inputs
   * read after it, which are opened and started on while this one's last batches are planned (a run
   * of 20,000 small files otherwise waited for the workers at the end of each).
   */
  read(file: InputFile, start: ReadStart | undefined, index = 0, following: readonly InputFile[] = []): AsyncGenerator<Planned[]> {
    const here = (items: readonly InputItem[]) => {
      this.#local.fileIndex = index;
      return this.#planHere(items);
    };
    return this.#ordered(file, start, index, following, (reply, name) => this.#decode(reply, name), here);
  }

  /** The index pass of --stitch (a pool made with mode 'links'): the links of one input, in chunks. */
  links(file: InputFile, start: ReadStart | undefined, index: number, following: readonly InputFile[] = []): AsyncGenerator<LinkChunk> {
    const here = (items: readonly InputItem[]) => linksOfItems(items, this.options.mapping.time);
    return this.#ordered(file, start, index, following, (reply) => ('links' in reply ? reply.links : here([])), here);
  }

  /** One input read once: NDJSON through the workers, other formats here; results in input order. */
  async *#ordered<R>(file: InputFile, start: ReadStart | undefined, index: number, following: readonly InputFile[], convert: Convert<R>, here: (items: readonly InputItem[]) => R): AsyncGenerator<R> {
    const ahead = (await this.#takeAhead(file, start)) ?? this.#readWhole(file, start, index);
    if (ahead?.whole) yield* this.#lines(ahead, following, convert, here);
    else yield* this.#usual(file, start, index, following, convert, here, ahead);
  }

  /** An input opened and read here (NDJSON split into batches for the workers; other formats parsed here). */
  async *#usual<R>(file: InputFile, start: ReadStart | undefined, index: number, following: readonly InputFile[], convert: Convert<R>, here: (items: readonly InputItem[]) => R, ahead?: Ahead): AsyncGenerator<R> {
    const opened = ahead?.opened ?? (await openInput(file, { format: this.options.format, offset: start?.offset, stdin: this.options.stdin }));
    if (!isParsed(opened)) yield* this.#lines(ahead ?? this.#begin(opened, file.display, index, start), following, convert, here);
    else for await (const chunk of itemsOf(opened, file.display, start)) yield here(chunk);
  }

  /** Stops the workers, and lets go of stdin (a stopped run may have left a read of it waiting). Once. */
  close(): Promise<void> {
    this.#closed ??= this.#takeAhead(undefined, undefined).then(async () => {
      releaseStdin(this.options.stdin);
      await Promise.all(this.#workers.map((w) => w.terminate()));
    });
    return this.#closed;
  }

  /** Plans the batches of lines the NDJSON read loop gives, on the workers, and hands results on in order. */
  async *#lines<R>(input: Ahead, following: readonly InputFile[], convert: Convert<R>, here: (items: readonly InputItem[]) => R): AsyncGenerator<R> {
    const { queue } = input;
    const window = this.#workers.length * perWorker;
    for (;;) {
      const read = input.held ?? (await input.reads!.next());
      input.held = undefined;
      if (read.done) break;
      if (read.value.kind === 'batch') queue.push(this.#dispatch(read.value.batch, input.index));
      // Gone quiet, or failed (the last thing read): what came so far is handed on now.
      const keep = read.value.kind === 'batch' ? window - 1 : 0;
      while (queue.length > keep) yield convert(await queue.shift()!, input.display);
      if (read.value.kind === 'failure') yield here([read.value.item]);
    }
    if (queue.length > 0) this.#ahead = this.#extendAhead(this.#ahead, input.index, following, window - queue.length);
    while (queue.length > 0) {
      const reply = await queue.shift()!;
      if (!('readUsually' in reply)) {
        if (input.whole) countInputBytes(input.whole.size);
        yield convert(reply, input.display);
      } else yield* this.#usual(input.whole!, undefined, input.index, [], convert, here);
    }
  }

  /** A small local file handed whole to a worker (whole-file.ts), as an input read ahead; undefined if it may not be. */
  #readWhole(file: InputFile, start: ReadStart | undefined, index: number): Ahead | undefined {
    const whole = wholeFileOf(file, start, this.options.format, this.options.wholeFileBytes);
    if (whole === undefined) return undefined;
    const planned = this.#post({ seq: this.#seq++, fileIndex: index, whole });
    // Held until read() takes it; a run that stops first never looks at it.
    planned.catch(() => undefined);
    return { file, display: file.display, index, opened: undefined, reads: undefined, queue: [planned], held: { done: true, value: undefined }, whole: file };
  }

  #begin(opened: OpenedInput, display: string, index: number, start: ReadStart | undefined): Ahead {
    return { file: undefined, display, index, opened, reads: lineBatches(opened, display, start, limits), queue: [], held: undefined, whole: undefined };
  }

  /** Opens `file` and dispatches up to `room` of its batches (never past a pause in its input). */
  async #startAhead(file: InputFile, index: number, room: number): Promise<Ahead> {
    const whole = this.#readWhole(file, undefined, index);
    if (whole) return whole;
    const opened = await openInput(file, { format: this.options.format, stdin: this.options.stdin });
    if (isParsed(opened)) return { file, display: file.display, index, opened, reads: undefined, queue: [], held: undefined, whole: undefined };
    const ahead = { ...this.#begin(opened, file.display, index, undefined), file };
    while (ahead.queue.length < room) {
      const read = await ahead.reads!.next();
      if (read.done || read.value.kind !== 'batch') {
        ahead.held = read;
        break;
      }
      const planned = this.#dispatch(read.value.batch, index);
      // Held until read() takes it; a run that stops first never looks at it.
      planned.catch(() => undefined);
      ahead.queue.push(planned);
    }
    return ahead;
  }

  /**
   * Reads ahead into the files after those already opened ahead, while fewer than `room` batches are
   * dispatched and not taken, and each file was read to its end.
   */
  async #extendAhead(pending: Promise<Ahead[]>, index: number, following: readonly InputFile[], room: number): Promise<Ahead[]> {
    const list = await pending;
    let left = room - list.reduce((n, a) => n + a.queue.length, 0);
    for (let i = list.length; i < following.length && left > 0; i++) {
      const last = list[list.length - 1];
      if (last && last.whole === undefined && (last.reads === undefined || last.held === undefined || !last.held.done)) break;
      if (following[i]!.path === '-') break;
      const ahead = await this.#startAhead(following[i]!, index + 1 + i, left).catch(() => undefined);
      if (!ahead) break;
      list.push(ahead);
      left -= ahead.queue.length;
    }
    return list;
  }

  /** The input opened ahead, when it is `file` read from its start; any other is closed. */
  async #takeAhead(file: InputFile | undefined, start: ReadStart | undefined): Promise<Ahead | undefined> {
    const list = await this.#ahead.catch(() => [] as Ahead[]);
    const first = list[0];
    if (first && first.file === file && (start === undefined || start.line === 0)) {
      this.#ahead = Promise.resolve(list.slice(1));
      return first;
    }
    this.#ahead = Promise.resolve([]);
    for (const ahead of list) {
      const reading = ahead.reads ?? ahead.opened?.bytes[Symbol.asyncIterator]();
      if (reading) closeLater(reading);
    }
    return undefined;
  }

  #planHere(items: readonly InputItem[]): Planned[] {
    const planned = items.map((item) => this.#local.plan(item));
    const defs = this.#local.keys?.drain();
    if (defs && defs.length > 0) this.options.onDefs(defs);
    return planned;
  }

  #dispatch(batch: LineBatch, fileIndex: number): Promise<WorkerResult> {
    const message: SeqBatch = { ...batch, seq: this.#seq++, fileIndex };
    return this.#post(message, [message.bytes.buffer, message.starts.buffer, message.lines.buffer, message.ends.buffer] as ArrayBuffer[]);
  }

  /** Posts a batch or a file to the least busy worker; its answer, whenever it comes. */
  #post(message: SeqBatch | SeqFile, transfer: ArrayBuffer[] = []): Promise<WorkerResult> {
    const w = this.#leastLoaded(message.seq);
    this.#load[w]!++;
    const result = new Promise<WorkerResult>((resolve, reject) => this.#pending.set(message.seq, { worker: w, resolve, reject }));
    this.#workers[w]!.postMessage(message, transfer);
    return result;
  }

  #decode(reply: WorkerResult, file: string): Planned[] {
    if (!('chunk' in reply)) return [];
    const { chunk } = reply;
    if (chunk.defs.length > 0) this.options.onDefs(chunk.defs);
    return decodeChunk(chunk, file);
  }

  /**
   * The worker with the fewest batches unanswered (ties taken in turn): workers do not run at the same
   * speed on a busy machine, and one given batches in strict rotation idled while the other caught up.
   */
  #leastLoaded(seq: number): number {
    const n = this.#workers.length;
    let best = seq % n;
    for (let k = 1; k < n; k++) {
      const w = (seq + k) % n;
      if (this.#load[w]! < this.#load[best]!) best = w;
    }
    return best;
  }

  #settle(reply: PlanWorkerReply): void {
    const waiter = this.#pending.get(reply.seq);
    if (!waiter) return;
    this.#pending.delete(reply.seq);
    this.#load[waiter.worker]!--;
    if ('error' in reply) waiter.reject(new Error(`Planning failed: ${reply.error}`));
    else waiter.resolve(reply);
  }

  #failAll(error: Error): void {
    for (const waiter of this.#pending.values()) waiter.reject(error);
    this.#pending.clear();
  }
}

type WorkerResult = Exclude<PlanWorkerReply, { error: string }>;

/** What a pass makes of a worker's answer for a batch of `file` (planned records, or links). */
type Convert<R> = (reply: WorkerResult, file: string) => R;

/**
 * An NDJSON input being read: its batches to come, and those dispatched whose answers are not taken
 * (converted when taken, in input order).
 */
interface Ahead {
  readonly file: InputFile | undefined;
  /** The input's name as shown, and its place in the run's inputs. */
  readonly display: string;
  readonly index: number;
  /** Undefined for a file given whole to a worker. */
  readonly opened: OpenedInput | undefined;
  readonly reads: AsyncGenerator<LinesRead> | undefined;
  readonly queue: Array<Promise<WorkerResult>>;
  /** A read taken from `reads` but not acted on (a pause, a failure or the end met while reading ahead). */
  held: IteratorResult<LinesRead> | undefined;
  /** A small file given whole to a worker (whole-file.ts): read the usual way if the worker says so. */
  readonly whole: InputFile | undefined;
}
