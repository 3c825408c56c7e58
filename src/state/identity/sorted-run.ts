import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { StateError } from '../../errors.js';
import { compareKey, recordEnd, type Key } from './record.js';

/**
 * One sorted, immutable file of index records (record.ts), written once (sorted-run-writer.ts) and
 * then read with pread, never mapped: the RSS a reader costs is its sparse index (4 bytes per 4 KiB)
 * and a block buffer, however large the file.
 *
 * Layout: blocks, then the sparse index (for each 4 KiB unit, the hash's high half of the first
 * record of the block the unit belongs to, u32), then a footer (magic, units, records). A block is
 * a whole number of units: its record count (u32), its records, zeros. The writer never puts two
 * records whose high halves are equal in two blocks, so neighbouring blocks have different index
 * entries and a key can only be in the block of the last entry at most its own high half. A block
 * spans more than one unit only for a record (a long key) or a run of equal high halves that does
 * not fit in one.
 */
export const BLOCK = 4096;
export const COUNT_BYTES = 4;
export const FOOTER = 16;
/** "SIX2": the layout with blocks of whole units (the first one cut long records into units). */
export const MAGIC = 0x32584953;

/** A block as read: `count` records in `buf[COUNT_BYTES, end)`; `next` is the unit after it. */
export interface Block {
  readonly buf: Buffer;
  readonly count: number;
  readonly end: number;
  readonly next: number;
}

export class SortedRun {
  readonly #fd: number;
  readonly units: number;
  readonly records: number;
  readonly #firsts: Uint32Array;
  readonly #buf = Buffer.allocUnsafe(BLOCK);

  constructor(readonly path: string) {
    this.#fd = openRun(path);
    try {
      const size = fstatSync(this.#fd).size;
      if (size < FOOTER) throw damaged(path, 'has no footer');
      const footer = this.#read(Buffer.alloc(FOOTER), FOOTER, size - FOOTER);
      if (footer.readUInt32LE(0) !== MAGIC) throw damaged(path, 'is not a finished identity index file');
      this.units = footer.readUInt32LE(4);
      this.records = footer.readDoubleLE(8);
      // Blocks, then the sparse index, then the footer: anything else is a cut or overwritten file.
      if (size !== this.units * (BLOCK + 4) + FOOTER) throw damaged(path, `is ${size} bytes where its footer implies ${this.units * (BLOCK + 4) + FOOTER}`);
      const index = this.#read(Buffer.alloc(this.units * 4), this.units * 4, this.units * BLOCK);
      this.#firsts = new Uint32Array(this.units);
      for (let u = 0; u < this.units; u++) this.#firsts[u] = index.readUInt32LE(u * 4);
      if (this.#firsts.some((first, u) => u > 0 && first < this.#firsts[u - 1]!)) throw damaged(path, 'has an unsorted index');
    } catch (error) {
      closeSync(this.#fd);
      throw error;
    }
  }

  /** The record of `key`: the buffer holding it and where (valid until the next call), or undefined. */
  find(key: Key): [Buffer, number] | undefined {
    // The block of the last index entry at most the key's high half: the only one that may hold it.
    const last = this.#bound(key.hi, true) - 1;
    if (last < 0) return undefined;
    const block = this.block(this.#bound(this.#firsts[last]!, false), this.#buf);
    for (let i = 0, at = COUNT_BYTES; i < block.count; i++) {
      const end = this.recordEnd(block, at);
      const cmp = compareKey(key, block.buf, at);
      if (cmp === 0) return [block.buf, at];
      if (cmp < 0) return undefined;
      at = end;
    }
    return undefined;
  }

  /** Reads the block that starts at unit `u`, into `into` when it fits. */
  block(u: number, into: Buffer): Block {
    let next = u + 1;
    while (next < this.units && this.#firsts[next] === this.#firsts[u]) next++;
    const end = (next - u) * BLOCK;
    const buf = this.#read(end <= into.length ? into : Buffer.allocUnsafe(end), end, u * BLOCK);
    const count = buf.readUInt32LE(0);
    if (count === 0) throw damaged(this.path, `has an empty block at unit ${u}`);
    return { buf, count, end, next };
  }

  /** Where the record at `at` of `block` ends, checked against the block's end. */
  recordEnd(block: Block, at: number): number {
    const end = recordEnd(block.buf, at, block.end);
    if (end < 0) throw damaged(this.path, `has a damaged record at byte ${at} of a block`);
    return end;
  }

  close(): void {
    closeSync(this.#fd);
  }

  /** The first unit whose index entry is at least `hi` or, `past` it, above it. */
  #bound(hi: number, past: boolean): number {
    let low = 0;
    let high = this.units;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#firsts[mid]! < hi || (past && this.#firsts[mid] === hi)) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Reads `length` bytes at `position` into `buf`, all of them (a short read is a cut file). */
  #read(buf: Buffer, length: number, position: number): Buffer {
    for (let done = 0; done < length; ) {
      const n = readSync(this.#fd, buf, done, length - done, position + done);
      if (n === 0) throw damaged(this.path, 'ends early');
      done += n;
    }
    return buf;
  }
}

/** Reads a run's records in order, one block in memory (the k-way merge's input). */
export class RunScanner {
  readonly #into = Buffer.allocUnsafe(BLOCK);
  #block: Block | undefined;
  #i = 0;
  /** The current record, `buf[at, end)`, while `done` is false. */
  buf: Buffer = this.#into;
  at = 0;
  end = 0;
  done = false;

  /** `order`: the run's place among the runs merged (the older first). */
  constructor(
    readonly run: SortedRun,
    readonly order = 0,
  ) {
    this.#load(0);
  }

  next(): void {
    const block = this.#block!;
    if (++this.#i >= block.count) return this.#load(block.next);
    this.at = this.end;
    this.end = this.run.recordEnd(block, this.at);
  }

  #load(unit: number): void {
    if (unit >= this.run.units) {
      this.done = true;
      return;
    }
    this.#block = this.run.block(unit, this.#into);
    this.#i = 0;
    this.buf = this.#block.buf;
    this.at = COUNT_BYTES;
    this.end = this.run.recordEnd(this.#block, this.at);
  }
}

function openRun(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw damaged(path, 'is missing');
    throw error;
  }
}

/** A damaged index file stops the run with its name; rebuilding the index is the way out. */
function damaged(path: string, what: string): StateError {
  return new StateError(`The identity index file ${path} ${what}; run again with --restart to rebuild the index`);
}
