import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { countInputBytes } from './bytes-read.js';
import { feed } from './feed.js';
import { readAhead } from './read-ahead.js';
import type { InputFile, InputFormat } from './types.js';

/** How to open one input. */
export interface OpenOptions {
  /** Resume offset; used only to seek in a plain (not gzipped) NDJSON file. @default 0 */
  readonly offset?: number;
  /** Format override (--format); else the file's own, else sniffed. @default file.format */
  readonly format?: InputFormat;
  /** The stream read for '-'. @default process.stdin */
  readonly stdin?: NodeJS.ReadableStream;
  /** A local file's first bytes, already read (whole-file.ts): read from them, not from the disk again. Only from the start. */
  readonly head?: ReadHead;
}

/**
 * The first bytes of a local file, read by a planning worker that could not take the file whole
 * (whole-file.ts): the usual read goes on from them, then from the file after them.
 */
export interface ReadHead {
  readonly bytes: Uint8Array;
  /** True when they are the whole file; else the rest is read from the file (and any error met there). */
  readonly complete: boolean;
}

/** An opened input: its (uncompressed) bytes and what they were found to be. */
export interface OpenedInput {
  /** The format to parse with: 'json' here always means a top-level JSON array. */
  readonly format: InputFormat;
  /** True when the bytes were gunzipped (detected by the magic bytes 1f 8b). */
  readonly gzip: boolean;
  /** Byte offset of the first byte of `bytes` in the uncompressed stream (> 0 after a seek). */
  readonly startOffset: number;
  /** Uncompressed bytes; iteration throws on a read or gzip error, after all bytes before it. */
  readonly bytes: AsyncIterable<Buffer>;
}

/** Bytes looked at for the first significant byte when sniffing the format. */
export const SNIFF_LIMIT = 1 << 20;
/**
 * Bytes read from a file, and inflated, per call: each call costs the run thread a callback and a
 * buffer. Gunzipping 1,000,000 messages (650 MB) took 1.36 s of CPU with 64 KiB reads and outputs,
 * 0.95 s with 256 KiB (`node` loop over createReadStream + createGunzip, alternating runs).
 */
const IO_CHUNK = 256 * 1024;
/** Uncompressed bytes read ahead of the parser (see readAhead): about 2,000 Segment messages. */
const READ_AHEAD = 1 << 20;

/**
 * Opens an input (a file, an S3 object, stdin) as a stream of uncompressed bytes: gunzips on the fly when the content starts with the
 * gzip magic bytes (whatever the name), sniffs the format when it is not given (cli.md "Inputs"), and
 * seeks to `offset` in plain NDJSON files. Never throws for I/O problems: a file that cannot be read
 * gives `bytes` that throw when iterated, so the reader reports it like any other read error.
 */
export async function openInput(file: InputFile, options: OpenOptions = {}): Promise<OpenedInput> {
  const wanted = options.format ?? file.format;
  let raw = new Prefetch(sourceOf(file, options.stdin, 0, options.head));
  let gzip = false;
  try {
    gzip = isGzip(await raw.fill((buf) => buf.length >= 2));
    const body = gzip ? new Prefetch(gunzip(raw.rest(), file.size)[Symbol.asyncIterator]()) : raw;
    const sniffed = wanted === 'ndjson' || wanted === 'csv' ? Buffer.alloc(0) : await body.fill(hasSignificantByte);
    const format = decideFormat(wanted, firstSignificantByte(sniffed));
    const offset = options.offset ?? 0;
    if (format === 'ndjson' && !gzip && offset > 0 && file.path !== '-') {
      await raw.close();
      raw = new Prefetch(sourceOf(file, options.stdin, offset));
      return { format, gzip, startOffset: offset, bytes: readAhead(raw.rest(), READ_AHEAD) };
    }
    return { format, gzip, startOffset: 0, bytes: readAhead(body.rest(), READ_AHEAD) };
  } catch (error) {
    await raw.close();
    return { format: decideFormat(wanted, undefined), gzip, startOffset: 0, bytes: failing(error) };
  }
}

/**
 * Lets the process end while a read of stdin still waits for input (a run stopped while its producer
 * was quiet): the stream stops holding the event loop open. Called once a run no longer reads.
 */
export function releaseStdin(stdin: NodeJS.ReadableStream): void {
  (stdin as { unref?: () => void }).unref?.();
}

/**
 * The reason text for an error thrown while reading `bytes`.
 * @example "gzip data is truncated or corrupt (unexpected end of file)"
 */
export function describeReadError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('Z_')) return `gzip data is truncated or corrupt (${message})`;
  return `read error: ${message}`;
}

/** True when the bytes start with the gzip magic bytes 1f 8b (whatever the file's name says). */
export function isGzip(buf: Uint8Array): boolean {
  return buf[0] === 0x1f && buf[1] === 0x8b;
}

/** The first byte that is not whitespace, after an optional UTF-8 BOM; undefined if there is none. */
export function firstSignificantByte(buf: Buffer): number | undefined {
  let i = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  for (; i < buf.length; i++) {
    const b = buf[i];
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return b;
  }
  return undefined;
}

/**
 * The format to parse with. `[` means a JSON array; `{` means NDJSON (a .json file of one object
 * per line, or of a single object, is NDJSON); anything else is CSV. --format ndjson / csv win.
 */
export function decideFormat(wanted: InputFormat | undefined, first: number | undefined): InputFormat {
  if (wanted === 'ndjson' || wanted === 'csv') return wanted;
  if (first === 0x5b) return 'json';
  if (wanted === 'json' || first === 0x7b || first === undefined) return 'ndjson';
  return 'csv';
}

function hasSignificantByte(buf: Buffer): boolean {
  return buf.length >= SNIFF_LIMIT || firstSignificantByte(buf) !== undefined;
}

function sourceOf(file: InputFile, stdin: NodeJS.ReadableStream | undefined, start: number, head?: ReadHead): AsyncIterator<Buffer> {
  if (file.path === '-') return buffers(stdin ?? process.stdin);
  if (file.remote) return buffers(file.remote.bytes(start));
  return buffers(head ? afterHead(file, head) : fileBytes(file, start));
}

function fileBytes(file: InputFile, start: number): AsyncIterable<Buffer> {
  // A small file is read in one buffer of its size (20,000 files of a few KiB each allocated 64 KiB apiece).
  return createReadStream(file.path, { start, highWaterMark: Math.max(1024, Math.min(IO_CHUNK, file.size - start + 1)) });
}

/** The bytes of a file whose head was read already: those, then the file after them. */
async function* afterHead(file: InputFile, head: ReadHead): AsyncGenerator<Buffer> {
  if (head.bytes.length > 0) yield Buffer.from(head.bytes.buffer, head.bytes.byteOffset, head.bytes.length);
  if (!head.complete) yield* fileBytes(file, head.bytes.length);
}

/** The chunks of a stream (a file, stdin or an S3 object), counted as input bytes read. */
async function* buffers(stream: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    countInputBytes(buf.length);
    yield buf;
  }
}

/** `size`: the compressed size when known; a small file gets an output buffer near its inflated size. */
async function* gunzip(compressed: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  const inflater = createGunzip({ chunkSize: size > 0 ? Math.max(4096, Math.min(IO_CHUNK, size * 8)) : IO_CHUNK });
  for await (const chunks of feed<Buffer>(compressed, inflater)) yield* chunks;
}

async function* failing(error: unknown): AsyncGenerator<Buffer> {
  throw error;
}

/** Reads ahead of an iterator to sniff its first bytes, then replays them followed by the rest. */
class Prefetch {
  private readonly head: Buffer[] = [];
  private done = false;

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  /** Reads until `enough` is true of the bytes read so far, or the end; returns those bytes. */
  async fill(enough: (buf: Buffer) => boolean): Promise<Buffer> {
    let buf = Buffer.concat(this.head);
    while (!this.done && !enough(buf)) {
      const next = await this.source.next();
      if (next.done) this.done = true;
      else {
        this.head.push(next.value);
        buf = Buffer.concat(this.head);
      }
    }
    return buf;
  }

  /** The bytes read ahead, then the rest of the source; stopping early closes the source. */
  async *rest(): AsyncGenerator<Buffer> {
    try {
      yield* this.head.splice(0);
      while (!this.done) {
        const next = await this.source.next();
        if (next.done) return;
        yield next.value;
      }
    } finally {
      await this.close();
    }
  }

  /** Stops the source (closes the file). */
  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.source.return?.();
  }
}
