import type { RecordSplitter } from './line-batches.js';
import { LineSplitter } from './lines.js';
import { describeReadError, type OpenedInput } from './open.js';
import type { InputItem, MalformedItem, ReadStart } from './types.js';

/**
 * NDJSON (one JSON value a line: the Segment archive format): where reading resumes, how a line
 * becomes an item, and the item a read error ends with. The read loop is line-batches.ts (lines go to
 * the planning workers as bytes, and are parsed there with parseLine); delete's ID lists use lines.ts.
 */

/** The records of an NDJSON input are its lines, from the resume point (resumeSplitter). */
export function ndjsonSplitter(opened: OpenedInput, file: string, start: ReadStart | undefined): RecordSplitter {
  const lines = resumeSplitter(opened, start);
  return {
    pushBytes: (chunk, onLine) => lines.pushBytes(chunk, onLine),
    endBytes: (onLine) => lines.endBytes(onLine),
    readFailure: (error) => readFailure(file, lines.lastLine + 1, lines.lastEnd, error),
    broken: undefined,
    form: undefined,
  };
}

/** Raw text kept on a malformed item (types.ts). */
export const RAW_LIMIT = 1000;

/**
 * The line splitter for an opened NDJSON input: a seeked stream (`startOffset` > 0) is numbered from
 * `start.line + 1`; otherwise lines up to `start.line` are skipped without being decoded.
 */
export function resumeSplitter(opened: OpenedInput, start: ReadStart | undefined): LineSplitter {
  const seeked = opened.startOffset > 0;
  return new LineSplitter({
    line: seeked ? (start?.line ?? 0) : 0,
    offset: opened.startOffset,
    skipThrough: seeked ? 0 : (start?.line ?? 0),
  });
}

/** One NDJSON line as an item; undefined for a blank line. `invalidUtf8`: see utf8.ts. */
export function parseLine(file: string, text: string, line: number, end: number, invalidUtf8 = false): InputItem | undefined {
  if (text.length === 0) return undefined;
  try {
    // `|| undefined`: every record has the property (one shape), and equals one made without it.
    return { kind: 'record', file, line, end, value: JSON.parse(text), invalidUtf8: invalidUtf8 || undefined };
  } catch (error) {
    if (text.trim().length === 0) return undefined;
    const message = error instanceof Error ? error.message : String(error);
    return { kind: 'malformed', file, line, end, reason: `invalid JSON: ${message}`, raw: text.slice(0, RAW_LIMIT) };
  }
}

/** The single malformed item that ends a file whose bytes could not all be read. */
export function readFailure(file: string, line: number, end: number, error: unknown): MalformedItem {
  return { kind: 'malformed', file, line, end, reason: describeReadError(error), raw: '' };
}
