import type { OpenedInput } from './open.js';
import type { InputItem, ReadStart } from './types.js';

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
  if (opened.format === 'json') {
    const { readJsonArray } = await import('./json-array.js');
    yield* readJsonArray(opened, file, start);
    return;
  }
  const { readCsv } = await import('./csv.js');
  yield* readCsv(opened, file, start);
}
