import { ArraySplitter } from './array-splitter.js';
import { recordBatches, type BatchLimits, type LinesRead, type RecordSplitter } from './line-batches.js';
import { ndjsonSplitter } from './ndjson.js';
import { openInput, type OpenedInput, type ReadHead } from './open.js';
import type { InputFile, InputFormat, InputItem, ReadStart } from './types.js';
import { holdsReplacement, Utf8Watch } from './utf8.js';
import { wholeFileOf, type WholeFile } from './whole-file.js';

/** What reading one input gives, in input order. */
export type InputRead =
  | LinesRead
  /** Records of a CSV (its parser is a stream, read here). */
  | { readonly kind: 'items'; readonly items: InputItem[] }
  /**
   * A small local file, offered whole (whole-file.ts): its first and only read. The worker that takes
   * it plans its lines as one batch, or hands back the bytes it read; `readOn` reads the file from
   * them, the usual way.
   */
  | { readonly kind: 'whole'; readonly whole: WholeFile; readonly readOn: (head: ReadHead) => AsyncGenerator<InputRead> };

/** How inputs are read. */
export interface ReadOptions {
  /** --format; undefined: the file's own, else sniffed. */
  readonly format: InputFormat | undefined;
  /** The stream read for '-'. @default process.stdin */
  readonly stdin?: NodeJS.ReadableStream;
  /** How records are cut into batches. */
  readonly limits: BatchLimits;
}

/**
 * The read of one input, from `start`, whatever it is: a small local file is offered whole; any other
 * input (or a small one handed back) is opened (gunzipped on the fly, its format sniffed) and cut into
 * batches of records (line-batches.ts): NDJSON lines or a JSON array's elements, which the planning
 * workers parse; a CSV is parsed into items here. Never throws for a problem with the file itself: it
 * ends with one malformed item, at its line.
 */
export async function* readInput(file: InputFile, start: ReadStart | undefined, options: ReadOptions): AsyncGenerator<InputRead> {
  const whole = wholeFileOf(file, start, options.format);
  if (whole) yield { kind: 'whole', whole, readOn: (head) => readOpened(file, start, options, head) };
  else yield* readOpened(file, start, options);
}

async function* readOpened(file: InputFile, start: ReadStart | undefined, options: ReadOptions, head?: ReadHead): AsyncGenerator<InputRead> {
  const opened = await openInput(file, { format: options.format, offset: start?.offset, stdin: options.stdin, head });
  if (opened.format === 'csv') {
    for await (const items of csvItems(opened, file.display, start)) yield { kind: 'items', items };
    return;
  }
  yield* recordBatches(opened, file.display, splitterOf(opened, file.display, start), options.limits);
}

/** What cuts an opened NDJSON or JSON-array input into records. */
function splitterOf(opened: OpenedInput, file: string, start: ReadStart | undefined): RecordSplitter {
  return opened.format === 'json' ? new ArraySplitter(file, start) : ndjsonSplitter(opened, file, start);
}

/**
 * The items of a CSV input. Its reader (and csv-parse) is loaded only for inputs that need it: most
 * archives are NDJSON. Never throws for a problem with the file itself: an unreadable, truncated or
 * corrupt input ends with one malformed item.
 */
async function* csvItems(opened: OpenedInput, file: string, start: ReadStart | undefined): AsyncGenerator<InputItem[]> {
  const watch = new Utf8Watch();
  const watched = { ...opened, bytes: watch.watch(opened.bytes) };
  const { readCsv } = await import('./csv.js');
  yield* flagInvalidUtf8(readCsv(watched, file, start), watch);
}

/**
 * The CSV parser decodes the bytes itself, so a record's own bytes are not at hand: once invalid
 * UTF-8 went by in the file (Utf8Watch, a step ahead of the parser), a record holding U+FFFD is
 * flagged. (A U+FFFD genuinely in the data is then miscounted only in a file that also holds invalid
 * bytes.)
 */
async function* flagInvalidUtf8(chunks: AsyncIterable<InputItem[]>, watch: Utf8Watch): AsyncGenerator<InputItem[]> {
  for await (const chunk of chunks) {
    yield watch.seen ? chunk.map((item) => (item.kind === 'record' && holdsReplacement(item.value) ? { ...item, invalidUtf8: true } : item)) : chunk;
  }
}
