import { csvFailure, csvRows, isBlankRow, rowStartLine, type CsvRow } from './csv/csv.js';
import { RAW_LIMIT, readFailure } from './ndjson.js';
import { LineSplitter, lineItems } from './lines.js';
import { openInput } from './open.js';
import type { InputFile, MalformedItem, ReadStart } from './types.js';

/** The kind of identifier a delete input holds (--id-type). */
export type IdType = 'external_id' | 'braze_id' | 'user_alias';

/** One user to delete: an external or Braze ID, or a user alias. */
export type DeleteId = string | { readonly alias_name: string; readonly alias_label: string };

/** An ID with where it came from, or a line that held no usable ID. */
export type IdItem = { kind: 'id'; file: string; line: number; end: number; id: DeleteId } | MalformedItem;

/** How to read one delete input. */
export interface IdReadOptions {
  /** Resume point: lines up to `start.line` are not yielded again. @default from the beginning */
  readonly start?: ReadStart;
  readonly idType: IdType;
  /** CSV column holding the ID (--column). @default the first of external_id, userId, user_id, id */
  readonly column?: string;
  /** NDJSON dot path holding the ID (--field). @default userId, then external_id */
  readonly field?: string;
  /** Label for user aliases without an alias_label column/field (--alias-label). */
  readonly aliasLabel?: string;
  /** The stream read for '-'. @default process.stdin */
  readonly stdin?: NodeJS.ReadableStream;
}

/** Braze's limit on an external ID; also applied to Braze IDs and alias names and labels. */
export const MAX_ID_LENGTH = 255;

type IdFormat = 'txt' | 'csv' | 'ndjson';
type Extracted = { readonly id: DeleteId } | { readonly reason: string };

const CSV_COLUMNS = ['external_id', 'userId', 'user_id', 'id'];
const NDJSON_FIELDS = ['userId', 'external_id'];
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Reads one delete input (cli.md "Delete"): .txt (one ID a line; blank lines and `#` comments
 * ignored), .csv (a column) or .ndjson (a field), each optionally gzipped; stdin and unknown names are
 * sniffed (`{` is NDJSON, a first line with a comma or a known column name is CSV, else text). IDs are
 * trimmed; empty, over-long or control-character IDs become malformed items. Not de-duplicated here.
 */
export async function* readIds(file: InputFile, options: IdReadOptions): AsyncGenerator<IdItem[]> {
  const named = formatFromName(file);
  const opened = await openInput(file, { format: named === 'ndjson' ? 'ndjson' : named ? 'csv' : undefined, stdin: options.stdin });
  let format: IdFormat = named ?? (opened.format === 'csv' ? 'csv' : 'ndjson');
  let bytes = opened.bytes;
  if (named === undefined && format === 'csv') ({ format, bytes } = await sniffText(bytes, options));
  const name = file.display;
  if (format === 'csv') yield* readIdCsv(bytes, name, options);
  else yield* readIdLines(bytes, name, options, format === 'txt' ? textId : ndjsonId);
}

function formatFromName(file: InputFile): IdFormat | undefined {
  const lower = file.path.toLowerCase().replace(/\.gz$/, '');
  if (lower.endsWith('.txt')) return 'txt';
  if (lower.endsWith('.csv')) return 'csv';
  if (/\.(ndjson|jsonl|json)$/.test(lower)) return 'ndjson';
  return undefined;
}

/** Decides CSV or plain text from the first line, then replays the bytes. */
async function sniffText(bytes: AsyncIterable<Buffer>, options: IdReadOptions): Promise<{ format: IdFormat; bytes: AsyncIterable<Buffer> }> {
  const iterator = bytes[Symbol.asyncIterator]();
  let first: IteratorResult<Buffer>;
  try {
    first = await iterator.next();
  } catch (error) {
    return { format: 'txt', bytes: replay(undefined, iterator, error) };
  }
  const head = first.done ? '' : first.value.toString('utf8', 0, Math.min(first.value.length, 64 * 1024));
  const line = (head.split('\n')[0] ?? '').replace(/^\uFEFF/, '').trim();
  const headers = [options.column, 'alias_name', 'braze_id', ...CSV_COLUMNS];
  const isCsv = line.includes(',') || headers.includes(line);
  return { format: isCsv ? 'csv' : 'txt', bytes: replay(first.done ? undefined : first.value, iterator) };
}

async function* replay(first: Buffer | undefined, rest: AsyncIterator<Buffer>, error?: unknown): AsyncGenerator<Buffer> {
  if (error !== undefined) throw error;
  try {
    if (first !== undefined) yield first;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  } finally {
    await rest.return?.();
  }
}

type LineId = (text: string, options: IdReadOptions) => Extracted | undefined;

/** .txt and .ndjson: one ID a physical line. */
async function* readIdLines(bytes: AsyncIterable<Buffer>, file: string, options: IdReadOptions, extract: LineId): AsyncGenerator<IdItem[]> {
  const splitter = new LineSplitter({ skipThrough: options.start?.line ?? 0 });
  const fromLine = (text: string, line: number, end: number): IdItem | undefined => {
    const result = extract(text, options);
    return result === undefined ? undefined : toItem(file, line, end, result, text);
  };
  yield* lineItems(bytes, splitter, fromLine, (line, end, error) => readFailure(file, line, end, error));
}

function textId(text: string, options: IdReadOptions): Extracted | undefined {
  const id = text.trim();
  if (id === '' || id.startsWith('#')) return undefined;
  return makeId(id, options.idType === 'user_alias' ? options.aliasLabel : undefined, options.idType);
}

function ndjsonId(text: string, options: IdReadOptions): Extracted | undefined {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { reason: `invalid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { reason: 'line is not a JSON object' };
  const record = value as Record<string, unknown>;
  const alias = options.idType === 'user_alias';
  const fields = options.field ? [options.field] : alias ? ['alias_name'] : options.idType === 'braze_id' ? ['braze_id', ...NDJSON_FIELDS] : NDJSON_FIELDS;
  const found = fields.map((field) => scalar(getPath(record, field))).find((id) => id !== '');
  if (found === undefined) return { reason: `line has no ${fields.map((f) => `"${f}"`).join(' or ')} value` };
  const label = alias ? scalar(record.alias_label) || options.aliasLabel : undefined;
  return makeId(found, label, options.idType);
}

/** .csv: one ID a row, from the chosen column(s). */
async function* readIdCsv(bytes: AsyncIterable<Buffer>, file: string, options: IdReadOptions): AsyncGenerator<IdItem[]> {
  let pick: ((row: CsvRow) => Extracted) | undefined;
  let last = 0;
  try {
    for await (const rows of csvRows(bytes)) {
      const items: IdItem[] = [];
      for (const row of rows) {
        last = row.info.lines;
        if (pick === undefined) {
          const chosen = columnPicker(row.record.map((cell) => cell.trim()), options);
          if (typeof chosen === 'string') {
            yield [...items, { kind: 'malformed', file, line: last, end: 0, reason: chosen, raw: row.raw.trim().slice(0, RAW_LIMIT) }];
            return;
          }
          pick = chosen;
          continue;
        }
        const line = rowStartLine(row);
        if (line <= (options.start?.line ?? 0) || isBlankRow(row.record)) continue;
        items.push(toItem(file, line, row.info.bytes, pick(row), row.raw.trim()));
      }
      if (items.length > 0) yield items;
    }
  } catch (error) {
    yield [csvFailure(file, last, error)];
  }
}

/** Compiles the header into a row → ID function, or explains why the header has no ID column. */
function columnPicker(header: readonly string[], options: IdReadOptions): ((row: CsvRow) => Extracted) | string {
  const alias = options.idType === 'user_alias';
  const candidates = options.column ? [options.column] : alias ? ['alias_name', ...CSV_COLUMNS] : options.idType === 'braze_id' ? ['braze_id', ...CSV_COLUMNS] : CSV_COLUMNS;
  const column = candidates.find((name) => header.includes(name));
  if (column === undefined) return `no ${candidates.map((c) => `"${c}"`).join(', ')} column in the header`;
  const at = header.indexOf(column);
  const labelAt = alias ? header.indexOf('alias_label') : -1;
  return (row) => {
    const id = row.record[at]?.trim() ?? '';
    if (id === '') return { reason: `row has no "${column}" value` };
    const label = alias ? (row.record[labelAt]?.trim() || options.aliasLabel) : undefined;
    return makeId(id, label, options.idType);
  };
}

function makeId(id: string, label: string | undefined, idType: IdType): Extracted {
  const problem = idProblem(id);
  if (problem) return { reason: problem };
  if (idType !== 'user_alias') return { id };
  if (label === undefined || label.trim() === '') return { reason: 'user alias has no label (give --alias-label or an alias_label column)' };
  const labelProblem = idProblem(label.trim());
  if (labelProblem) return { reason: `alias label: ${labelProblem}` };
  return { id: { alias_name: id, alias_label: label.trim() } };
}

/** Why an (already trimmed) ID cannot be sent, if it cannot. */
export function idProblem(id: string): string | undefined {
  if (id.length > MAX_ID_LENGTH) return `ID is longer than ${MAX_ID_LENGTH} characters (${id.length})`;
  if (CONTROL.test(id)) return 'ID contains control characters';
  return undefined;
}

function toItem(file: string, line: number, end: number, result: Extracted, raw: string): IdItem {
  if ('id' in result) return { kind: 'id', file, line, end, id: result.id };
  return { kind: 'malformed', file, line, end, reason: result.reason, raw: raw.slice(0, RAW_LIMIT) };
}

/** Strings trimmed, numbers as text, anything else ''. */
function scalar(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return '';
}

function getPath(record: Record<string, unknown>, dotted: string): unknown {
  let node: unknown = record;
  for (const key of dotted.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
