import type { ColumnPlan } from './csv/csv-columns.js';
import type { LineBytesHandler } from './lines.js';
import { LineSplitter } from './lines.js';
import type { OpenedInput } from './open.js';
import { closeLater } from './read-ahead.js';
import type { MalformedItem } from './types.js';
import { replacedInvalidUtf8, validUtf8 } from './utf8.js';

/**
 * Records as bytes in one buffer (transferable to a worker, no string per record here): record i is
 * `bytes[starts[i] .. starts[i+1])` (the last one ends at `bytes.length`), with its position label
 * (`lines`: a physical line, or a JSON array's element number) and end offset. A record is an NDJSON
 * line, unless `form` says otherwise. Blank lines are left out.
 */
export interface LineBatch {
  readonly file: string;
  readonly bytes: Uint8Array;
  readonly starts: Int32Array;
  readonly lines: Int32Array;
  readonly ends: Float64Array;
  /** What the records are when they are not NDJSON lines, and so how a worker parses them (batch-items.ts). */
  readonly form?: RecordForm;
}

/**
 * The records of a JSON array (each element's text, parsed like an NDJSON line) or of a CSV (each row
 * followed by a newline, so that a batch's rows are parsed in one call, with the file's header as
 * compiled once on the run thread: plain data, cloned with each batch).
 */
export type RecordForm =
  | { readonly kind: 'elements' }
  | { readonly kind: 'rows'; readonly columns: ColumnPlan; readonly width: number };

/** What reading an input gives, in input order. */
export type LinesRead =
  | { readonly kind: 'batch'; readonly batch: LineBatch }
  /** The input has gone quiet (a producer piping into stdin): what came so far should be handed on. */
  | { readonly kind: 'quiet' }
  /** The input could not be read to its end (truncated gzip, I/O, a broken JSON array or CSV): the last thing read. */
  | { readonly kind: 'failure'; readonly item: MalformedItem };

export interface BatchLimits {
  /** Lines per batch. */
  readonly lines: number;
  /** Bytes per batch (a batch of long lines is cut short; a longer line goes alone). */
  readonly bytes: number;
  /** How long the input may be silent before a partial batch is handed on. */
  readonly quietMs: number;
}

/**
 * Cuts an input's bytes into records, in order, each handed out as bytes (valid only during the
 * call) with its position label and end offset: NDJSON lines (ndjson.ts), JSON-array elements
 * (array-splitter.ts), CSV rows (csv-splitter.ts). It finds boundaries only; the workers parse.
 */
export interface RecordSplitter {
  pushBytes(chunk: Buffer, onRecord: LineBytesHandler): void;
  /** The end of the input: hands out a last record not followed by its delimiter. */
  endBytes(onRecord: LineBytesHandler): void;
  /** The item that ends the input when its bytes could not all be read (truncated gzip, I/O). */
  readFailure(error: unknown): MalformedItem;
  /**
   * Set once the text itself is broken where the splitter sees it (a CSV quote, a JSON array's
   * brackets): after the records before it, it is the last thing read, and nothing more is pushed.
   */
  readonly broken: MalformedItem | undefined;
  /** What the records are (undefined: NDJSON lines); known before the first record is handed out. */
  readonly form: RecordForm | undefined;
}

/**
 * The read loop of every input not read whole: feeds its bytes to `splitter` and hands the records on
 * in batches of bounded size, a partial batch when the input goes quiet, then the failure or break
 * that ended it, if any.
 */
export async function* recordBatches(opened: OpenedInput, file: string, splitter: RecordSplitter, limits: BatchLimits): AsyncGenerator<LinesRead> {
  let batch = new ByteBatch();
  const onRecord = (buf: Buffer, from: number, to: number, line: number, end: number) => {
    if (to > from) batch.add(buf, from, to, line, end, splitter.form?.kind === 'rows');
  };
  const take = (): LineBatch => {
    const sealed = batch.seal(file, splitter.form);
    batch = new ByteBatch();
    return sealed;
  };
  const chunks = opened.bytes[Symbol.asyncIterator]();
  let ended = false;
  let handedOn = false;
  let failure: MalformedItem | undefined;
  try {
    for (;;) {
      const next = chunks.next();
      if ((batch.count > 0 || handedOn) && (await quiet(next, limits.quietMs)) === QUIET) {
        if (batch.count > 0) yield { kind: 'batch', batch: take() };
        handedOn = false;
        yield { kind: 'quiet' };
      }
      const result = await next;
      if (result.done) break;
      splitter.pushBytes(result.value, onRecord);
      if (splitter.broken) break;
      if (batch.count >= limits.lines || batch.bytes >= limits.bytes) {
        handedOn = true;
        yield { kind: 'batch', batch: take() };
      }
    }
    if (!splitter.broken) {
      ended = true;
      splitter.endBytes(onRecord);
    }
  } catch (error) {
    ended = true;
    // The unfinished record is lost with the stream: report the problem at its number and stop.
    failure = splitter.readFailure(error);
  } finally {
    // Stopped early (or at a break), possibly with a read pending.
    if (!ended) closeLater(chunks);
  }
  if (batch.count > 0) yield { kind: 'batch', batch: take() };
  failure ??= splitter.broken;
  if (failure) yield { kind: 'failure', item: failure };
}

/** The lines of a whole NDJSON text (a small file read in one go, whole-file.ts) as one batch. */
export function batchOfText(file: string, text: Buffer): LineBatch {
  const splitter = new LineSplitter();
  // Its lines fit in the text's size: one buffer of that size, where 64 KiB was made (and copied down) for each file.
  const batch = new ByteBatch(text.length);
  const onLine = (buf: Buffer, from: number, to: number, line: number, end: number) => {
    if (to > from) batch.add(buf, from, to, line, end);
  };
  splitter.pushBytes(text, onLine);
  splitter.endBytes(onLine);
  return batch.seal(file);
}

/**
 * Hands each record of a batch to `each` as text (what a planning worker parses), with whether it
 * held invalid UTF-8 (replaced by U+FFFD); `each` returns false to stop.
 */
export function forEachLine(batch: LineBatch, each: (text: string, line: number, end: number, invalidUtf8: boolean) => boolean | void): void {
  const bytes = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.length);
  const count = batch.starts.length;
  // One SIMD validation of the whole batch; a line is checked on its own only in a batch that fails.
  const valid = validUtf8(bytes);
  for (let i = 0; i < count; i++) {
    const start = batch.starts[i]!;
    const stop = i + 1 < count ? batch.starts[i + 1]! : bytes.length;
    const text = bytes.toString('utf8', start, stop);
    if (each(text, batch.lines[i]!, batch.ends[i]!, !valid && replacedInvalidUtf8(text, bytes, start, stop)) === false) return;
  }
}

const QUIET: unique symbol = Symbol('quiet');
const empty = Buffer.alloc(0);
const NEWLINE = 0x0a;

/** `next`, or QUIET when it has not settled within `ms`. */
async function quiet<T>(next: Promise<T>, ms: number): Promise<T | typeof QUIET> {
  let timer: NodeJS.Timeout | undefined;
  const silence = new Promise<typeof QUIET>((resolve) => (timer = setTimeout(resolve, ms, QUIET)));
  try {
    return await Promise.race([next, silence]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Records copied as bytes into one growing buffer, allocated at the first record (a file's last batch
 * is often never filled) and handed on at its size: a 256 KiB buffer made and transferred for each of
 * 20,000 small files (a few KiB each) was most of the main thread's time in garbage collection and
 * postMessage.
 */
class ByteBatch {
  #bytes = empty;
  #used = 0;
  readonly #starts: number[] = [];
  readonly #lines: number[] = [];
  readonly #ends: number[] = [];

  /** `least`: the size of the first buffer (a batch's records grow it as they come). */
  constructor(private readonly least = 64 << 10) {}

  get count(): number {
    return this.#starts.length;
  }

  get bytes(): number {
    return this.#used;
  }

  /** `newline`: a newline is written after the record (CSV rows, see RecordForm). */
  add(buf: Buffer, from: number, to: number, line: number, end: number, newline = false): void {
    const length = to - from + (newline ? 1 : 0);
    if (this.#used + length > this.#bytes.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(this.#bytes.length * 2, this.#used + length, this.least));
      this.#bytes.copy(bigger, 0, 0, this.#used);
      this.#bytes = bigger;
    }
    buf.copy(this.#bytes, this.#used, from, to);
    if (newline) this.#bytes[this.#used + length - 1] = NEWLINE;
    this.#starts.push(this.#used);
    this.#used += length;
    this.#lines.push(line);
    this.#ends.push(end);
  }

  seal(file: string, form?: RecordForm): LineBatch {
    // A buffer mostly empty is copied down to what it holds: the copy is smaller than what it saves.
    let bytes = new Uint8Array(this.#bytes.buffer, this.#bytes.byteOffset, this.#used);
    if (this.#used * 2 < this.#bytes.length) bytes = new Uint8Array(bytes);
    const batch = { file, bytes, starts: Int32Array.from(this.#starts), lines: Int32Array.from(this.#lines), ends: Float64Array.from(this.#ends) };
    return form ? { ...batch, form } : batch;
  }
}
