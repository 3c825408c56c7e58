import type { RecordForm, RecordSplitter } from './line-batches.js';
import { joinCarried, type LineBytesHandler } from './lines.js';
import { readFailure } from './ndjson.js';
import type { MalformedItem, ReadStart } from './types.js';

/** Where the splitter is, between elements (it skips whitespace there) or inside one. */
const BEFORE = 0; // before the array's "["
const FIRST = 1; // after "[": an element or "]"
const NEXT = 2; // after ",": an element
const AFTER = 3; // after an element: "," or "]"
const CLOSED = 4; // after the closing "]": whitespace only
const NESTED = 5; // inside an object, array or string element
const BARE = 6; // inside a number or literal element

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const BOM = [0xef, 0xbb, 0xbf];

/** JSON whitespace, and what ends a bare element (whitespace, a separator, a bracket or a quote). */
const SPACE = new Uint8Array(256);
const BARE_END = new Uint8Array(256);
for (const b of [0x20, 0x09, 0x0a, 0x0d]) SPACE[b] = BARE_END[b] = 1;
for (const b of [COMMA, OPEN_BRACKET, CLOSE_BRACKET, OPEN_BRACE, CLOSE_BRACE, QUOTE]) BARE_END[b] = 1;
/**
 * The bytes that matter inside an element, in a string and out of one: the loops below pass over the
 * others without a branch each (most of an element is the text of its strings).
 */
const STRING_STOP = new Uint8Array(256);
const NESTED_STOP = new Uint8Array(256);
STRING_STOP[QUOTE] = STRING_STOP[BACKSLASH] = 1;
for (const b of [QUOTE, OPEN_BRACKET, CLOSE_BRACKET, OPEN_BRACE, CLOSE_BRACE]) NESTED_STOP[b] = 1;

/**
 * Cuts one top-level JSON array into its elements' texts, each numbered from 1 (its position label),
 * which the planning workers parse like NDJSON lines (json-array.ts): the run thread only follows
 * nesting, strings and their escapes, so that a "]" or "," inside an element does not end it.
 * Elements up to the resume point are passed over without being copied.
 *
 * What it sees is broken ends the input there, as a parser's error would: no "[" first, a missing or
 * doubled ",", text after the closing "]", or an input that ends inside the array. A syntax error
 * inside an element is the worker's to find (JSON.parse), and ends the input the same way.
 */
export class ArraySplitter implements RecordSplitter {
  readonly form: RecordForm = { kind: 'elements' };
  broken: MalformedItem | undefined;
  #state = BEFORE;
  /** Open brackets of the element, and whether it is inside a string (just after a backslash). */
  #depth = 0;
  #inString = false;
  #escaped = false;
  /** Elements begun: the number of the one being read, while in one. */
  #element = 0;
  /** The current element's bytes from earlier chunks. */
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

  pushBytes(chunk: Buffer, onRecord: LineBytesHandler): void {
    const n = chunk.length;
    let from = 0;
    let i = 0;
    while (i < n && this.broken === undefined) {
      if (this.#state >= NESTED) {
        const stop = this.#state === NESTED ? this.#nestedEnd(chunk, i) : bareEnd(chunk, i);
        if (stop === -1) break;
        this.#emit(chunk, from, stop, onRecord);
        this.#state = AFTER;
        i = stop;
        continue;
      }
      const b = chunk[i]!;
      if (SPACE[b] === 1 || (this.#state === BEFORE && this.#offset + i < 3 && b === BOM[this.#offset + i])) i++;
      else if (this.#between(b)) i++;
      else {
        // An element begins here.
        from = i;
        this.#element += 1;
        this.#state = b === OPEN_BRACE || b === OPEN_BRACKET || b === QUOTE ? NESTED : BARE;
      }
    }
    // Keep the unfinished element only if it will be handed out.
    if (this.#state >= NESTED && this.broken === undefined && this.#element > this.#skipThrough) this.#carry.push(chunk.subarray(from));
    this.#offset += n;
  }

  endBytes(onRecord: LineBytesHandler): void {
    if (this.#state === BARE) {
      this.#emit(Buffer.alloc(0), 0, 0, onRecord);
      this.#state = AFTER;
    }
    if (this.#state === NESTED) this.#break(this.#element, 'unexpected end of input inside the element');
    else if (this.#state !== BEFORE && this.#state !== CLOSED) this.#break(this.#element + 1, 'unexpected end of input: the array is not closed');
  }

  readFailure(error: unknown): MalformedItem {
    return readFailure(this.file, this.#state >= NESTED ? this.#element : this.#element + 1, 0, error);
  }

  /** A byte between elements: true when taken ("[", ",", "]"); false when it begins an element or is out of place (then broken). */
  #between(b: number): boolean {
    switch (this.#state) {
      case BEFORE:
        if (b === OPEN_BRACKET) this.#state = FIRST;
        else this.#break(1, `expected "[" but found ${shown(b)}`);
        return true;
      case FIRST:
        if (b === CLOSE_BRACKET) {
          this.#state = CLOSED;
          return true;
        }
        return this.#valueExpected(b);
      case NEXT:
        return this.#valueExpected(b);
      case AFTER:
        if (b === COMMA) this.#state = NEXT;
        else if (b === CLOSE_BRACKET) this.#state = CLOSED;
        else this.#break(this.#element + 1, `expected "," or "]" after element ${this.#element} but found ${shown(b)}`);
        return true;
      default:
        this.#break(this.#element + 1, `unexpected ${shown(b)} after the end of the array`);
        return true;
    }
  }

  /** Where an element must begin: false when one does; a separator or closing bracket breaks the array. */
  #valueExpected(b: number): boolean {
    if (b !== COMMA && b !== CLOSE_BRACKET && b !== CLOSE_BRACE) return false;
    this.#break(this.#element + 1, `expected a value but found ${shown(b)}`);
    return true;
  }

  /**
   * Where the object, array or string element being read ends in `chunk` (just after its closing
   * bracket or quote), from `i`; -1 when it goes on past the chunk. Its state is kept between chunks.
   */
  #nestedEnd(chunk: Buffer, i: number): number {
    const n = chunk.length;
    let depth = this.#depth;
    let inString = this.#inString;
    // The byte after a backslash that ended the last chunk is escaped.
    if (this.#escaped) i += 1;
    this.#escaped = false;
    let stop = -1;
    for (; i < n; i++) {
      if (inString) {
        while (i < n && STRING_STOP[chunk[i]!] === 0) i++;
        if (i === n) break;
        if (chunk[i] === BACKSLASH) {
          // Past the escaped byte (\" or \\ included): the loop's step moves over it.
          if (++i === n) this.#escaped = true;
          continue;
        }
        inString = false;
      } else {
        while (i < n && NESTED_STOP[chunk[i]!] === 0) i++;
        if (i === n) break;
        const b = chunk[i]!;
        if (b === QUOTE) {
          inString = true;
          continue;
        }
        if (b === OPEN_BRACE || b === OPEN_BRACKET) {
          depth += 1;
          continue;
        }
        // A closing bracket; a mismatched one ends the element too (the worker's parse reports it).
        depth -= 1;
      }
      if (depth === 0) {
        stop = i + 1;
        break;
      }
    }
    this.#depth = depth;
    this.#inString = inString;
    return stop;
  }

  /** Hands out the element that ends at `chunk[stop]` (it began at `from`, or in the carry). */
  #emit(chunk: Buffer, from: number, stop: number, onRecord: LineBytesHandler): void {
    if (this.#element > this.#skipThrough) {
      if (this.#carry.length === 0) onRecord(chunk, from, stop, this.#element, 0);
      else {
        const whole = joinCarried(this.#carry, chunk.subarray(0, stop));
        onRecord(whole, 0, whole.length, this.#element, 0);
      }
    }
    this.#carry = [];
  }

  #break(element: number, reason: string): void {
    this.broken ??= arrayProblem(this.file, element, reason);
    this.#carry = [];
  }
}

/** The malformed item that ends a JSON array whose text is broken at `element`. */
export function arrayProblem(file: string, element: number, reason: string): MalformedItem {
  return { kind: 'malformed', file, line: element, end: 0, reason: `invalid JSON array (element ${element}): ${reason}`, raw: '' };
}

/** Where a number or literal element ends in `chunk` (at the byte after it), from `i`; -1 past the chunk. */
function bareEnd(chunk: Buffer, i: number): number {
  for (let n = chunk.length; i < n; i++) if (BARE_END[chunk[i]!] === 1) return i;
  return -1;
}

/** A byte as shown in a reason: the character, or its value when it is not printable ASCII. */
function shown(b: number): string {
  return b >= 0x20 && b < 0x7f ? JSON.stringify(String.fromCharCode(b)) : `byte 0x${b.toString(16).padStart(2, '0')}`;
}
