import { brokenRow, headerForm, type RowForm } from './csv-rows.js';
import type { RecordSplitter } from '../line-batches.js';
import { joinCarried, type LineBytesHandler } from '../lines.js';
import { readFailure } from '../ndjson.js';
import type { MalformedItem, ReadStart } from '../types.js';

/** Where the splitter is in a row, as csv-parse would be (its default quote and escape, ","). */
const FIELD_START = 0; // at the start of a field: a quote here opens a quoted field
const UNQUOTED = 1; // in a field that is not quoted: a quote here is an error
const QUOTED = 2; // in a quoted field: a newline here is part of the cell
const QUOTE_SEEN = 3; // a quote in a quoted field: an escaped quote (""), the closing one, or an error
const QUOTE_CR = 4; // a closing quote, then "\r": only "\n" may follow

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;
const BOM = [0xef, 0xbb, 0xbf];

/**
 * Cuts a CSV into rows on the run thread, for the planning workers to parse (csv-rows.ts): an
 * unquoted "\n" or "\r\n" ends a row, a quoted one is part of its cell, and each row is known by
 * the physical line it starts on. The first row that is not empty is the header, compiled here
 * once; empty lines are passed over, and so are rows up to the resume point.
 *
 * Only boundaries are found: the quotes are followed exactly as csv-parse follows them, so that a
 * row ends where it would end there. Where csv-parse would stop with an error (a quote in the middle
 * of a cell, text after a closing quote, a quote still open at the end of the file), the row is
 * handed to csv-parse here for its message, and the input ends with it (brokenRow).
 */
export class CsvSplitter implements RecordSplitter {
  form: RowForm | undefined;
  broken: MalformedItem | undefined;
  #state = FIELD_START;
  /** Newlines seen (the number of the last complete physical line). */
  #line = 0;
  /** The line the current row starts on. */
  #rowLine = 1;
  /** The line where the last row that was not empty ended (a read error is reported after it). */
  #lastRowEnd = 0;
  /** The current row's bytes from earlier chunks. */
  #carry: Buffer[] = [];
  /** Offset of the next chunk's first byte in the input. */
  #offset = 0;
  readonly #skipThrough: number;

  constructor(
    private readonly file: string,
    start?: ReadStart,
  ) {
    this.#skipThrough = start?.line ?? 0;
  }

  /**
   * Follows the chunk's quotes and newlines. Between them the bytes are looked at only where it
   * matters: outside quotes the next quote or newline is found by indexOf (a quote there opens a
   * quoted cell when it follows a comma or starts the row, and is an error otherwise), inside quotes
   * the next quote (counting the newlines before it); after a closing quote, one byte at a time.
   */
  pushBytes(chunk: Buffer, onRecord: LineBytesHandler): void {
    const n = chunk.length;
    let state = this.#state;
    let from = 0;
    let i = 0;
    // A byte order mark at the very start of the input is not part of the header.
    while (i < n && this.#offset + i < 3 && chunk[i] === BOM[this.#offset + i]) from = ++i;
    let nextQuote = -1;
    let nextLf = -1;
    while (i < n) {
      if (state === QUOTED) {
        const quote = chunk.indexOf(QUOTE, i);
        const stop = quote === -1 ? n : quote;
        for (let lf = chunk.indexOf(LF, i); lf !== -1 && lf < stop; lf = chunk.indexOf(LF, lf + 1)) this.#line += 1;
        i = stop;
        if (quote !== -1) {
          state = QUOTE_SEEN;
          i += 1;
        }
      } else if (state === FIELD_START || state === UNQUOTED) {
        if (nextQuote < i) nextQuote = indexOr(chunk, QUOTE, i, n);
        if (nextLf < i) nextLf = indexOr(chunk, LF, i, n);
        if (nextLf < nextQuote) {
          // Not in quotes: the row ends.
          this.#rowEnd(chunk, from, nextLf, onRecord);
          if (this.broken) return;
          i = from = nextLf + 1;
          state = FIELD_START;
        } else if (nextQuote === n) {
          // Neither a quote nor a newline to the end: cells of the row go on into the next chunk.
          state = chunk[n - 1] === COMMA ? FIELD_START : UNQUOTED;
          i = n;
        } else {
          const atFieldStart = nextQuote === i ? state === FIELD_START : chunk[nextQuote - 1] === COMMA;
          i = nextQuote;
          if (!atFieldStart) break; // a quote inside a cell that is not quoted
          state = QUOTED;
          i += 1;
        }
      } else {
        const b = chunk[i]!;
        if (b === LF) {
          // Just after a closing quote (and "\r"): the row ends.
          this.#rowEnd(chunk, from, i, onRecord);
          if (this.broken) return;
          from = i + 1;
          state = FIELD_START;
        } else if (state === QUOTE_CR) break;
        else if (b === QUOTE) state = QUOTED;
        else if (b === COMMA) state = FIELD_START;
        else if (b === CR) state = QUOTE_CR;
        else break; // text after a closing quote
        i += 1;
      }
    }
    this.#state = state;
    if (i < n) this.#break(chunk.subarray(from, i + 1));
    else if (from < n && this.#keeps()) this.#carry.push(chunk.subarray(from));
    this.#offset += n;
  }

  endBytes(onRecord: LineBytesHandler): void {
    if (this.#state === QUOTED || this.#state === QUOTE_CR) this.#break(Buffer.alloc(0));
    else if (this.#carry.length > 0) this.#emit(Buffer.concat(this.#carry), false, this.#offset, onRecord);
    this.#carry = [];
  }

  readFailure(error: unknown): MalformedItem {
    return readFailure(this.file, this.#lastRowEnd + 1, 0, error);
  }

  /** The row ends at `chunk[stop]`, a newline: its bytes (from `from`, or from the carry) are handed out. */
  #rowEnd(chunk: Buffer, from: number, stop: number, onRecord: LineBytesHandler): void {
    this.#line += 1;
    const end = this.#offset + stop + 1;
    this.#emit(this.#carry.length === 0 ? chunk.subarray(from, stop) : joinCarried(this.#carry, chunk.subarray(0, stop)), true, end, onRecord);
    this.#carry = [];
    this.#rowLine = this.#line + 1;
  }

  /**
   * Hands out a row, without the "\r" of a "\r\n" that ended it (`newline`), unless it is empty or
   * before the resume point; the first one is the header, compiled here instead.
   */
  #emit(row: Buffer, newline: boolean, end: number, onRecord: LineBytesHandler): void {
    const length = newline && row[row.length - 1] === CR ? row.length - 1 : row.length;
    if (length === 0) return;
    this.#lastRowEnd = this.#line;
    if (this.form === undefined) {
      const header = headerForm(this.file, row.subarray(0, length), this.#rowLine);
      if (header.kind === 'rows') this.form = header;
      else this.broken = header;
    } else if (this.#rowLine > this.#skipThrough) onRecord(row, 0, length, this.#rowLine, end);
  }

  /** Rows are kept across chunks while the header is not read, and from the resume point on. */
  #keeps(): boolean {
    return this.form === undefined || this.#rowLine > this.#skipThrough;
  }

  /** The row is broken where `tail` ends: csv-parse reads it (from its first line) for the reason. */
  #break(tail: Buffer): void {
    this.broken = brokenRow(this.file, joinCarried(this.#carry, tail), this.#rowLine);
    this.#carry = [];
  }
}

/** Where `byte` is next in `chunk` from `at`, or `none` when it is not. */
function indexOr(chunk: Buffer, byte: number, at: number, none: number): number {
  const index = chunk.indexOf(byte, at);
  return index === -1 ? none : index;
}
