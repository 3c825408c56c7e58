import { parse, type Options } from 'csv-parse';
import { buildMessage, headerProblem, planColumns, type ColumnPlan } from './csv-columns.js';
import { feed } from './feed.js';
import { RAW_LIMIT, readFailure } from './ndjson.js';
import type { OpenedInput } from './open.js';
import type { InputItem, MalformedItem, ReadStart } from './types.js';

/** What csv-parse emits per row with `raw` and `info` on. */
export interface CsvRow {
  readonly record: string[];
  readonly raw: string;
  readonly info: { readonly lines: number; readonly bytes: number };
}

/**
 * csv-parse settings shared by replay and delete inputs. `relax_column_count` turns a row with the
 * wrong number of cells into data (reported as malformed) instead of an exception; both \r\n and \n
 * end rows, even mixed in one file.
 */
export const CSV_OPTIONS: Options = {
  bom: true,
  raw: true,
  info: true,
  relax_column_count: true,
  skip_empty_lines: true,
  record_delimiter: ['\r\n', '\n'],
};

/**
 * Reads a CSV with a header row into Segment messages (column rules in csv-columns.ts). A row's `line`
 * is the physical line where it starts. A syntax error (e.g. an unclosed quote) yields everything before
 * it, then one malformed item, and ends the file.
 */
export async function* readCsv(opened: OpenedInput, file: string, start?: ReadStart): AsyncGenerator<InputItem[]> {
  let plan: ColumnPlan | undefined;
  let width = 0;
  let last = 0;
  const skipThrough = start?.line ?? 0;
  try {
    for await (const rows of csvRows(opened.bytes)) {
      const items: InputItem[] = [];
      for (const row of rows) {
        last = row.info.lines;
        if (plan === undefined) {
          plan = planColumns(row.record);
          width = row.record.length;
          const problem = headerProblem(plan);
          if (problem !== undefined) {
            yield [{ kind: 'malformed', file, line: 1, end: 0, reason: problem, raw: row.raw.slice(0, RAW_LIMIT) }];
            return;
          }
          continue;
        }
        const line = rowStartLine(row);
        if (line <= skipThrough || isBlankRow(row.record)) continue;
        items.push(rowItem(file, line, row, plan, width));
      }
      if (items.length > 0) yield items;
    }
  } catch (error) {
    yield [csvFailure(file, last, error)];
  }
}

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

/** A line of only spaces parses as one blank cell: it is not a record. */
export function isBlankRow(record: readonly string[]): boolean {
  return record.every((cell) => cell.trim() === '');
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

function rowItem(file: string, line: number, row: CsvRow, plan: ColumnPlan, width: number): InputItem {
  const end = row.info.bytes;
  if (row.record.length !== width) {
    const reason = `row has ${row.record.length} cells, header has ${width}`;
    return { kind: 'malformed', file, line, end, reason, raw: row.raw.trim().slice(0, RAW_LIMIT) };
  }
  return { kind: 'record', file, line, end, value: buildMessage(plan, row.record) };
}
