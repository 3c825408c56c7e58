import { parse, type Options } from 'csv-parse';
import { feed } from '../feed.js';
import { readFailure } from '../ndjson.js';
import type { MalformedItem } from '../types.js';

/**
 * CSV read as a stream of parsed rows: delete's ID lists (id-list.ts). Replay's CSV is cut into rows
 * on the run thread (csv-splitter.ts) and parsed by the planning workers (csv-rows.ts).
 */

export { isBlankRow } from './csv-rows.js';

/** What csv-parse emits per row with `raw` and `info` on. */
export interface CsvRow {
  readonly record: string[];
  readonly raw: string;
  readonly info: { readonly lines: number; readonly bytes: number };
}

/**
 * csv-parse settings of delete's ID lists. `relax_column_count` turns a row with the wrong number of
 * cells into data (reported as malformed) instead of an exception; both \r\n and \n end rows, even
 * mixed in one file.
 */
export const CSV_OPTIONS: Options = {
  bom: true,
  raw: true,
  info: true,
  relax_column_count: true,
  skip_empty_lines: true,
  record_delimiter: ['\r\n', '\n'],
};

/** Parsed rows of a CSV byte stream, in chunks; throws (after the rows before it) on a syntax or read error. */
export function csvRows(bytes: AsyncIterable<Buffer>): AsyncGenerator<CsvRow[]> {
  return feed<CsvRow>(bytes, parse(CSV_OPTIONS));
}

/** The physical line where a row starts: csv-parse reports the line where it ends. */
export function rowStartLine(row: CsvRow): number {
  const body = row.raw.replace(/^[\r\n]+/, '').replace(/\r?\n$|\r$/, '');
  let inner = 0;
  for (let i = body.indexOf('\n'); i !== -1; i = body.indexOf('\n', i + 1)) inner += 1;
  return row.info.lines - inner;
}

/** The malformed item for a CSV syntax error or a read error after line `last`. */
export function csvFailure(file: string, last: number, error: unknown): MalformedItem {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('CSV_')) return readFailure(file, last + 1, 0, error);
  const reported = (error as { lines?: unknown }).lines;
  const line = typeof reported === 'number' && reported > last ? reported : last + 1;
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'malformed', file, line, end: 0, reason: `invalid CSV: ${message}`, raw: '' };
}
