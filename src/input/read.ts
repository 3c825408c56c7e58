import { lineBatches, type BatchLimits, type LinesRead } from './line-batches.js';
import { openInput, type OpenedInput, type ReadHead } from './open.js';
import type { InputFile, InputFormat, InputItem, ReadStart } from './types.js';
import { holdsReplacement, Utf8Watch } from './utf8.js';
import { wholeFileOf, type WholeFile } from './whole-file.js';

/** What reading one input gives, in input order. */
export type InputRead =
  | LinesRead
  /** Records of a JSON array or CSV (their parsers are streams, read here). */
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
  /** How NDJSON lines are cut into batches. */
  readonly limits: BatchLimits;
}

/**
 * The read of one input, from `start`, whatever it is: a small local file is offered whole; any other
 * input (or a small one handed back) is opened (gunzipped on the fly, its format sniffed), and NDJSON
 * is cut into batches of lines (line-batches.ts), JSON arrays and CSV parsed into items. Never throws
 * for a problem with the file itself: it ends with one malformed item, at its line.
 */
export async function* readInput(file: InputFile, start: ReadStart | undefined, options: ReadOptions): AsyncGenerator<InputRead> {
  const whole = wholeFileOf(file, start, options.format);
  if (whole) yield { kind: 'whole', whole, readOn: (head) => readOpened(file, start, options, head) };
  else yield* readOpened(file, start, options);
}

async function* readOpened(file: InputFile, start: ReadStart | undefined, options: ReadOptions, head?: ReadHead): AsyncGenerator<InputRead> {
  const opened = await openInput(file, { format: options.format, offset: start?.offset, stdin: options.stdin, head });
  if (!isParsed(opened)) {
    yield* lineBatches(opened, file.display, start, options.limits);
    return;
  }
  for await (const items of itemsOf(opened, file.display, start)) yield { kind: 'items', items };
}

/** An opened input whose format is parsed as a stream of values (NDJSON goes by lines: line-batches.ts). */
type ParsedInput = OpenedInput & { readonly format: 'json' | 'csv' };

function isParsed(opened: OpenedInput): opened is ParsedInput {
  return opened.format !== 'ndjson';
}

/**
 * The items of a JSON-array or CSV input, by the reader of its format. Their readers (and parser
 * packages) are loaded only for inputs that need them: most archives are NDJSON. Never throws for a
 * problem with the file itself: an unreadable, truncated or corrupt input ends with one malformed item.
 */
async function* itemsOf(opened: ParsedInput, file: string, start: ReadStart | undefined): AsyncGenerator<InputItem[]> {
  const watch = new Utf8Watch();
  const watched = { ...opened, bytes: watch.watch(opened.bytes) };
  if (opened.format === 'json') {
    const { readJsonArray } = await import('./json-array.js');
    yield* flagInvalidUtf8(readJsonArray(watched, file, start), watch);
    return;
  }
  const { readCsv } = await import('./csv.js');
  yield* flagInvalidUtf8(readCsv(watched, file, start), watch);
}

/**
 * The CSV and JSON-array parsers decode the bytes themselves, so a record's own bytes are not at
 * hand: once invalid UTF-8 went by in the file (Utf8Watch, a step ahead of the parser), a record
 * holding U+FFFD is flagged. (A U+FFFD genuinely in the data is then miscounted only in a file
 * that also holds invalid bytes.)
 */
async function* flagInvalidUtf8(chunks: AsyncIterable<InputItem[]>, watch: Utf8Watch): AsyncGenerator<InputItem[]> {
  for await (const chunk of chunks) {
    yield watch.seen ? chunk.map((item) => (item.kind === 'record' && holdsReplacement(item.value) ? { ...item, invalidUtf8: true } : item)) : chunk;
  }
}
