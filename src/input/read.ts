import { ArraySplitter } from './array-splitter.js';
import { recordBatches, type BatchLimits, type LinesRead, type RecordSplitter } from './line-batches.js';
import { ndjsonSplitter } from './ndjson.js';
import { openInput, type OpenedInput, type ReadHead } from './open.js';
import type { InputFile, InputFormat, ReadStart } from './types.js';
import { wholeFileOf, type WholeFile } from './whole-file.js';

/** What reading one input gives, in input order. */
export type InputRead =
  | LinesRead
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
 * batches of records (line-batches.ts): NDJSON lines, a JSON array's elements, CSV rows, which the
 * planning workers parse. Never throws for a problem with the file itself: it ends with one malformed
 * item, at its line.
 */
export async function* readInput(file: InputFile, start: ReadStart | undefined, options: ReadOptions): AsyncGenerator<InputRead> {
  const whole = wholeFileOf(file, start, options.format);
  if (whole) yield { kind: 'whole', whole, readOn: (head) => readOpened(file, start, options, head) };
  else yield* readOpened(file, start, options);
}

async function* readOpened(file: InputFile, start: ReadStart | undefined, options: ReadOptions, head?: ReadHead): AsyncGenerator<InputRead> {
  const opened = await openInput(file, { format: options.format, offset: start?.offset, stdin: options.stdin, head });
  yield* recordBatches(opened, file.display, await splitterOf(opened, file.display, start), options.limits);
}

/**
 * What cuts an opened input into records, by its format. The CSV splitter (and csv-parse, which it
 * compiles the header with) is loaded only for an input that needs it: most archives are NDJSON.
 */
async function splitterOf(opened: OpenedInput, file: string, start: ReadStart | undefined): Promise<RecordSplitter> {
  if (opened.format === 'ndjson') return ndjsonSplitter(opened, file, start);
  if (opened.format === 'json') return new ArraySplitter(file, start);
  const { CsvSplitter } = await import('./csv/csv-splitter.js');
  return new CsvSplitter(file, start);
}
