import { readCsv } from './csv.js';
import { readJsonArray } from './json-array.js';
import { readNdjson } from './ndjson.js';
import { openInput, type OpenedInput } from './open.js';
import type { InputFile, InputFormat, InputItem, ReadStart } from './types.js';

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

/** The items of an opened input, by the reader of its format. */
export function itemsOf(opened: OpenedInput, file: string, start: ReadStart | undefined): AsyncGenerator<InputItem[]> {
  switch (opened.format) {
    case 'ndjson':
      return readNdjson(opened, file, start);
    case 'json':
      return readJsonArray(opened, file, start);
    case 'csv':
      return readCsv(opened, file, start);
  }
}
