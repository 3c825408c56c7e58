import type { OpenedInput } from './open.js';
import type { InputItem, ReadStart } from './types.js';
import { holdsReplacement, Utf8Watch } from './utf8.js';

/** An opened input whose format is parsed as a stream of values (NDJSON goes by lines: line-batches.ts). */
export type ParsedInput = OpenedInput & { readonly format: 'json' | 'csv' };

export function isParsed(opened: OpenedInput): opened is ParsedInput {
  return opened.format !== 'ndjson';
}

/**
 * The items of a JSON-array or CSV input, by the reader of its format. Their readers (and parser
 * packages) are loaded only for inputs that need them: most archives are NDJSON. Never throws for a
 * problem with the file itself: an unreadable, truncated or corrupt input ends with one malformed item.
 */
export async function* itemsOf(opened: ParsedInput, file: string, start: ReadStart | undefined): AsyncGenerator<InputItem[]> {
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
