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
      yield* readJsonArray(opened, file, start);
      return;
    }
    case 'csv': {
      const { readCsv } = await import('./csv.js');
      yield* readCsv(opened, file, start);
      return;
    }
  }
}
