import { readCsv } from './csv.js';
import { readJsonArray } from './json-array.js';
import { readNdjson } from './ndjson.js';
import { openInput } from './open.js';
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
  const name = file.display;
  switch (opened.format) {
    case 'ndjson':
      yield* readNdjson(opened, name, options.start);
      return;
    case 'json':
      yield* readJsonArray(opened, name, options.start);
      return;
    case 'csv':
      yield* readCsv(opened, name, options.start);
      return;
  }
}
