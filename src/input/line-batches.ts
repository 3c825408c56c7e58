import { LineSplitter } from './lines.js';
import { parseLine, readFailure, resumeSplitter } from './ndjson.js';
import type { OpenedInput } from './open.js';
import { closeLater } from './read-ahead.js';
import type { InputItem, MalformedItem, ReadStart } from './types.js';
import { replacedInvalidUtf8, validUtf8 } from './utf8.js';

/**
 * NDJSON lines as bytes in one buffer (transferable to a worker, no string per line here): line i is
 * `bytes[starts[i] .. starts[i+1])` (the last one ends at `bytes.length`), with its physical line
 * number and end offset. Blank lines are left out.
 */
export interface LineBatch {
  readonly file: string;
  readonly bytes: Uint8Array;
  readonly starts: Int32Array;
  readonly lines: Int32Array;
  readonly ends: Float64Array;
}

/** What reading an NDJSON input gives, in input order. */
export type LinesRead =
  | { readonly kind: 'batch'; readonly batch: LineBatch }
  /** The input has gone quiet (a producer piping into stdin): what came so far should be handed on. */
  | { readonly kind: 'quiet' }
  /** The input could not be read to its end (truncated gzip, I/O): the last thing read. */
  | { readonly kind: 'failure'; readonly item: MalformedItem };

export interface BatchLimits {
  /** Lines per batch. */
  readonly lines: number;
  /** Bytes per batch (a batch of long lines is cut short). */
  readonly bytes: number;
  /** How long the input may be silent before a partial batch is handed on. */
  readonly quietMs: number;
}

/**
 * The NDJSON read loop: splits an opened input into batches of lines, from the resume point
 * (resumeSplitter), handing on a partial batch when the input goes quiet.
 */
export async function* lineBatches(opened: OpenedInput, file: string, start: ReadStart | undefined, limits: BatchLimits): AsyncGenerator<LinesRead> {
  const splitter = resumeSplitter(opened, start);
  let batch = new ByteBatch();
  const onLine = (buf: Buffer, from: number, to: number, line: number, end: number) => {
    if (to > from) batch.add(buf, from, to, line, end);
  };
  const take = (): LineBatch => {
    const sealed = batch.seal(file);
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
      splitter.pushBytes(result.value, onLine);
      if (batch.count >= limits.lines || batch.bytes >= limits.bytes) {
        handedOn = true;
        yield { kind: 'batch', batch: take() };
      }
    }
    ended = true;
    splitter.endBytes(onLine);
  } catch (error) {
    ended = true;
    // The unfinished line is lost with the stream: report the problem at its number and stop.
    failure = readFailure(file, splitter.lastLine + 1, splitter.lastEnd, error);
  } finally {
    // Stopped early, possibly with a read pending.
    if (!ended) closeLater(chunks);
  }
  if (batch.count > 0) yield { kind: 'batch', batch: take() };
  if (failure) yield { kind: 'failure', item: failure };
}

/** The lines of a whole NDJSON text (a small file read in one go, whole-file.ts) as one batch. */
export function batchOfText(file: string, text: Buffer): LineBatch {
  const splitter = new LineSplitter();
  const batch = new ByteBatch();
  const onLine = (buf: Buffer, from: number, to: number, line: number, end: number) => {
    if (to > from) batch.add(buf, from, to, line, end);
  };
  splitter.pushBytes(text, onLine);
  splitter.endBytes(onLine);
  return batch.seal(file);
}

/** Hands each line of a batch to `each` as text (what a planning worker parses). */
export function forEachLine(batch: LineBatch, each: (text: string, line: number, end: number, invalidUtf8: boolean) => void): void {
  const bytes = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.length);
  const count = batch.starts.length;
  // One SIMD validation of the whole batch; a line is checked on its own only in a batch that fails.
  const valid = validUtf8(bytes);
  for (let i = 0; i < count; i++) {
    const start = batch.starts[i]!;
    const stop = i + 1 < count ? batch.starts[i + 1]! : bytes.length;
    const text = bytes.toString('utf8', start, stop);
    each(text, batch.lines[i]!, batch.ends[i]!, !valid && replacedInvalidUtf8(text, bytes, start, stop));
  }
}

/** Hands each line of a batch to `each` as an item (what a planning worker plans), with its text's length; blank lines give none. */
export function forEachItem(batch: LineBatch, each: (item: InputItem, length: number) => void): void {
  forEachLine(batch, (text, line, end, invalidUtf8) => {
    const item = parseLine(batch.file, text, line, end, invalidUtf8);
    if (item) each(item, text.length);
  });
}

const QUIET: unique symbol = Symbol('quiet');
const empty = Buffer.alloc(0);

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
 * Lines copied as bytes into one growing buffer, allocated at the first line (a file's last batch is
 * often never filled) and handed on at its size: a 256 KiB buffer made and transferred for each of
 * 20,000 small files (a few KiB each) was most of the main thread's time in garbage collection and
 * postMessage.
 */
class ByteBatch {
  #bytes = empty;
  #used = 0;
  readonly #starts: number[] = [];
  readonly #lines: number[] = [];
  readonly #ends: number[] = [];

  get count(): number {
    return this.#starts.length;
  }

  get bytes(): number {
    return this.#used;
  }

  add(buf: Buffer, from: number, to: number, line: number, end: number): void {
    const length = to - from;
    if (this.#used + length > this.#bytes.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(this.#bytes.length * 2, this.#used + length, 64 << 10));
      this.#bytes.copy(bigger, 0, 0, this.#used);
      this.#bytes = bigger;
    }
    buf.copy(this.#bytes, this.#used, from, to);
    this.#starts.push(this.#used);
    this.#used += length;
    this.#lines.push(line);
    this.#ends.push(end);
  }

  seal(file: string): LineBatch {
    // A buffer mostly empty is copied down to what it holds: the copy is smaller than what it saves.
    let bytes = new Uint8Array(this.#bytes.buffer, this.#bytes.byteOffset, this.#used);
    if (this.#used * 2 < this.#bytes.length) bytes = new Uint8Array(bytes);
    return {
      file,
      bytes,
      starts: Int32Array.from(this.#starts),
      lines: Int32Array.from(this.#lines),
      ends: Float64Array.from(this.#ends),
    };
  }
}
