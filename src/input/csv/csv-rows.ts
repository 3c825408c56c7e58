import { createRequire } from 'node:module';
import type { Options } from 'csv-parse';
import { csvParseRows } from 'd3-dsv';
import { buildMessage, headerProblem, planColumns } from './csv-columns.js';
import type { LineBatch, RecordForm } from '../line-batches.js';
import { RAW_LIMIT } from '../ndjson.js';
import type { InputItem, MalformedItem } from '../types.js';
import { validUtf8 } from '../utf8.js';

/**
 * csv-parse settings for rows cut by csv-splitter.ts: the BOM is gone, and each row (never empty)
 * ends with one "\n" (a "\r\n" that ended it was cut to that). One delimiter to look for, not two,
 * and no `raw` or `info` to keep (a row's line and text are known already): 15-25% faster.
 */
const ROW_OPTIONS: Options = { relax_column_count: true, record_delimiter: '\n' };

/** A broken row's text is as it was in the file: either newline may end a line of it. */
const BROKEN_OPTIONS: Options = { relax_column_count: true, record_delimiter: ['\r\n', '\n'] };

/**
 * csv-parse's synchronous parser, loaded by the first CSV read (its CommonJS build: `require` loads
 * it in the middle of a synchronous parse, where `import()` could not). Every planning worker loads
 * this file, and most runs read no CSV: loading csv-parse with it cost each worker 10-20 ms at start.
 */
type ParseSync = (input: Buffer, options: Options) => unknown;
let parser: ParseSync | undefined;

function parse(input: Buffer, options: Options): unknown {
  parser ??= (createRequire(import.meta.url)('csv-parse/sync') as { parse: ParseSync }).parse;
  return parser(input, options);
}

/** The rows of a CSV under its header (replay): from csv-splitter.ts, planned by the workers. */
export type RowForm = Extract<RecordForm, { kind: 'rows' }>;

/**
 * The header row (its text, without the newline ending it) compiled into the form of the file's rows,
 * or the malformed item that ends the file when it names no Segment field.
 */
export function headerForm(file: string, text: Buffer, line: number): RowForm | MalformedItem {
  let cells: string[];
  try {
    [cells = []] = parse(text, ROW_OPTIONS) as string[][];
  } catch (error) {
    return brokenRow(file, text, line, error);
  }
  const columns = planColumns(cells);
  const problem = headerProblem(columns);
  if (problem === undefined) return { kind: 'rows', columns, width: cells.length };
  return { kind: 'malformed', file, line: 1, end: 0, reason: problem, raw: text.toString('utf8').slice(0, RAW_LIMIT) };
}

/**
 * The malformed item for a row csv-splitter.ts found broken (a quote out of place, a quote not
 * closed at the end of the file): csv-parse reads the row's text, from its first line `line`, and
 * says what is wrong. Its message counts lines from the row's start: they are renumbered as lines of
 * the file.
 */
export function brokenRow(file: string, text: Buffer, line: number, error?: unknown): MalformedItem {
  try {
    parse(text, BROKEN_OPTIONS);
  } catch (thrown) {
    error ??= thrown;
  }
  const at = (error as { lines?: unknown } | undefined)?.lines;
  const relative = typeof at === 'number' ? at : 1;
  const absolute = line + relative - 1;
  const message = error instanceof Error ? error.message.replace(`at line ${relative}`, `at line ${absolute}`) : `a quote out of place at line ${absolute}`;
  return { kind: 'malformed', file, line: absolute, end: 0, reason: `invalid CSV: ${message}`, raw: '' };
}

/**
 * Hands each row of a batch (csv-splitter.ts) to `each` as an item, the way a planning worker plans
 * it: its cells (csv-parse, the batch's rows in one call) made into a message under the header
 * (csv-columns.ts); a row of blank cells gives none, a row with the wrong number of cells is
 * malformed. Returns true when a row could not be parsed: it is the input's last item.
 */
export function forEachRow(batch: LineBatch, form: RowForm, each: (item: InputItem) => void): boolean {
  const bytes = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.length);
  const count = batch.starts.length;
  // One SIMD validation of the whole batch; a row is checked on its own only in a batch that fails.
  const valid = validUtf8(bytes);
  let cellsOf: string[][] | undefined;
  for (let i = 0; i < count; i++) {
    const start = batch.starts[i]!;
    const stop = i + 1 < count ? batch.starts[i + 1]! : bytes.length;
    // The cells of a few rows at a time: a batch's rows cut all at once outlived the worker's
    // young-generation collections.
    if (i % ROWS_AT_ONCE === 0) {
      const last = Math.min(count, i + ROWS_AT_ONCE);
      cellsOf = rowsOf(bytes.subarray(start, last < count ? batch.starts[last]! : bytes.length), last - i);
    }
    const cells = cellsOf?.[i % ROWS_AT_ONCE] ?? cellsOfRow(bytes.subarray(start, stop));
    const line = batch.lines[i]!;
    const end = batch.ends[i]!;
    if (!Array.isArray(cells)) {
      each(brokenRow(batch.file, bytes.subarray(start, stop), line, cells.error));
      return true;
    }
    if (isBlankRow(cells)) continue;
    if (cells.length !== form.width) {
      const reason = `row has ${cells.length} cells, header has ${form.width}`;
      each({ kind: 'malformed', file: batch.file, line, end, reason, raw: bytes.toString('utf8', start, stop).trim().slice(0, RAW_LIMIT) });
      continue;
    }
    const invalidUtf8 = !valid && !validUtf8(bytes.subarray(start, stop));
    each({ kind: 'record', file: batch.file, line, end, value: buildMessage(form.columns, cells), invalidUtf8: invalidUtf8 || undefined });
  }
  return false;
}

/** Rows cut into cells in one call (see forEachRow). */
const ROWS_AT_ONCE = 32;

/**
 * The cells of each of `count` rows, parsed in one call; undefined when that does not give one record
 * a row (each row is then parsed alone, by csv-parse).
 *
 * The splitter has already followed every quote of these rows as csv-parse does (csv-splitter.ts), so
 * they are well-formed: here only cells are cut and quotes unescaped, which d3-dsv does for well-formed
 * CSV exactly as csv-parse does, at a third of its cost (docs/performance.md, "CSV"). The one
 * difference, a lone "\r" in an unquoted cell (a row break to d3-dsv, data to csv-parse), gives more
 * rows than `count`, and csv-parse then reads the batch row by row.
 */
function rowsOf(bytes: Buffer, count: number): string[][] | undefined {
  const rows = csvParseRows(bytes.toString('utf8'));
  return rows.length === count ? rows : undefined;
}

function cellsOfRow(row: Buffer): string[] | { readonly error: unknown } {
  try {
    return (parse(row, ROW_OPTIONS) as string[][])[0] ?? [];
  } catch (error) {
    return { error };
  }
}

/** A line of only spaces parses as one blank cell: it is not a record. */
export function isBlankRow(record: readonly string[]): boolean {
  return record.every((cell) => cell.trim() === '');
}
