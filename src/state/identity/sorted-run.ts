import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { StateError } from '../../errors.js';
import { compareKey, HEAD_BYTES, recordLength, type Key } from './record.js';

/**
 * One sorted, immutable file of index records (record.ts), written once and then read with
 * pread, never mapped: the RSS a reader costs is its sparse index and one block buffer, however
 * large the file.
 *
 * Layout: 4 KiB units, then the sparse index (the hash's high half of each unit's first record,
 * u32), then a footer (magic, units, records). A unit starts with a header: type (1: a block of
 * whole records; 2: the first unit of one record too long for a block; 3: one of its following
 * units), `straddle` (its first record's hash half equals the previous record's, so a key may sit
 * at the end of the previous block), the record count and, for types 2 and 3, how many units the
 * record spans / how far back its first unit is. A long record is cut into the units' payloads.
 */
export const BLOCK = 4096;
export const HEADER = 8;
export const PAYLOAD = BLOCK - HEADER;
export const FOOTER = 16;
export const MAGIC = 0x58494253; // "SBIX"
export const NORMAL = 1;
export const LONG = 2;
export const REST = 3;

/** A block as read: its records are `buf[HEADER, end)`, `count` of them. */
interface Block {
  readonly buf: Buffer;
  readonly count: number;
  readonly straddle: boolean;
  /** Its first unit, and the unit after it. */
  readonly unit: number;
  readonly next: number;
}

/** An open run file: point lookups (find) and a sequential scan (RunScanner). */
export class RunReader {
  readonly #fd: number;
  readonly units: number;
  readonly records: number;
  readonly #firsts: Uint32Array;
  readonly #buf = Buffer.allocUnsafe(BLOCK);

  constructor(readonly path: string) {
    this.#fd = openSync(path, 'r');
    try {
      const size = fstatSync(this.#fd).size;
      const footer = Buffer.alloc(FOOTER);
      if (size < FOOTER) throw damaged(path, 'has no footer');
      readAll(this.#fd, footer, FOOTER, size - FOOTER, path);
      if (footer.readUInt32LE(0) !== MAGIC) throw damaged(path, 'is not a finished identity index file');
      this.units = footer.readUInt32LE(4);
      this.records = footer.readDoubleLE(8);
      // Blocks, then the sparse index, then the footer: anything else is a cut or overwritten file.
      if (size !== this.units * (BLOCK + 4) + FOOTER) throw damaged(path, `is ${size} bytes where its footer implies ${this.units * (BLOCK + 4) + FOOTER}`);
    } catch (error) {
      closeSync(this.#fd);
      throw error;
    }
    const index = Buffer.alloc(this.units * 4);
    readAll(this.#fd, index, index.length, this.units * BLOCK, path);
    this.#firsts = new Uint32Array(this.units);
    for (let u = 0; u < this.units; u++) this.#firsts[u] = index.readUInt32LE(u * 4);
  }

  /** The record of `key`: the buffer holding it and where (valid until the next call), or undefined. */
  find(key: Key): [Buffer, number] | undefined {
    let u = this.#lastAtMost(key.hi);
    while (u >= 0) {
      const block = this.block(u);
      let at = HEADER;
      for (let i = 0; i < block.count; i++) {
        const cmp = compareKey(key, block.buf, at);
        if (cmp === 0) return [block.buf, at];
        if (cmp < 0) {
          // Before the block's first record: with the same hash half, it may end the previous block.
          if (i > 0 || !block.straddle) return undefined;
          break;
        }
        at += recordLength(block.buf, at);
      }
      if (at !== HEADER) return undefined;
      u = block.unit - 1;
    }
    return undefined;
  }

  /** Reads the block at unit `u` (a long record's following unit reads its first). */
  block(u: number): Block {
    readAll(this.#fd, this.#buf, BLOCK, u * BLOCK, this.path);
    const type = this.#buf[0];
    if (type === NORMAL) return { buf: this.#buf, count: this.#buf.readUInt16LE(2), straddle: this.#buf[1] === 1, unit: u, next: u + 1 };
    if (type === REST) return this.block(u - this.#buf.readUInt32LE(4));
    if (type !== LONG) throw damaged(this.path, `has a damaged unit ${u}`);
    const units = this.#buf.readUInt32LE(4);
    const straddle = this.#buf[1] === 1;
    const whole = Buffer.allocUnsafe(units * BLOCK);
    readAll(this.#fd, whole, whole.length, u * BLOCK, this.path);
    const buf = Buffer.allocUnsafe(HEADER + units * PAYLOAD);
    for (let k = 0; k < units; k++) whole.copy(buf, HEADER + k * PAYLOAD, k * BLOCK + HEADER, (k + 1) * BLOCK);
    return { buf, count: 1, straddle, unit: u, next: u + units };
  }

  close(): void {
    closeSync(this.#fd);
  }

  /** The last unit whose first hash half is at most `hi`, or -1. */
  #lastAtMost(hi: number): number {
    let low = 0;
    let high = this.units;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#firsts[mid]! <= hi) low = mid + 1;
      else high = mid;
    }
    return low - 1;
  }
}

/** Reads a run's records in order, one block in memory (the k-way merge's input). */
export class RunScanner {
  #block: Block | undefined;
  #i = 0;
  #unit = 0;
  /** The current record: `buf` and `at`, while `done` is false. */
  buf: Buffer = Buffer.alloc(0);
  at = 0;
  done = false;

  /** `order`: the run's place among the runs merged (the older first). */
  constructor(
    readonly reader: RunReader,
    readonly order = 0,
  ) {
    this.#load();
  }

  next(): void {
    this.#i++;
    if (this.#i < this.#block!.count) this.at += recordLength(this.buf, this.at);
    else this.#load();
  }

  #load(): void {
    if (this.#unit >= this.reader.units) {
      this.done = true;
      return;
    }
    this.#block = this.reader.block(this.#unit);
    // The reader's buffer is shared with find(): a scanned run is not looked up meanwhile.
    this.#unit = this.#block.next;
    this.buf = this.#block.buf;
    this.at = HEADER;
    this.#i = 0;
    if (this.#block.count === 0) this.#load();
  }
}

function readAll(fd: number, buf: Buffer, length: number, position: number, path: string): void {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) throw damaged(path, 'ends early');
    done += n;
  }
}

/** A damaged index file stops the run with its name; rebuilding the index is the way out. */
function damaged(path: string, what: string): StateError {
  return new StateError(`The identity index file ${path} ${what}; run again with --restart to rebuild the index`);
}
