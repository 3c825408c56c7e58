import { replacedInvalidUtf8 } from './utf8.js';

/**
 * Called once per physical line: its text (without \r\n, without a leading BOM), 1-based number and
 * end offset, and whether invalid UTF-8 in it was replaced by U+FFFD (utf8.ts).
 */
export type LineHandler = (text: string, line: number, end: number, invalidUtf8: boolean) => void;

/**
 * The same, as bytes: `buf[start..stop)` is the line (without \r\n and BOM), valid only during the
 * call (the caller copies what it keeps). Lets the main thread hand raw bytes to the planning
 * workers without decoding every line into a string first.
 */
export type LineBytesHandler = (buf: Buffer, start: number, stop: number, line: number, end: number) => void;

/** Where a splitter starts: lines before it were already handled by an earlier run. */
export interface SplitStart {
  /** Number of the line just before the first byte fed. @default 0 */
  readonly line?: number;
  /** Byte offset of the first byte fed in the uncompressed stream. @default 0 */
  readonly offset?: number;
  /** Lines numbered up to this are counted but not decoded or handed out (resume). @default 0 */
  readonly skipThrough?: number;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Splits a byte stream into physical lines on \n, working on Buffers so that a multi-byte character
 * split across two chunks is decoded whole (0x0A never occurs inside a UTF-8 sequence). Synchronous
 * and allocation-light: the NDJSON hot path calls `push` once per chunk, not once per line.
 */
export class LineSplitter {
  private line: number;
  private offset: number;
  private base: number;
  private readonly skipThrough: number;
  private carry: Buffer[] = [];
  private first: boolean;

  constructor(start: SplitStart = {}) {
    this.line = start.line ?? 0;
    this.base = start.offset ?? 0;
    this.offset = this.base;
    this.skipThrough = start.skipThrough ?? 0;
    this.first = this.base === 0;
  }

  /** Number of the last complete line seen. */
  get lastLine(): number {
    return this.line;
  }

  /** Byte offset just after the last complete line seen. */
  get lastEnd(): number {
    return this.offset;
  }

  /** Hands every line completed by this chunk to `onLine`. */
  push(chunk: Buffer, onLine: LineHandler): void {
    this.pushBytes(chunk, (buf, start, stop, line, end) => decoded(buf, start, stop, line, end, onLine));
  }

  /** Hands out the last line when the stream does not end with a newline. */
  end(onLine: LineHandler): void {
    this.endBytes((buf, start, stop, line, end) => decoded(buf, start, stop, line, end, onLine));
  }

  /** Like push, with each line as bytes. */
  pushBytes(chunk: Buffer, onLine: LineBytesHandler): void {
    let from = 0;
    let nl = chunk.indexOf(LF, 0);
    while (nl !== -1) {
      this.line += 1;
      this.offset = this.base + nl + 1;
      if (this.line > this.skipThrough) this.emit(chunk, from, nl, onLine);
      if (this.carry.length > 0) this.carry = [];
      this.first = false;
      from = nl + 1;
      nl = chunk.indexOf(LF, from);
    }
    // Keep the unfinished line only if it will be decoded.
    if (from < chunk.length && this.line + 1 > this.skipThrough) this.carry.push(chunk.subarray(from));
    this.base += chunk.length;
  }

  /** Like end, with the line as bytes. */
  endBytes(onLine: LineBytesHandler): void {
    if (this.base === this.offset) return;
    this.line += 1;
    this.offset = this.base;
    if (this.line > this.skipThrough) {
      const rest = Buffer.concat(this.carry);
      this.carry = [];
      this.emit(rest, 0, rest.length, onLine);
    }
  }

  private emit(chunk: Buffer, from: number, to: number, onLine: LineBytesHandler): void {
    let buf = chunk;
    let start = from;
    let stop = to;
    if (this.carry.length > 0) {
      buf = joinCarried(this.carry, chunk.subarray(from, to));
      start = 0;
      stop = buf.length;
    }
    if (stop > start && buf[stop - 1] === CR) stop -= 1;
    // A UTF-8 byte order mark (EF BB BF) at the very start of the stream is not part of the line.
    if (this.first && stop - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) start += 3;
    onLine(buf, start, stop, this.line, this.offset);
  }
}

/**
 * A record begun in earlier chunks (`carry`, their bytes of it) and ending with `last`: its bytes in
 * one buffer. `carry` is left empty. Every splitter of records (lines here, JSON-array elements, CSV
 * rows) keeps an unfinished record this way until the chunk that ends it.
 */
export function joinCarried(carry: Buffer[], last: Buffer): Buffer {
  carry.push(last);
  const whole = Buffer.concat(carry);
  carry.length = 0;
  return whole;
}

function decoded(buf: Buffer, start: number, stop: number, line: number, end: number, onLine: LineHandler): void {
  const text = buf.toString('utf8', start, stop);
  onLine(text, line, end, replacedInvalidUtf8(text, buf, start, stop));
}

/** Items per yielded chunk: large enough to amortise the async hand-off, small enough to stay flat. */
export const CHUNK_ITEMS = 1000;

/**
 * The line readers' loop: feeds `bytes` through `splitter`, turns each line into an item (or none),
 * and yields them in chunks. A read error (truncated gzip, I/O) ends the stream with the one item
 * `failure` makes for it, after every item before it.
 */
export async function* lineItems<T>(
  bytes: AsyncIterable<Buffer>,
  splitter: LineSplitter,
  toItem: (text: string, line: number, end: number, invalidUtf8: boolean) => T | undefined,
  failure: (line: number, end: number, error: unknown) => T,
): AsyncGenerator<T[]> {
  let batch: T[] = [];
  const onLine = (text: string, line: number, end: number, invalidUtf8: boolean): void => {
    const item = toItem(text, line, end, invalidUtf8);
    if (item !== undefined) batch.push(item);
  };
  try {
    for await (const chunk of bytes) {
      splitter.push(chunk, onLine);
      while (batch.length >= CHUNK_ITEMS) {
        yield batch.slice(0, CHUNK_ITEMS);
        batch = batch.slice(CHUNK_ITEMS);
      }
    }
    splitter.end(onLine);
  } catch (error) {
    // The unfinished line is lost with the stream: report the problem at its number and stop.
    batch.push(failure(splitter.lastLine + 1, splitter.lastEnd, error));
  }
  if (batch.length > 0) yield batch;
}
