import { readNdjson } from './ndjson.js';
import { openInput, type OpenedInput } from './open.js';
import type { InputFile, InputFormat, InputItem, ReadStart } from './types.js';
import { holdsReplacement, Utf8Watch } from './utf8.js';

/** How to read one input. */
export interface ReadOptions {
  /** Resume point: items up to `start.line` are not yielded again. @default from the beginning */
  readonly start?: ReadStart;
  /** --format override. @default file.format, else sniffed */
  readonly format?: InputFormat;
  /** The stream read for '-'. @default process.stdin */
  readonly stdin?: NodeJS.ReadableStream;
}

/**
 * Reads one replay input as chunks of items (up to about 1,000), in file order. Never throws for a
 * problem with the file itself: an unreadable, truncated or corrupt input ends with one malformed item.
 */
export async function* readItems(file: InputFile, options: ReadOptions = {}): AsyncGenerator<InputItem[]> {
  const opened = await openInput(file, {
    format: options.format,
    offset: options.start?.offset,
    stdin: options.stdin,
  });
  yield* itemsOf(opened, file.display, options.start);
}

/**
 * The items of an opened input, by the reader of its format. The JSON-array and CSV readers (and
 * their parser packages) are loaded only for inputs that need them: most archives are NDJSON.
 */
export async function* itemsOf(opened: OpenedInput, file: string, start: ReadStart | undefined): AsyncGenerator<InputItem[]> {
  switch (opened.format) {
    case 'ndjson':
      yield* readNdjson(opened, file, start);
      return;
    case 'json': {
      const { readJsonArray } = await import('./json-array.js');
      const watch = new Utf8Watch();
      yield* flagInvalidUtf8(readJsonArray({ ...opened, bytes: watch.watch(opened.bytes) }, file, start), watch);
      return;
    }
    case 'csv': {
      const { readCsv } = await import('./csv.js');
      const watch = new Utf8Watch();
      yield* flagInvalidUtf8(readCsv({ ...opened, bytes: watch.watch(opened.bytes) }, file, start), watch);
      return;
    }
  }
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
