import Parser from 'stream-json/Parser.js';
import StreamArray from 'stream-json/streamers/StreamArray.js';
import { feed } from './feed.js';
import { readFailure } from './ndjson.js';
import type { OpenedInput } from './open.js';
import type { InputItem, ReadStart } from './types.js';

/** What stream-json's streamArray emits per element. */
interface ArrayElement {
  readonly key: number;
  readonly value: unknown;
}

/**
 * Reads one top-level JSON array, element by element, with stream-json (never the whole file). An
 * element's `line` is its 1-based number; a non-object element is still yielded (the pipeline rejects
 * it). A parse error yields everything before it, then one malformed item, and ends the file.
 */
export async function* readJsonArray(
  opened: OpenedInput,
  file: string,
  start?: ReadStart,
): AsyncGenerator<InputItem[]> {
  const skipThrough = start?.line ?? 0;
  const parser = Parser.parser();
  const elements = StreamArray.streamArray();
  parser.on('data', (token: unknown) => elements.write(token));
  parser.on('end', () => elements.end());
  let last = 0;
  try {
    for await (const batch of feed<ArrayElement>(opened.bytes, parser, elements)) {
      const items: InputItem[] = [];
      for (const { key, value } of batch) {
        last = key + 1;
        if (last > skipThrough) items.push({ kind: 'record', file, line: last, end: 0, value });
      }
      if (items.length > 0) yield items;
    }
  } catch (error) {
    yield [failure(file, last + 1, error)];
  }
}

function failure(file: string, element: number, error: unknown): InputItem {
  if (isReadError(error)) return readFailure(file, element, 0, error);
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'malformed', file, line: element, end: 0, reason: `invalid JSON array (element ${element}): ${message}`, raw: '' };
}

/** zlib and fs errors carry a string `code`; stream-json's parse errors do not. */
function isReadError(error: unknown): boolean {
  return typeof (error as { code?: unknown } | null)?.code === 'string';
}
