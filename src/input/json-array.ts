import { arrayProblem } from './array-splitter.js';
import type { InputItem } from './types.js';

/**
 * A JSON array's element, as a planning worker parses it (its text was cut by array-splitter.ts):
 * like an NDJSON line, numbered by its position in the array. A non-object element is still an item
 * (the pipeline rejects it). A syntax error is a malformed item naming the element, and the last
 * item of the input, as when a streaming parser stops there.
 */
export function parseElement(file: string, text: string, element: number, invalidUtf8 = false): InputItem {
  try {
    // `|| undefined`: every record has the property (one shape), and equals one made without it.
    return { kind: 'record', file, line: element, end: 0, value: JSON.parse(text), invalidUtf8: invalidUtf8 || undefined };
  } catch (error) {
    return arrayProblem(file, element, error instanceof Error ? error.message : String(error));
  }
}
