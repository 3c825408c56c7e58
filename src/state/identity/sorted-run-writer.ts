import { closeSync, openSync, rmSync } from 'node:fs';
import { asDiskFull, syncAll, writeAll } from '../disk-write.js';
import { PRIVATE_FILE } from '../access/modes.js';
import { BLOCK, COUNT_BYTES, FOOTER, MAGIC } from './sorted-run.js';

/** Writes one sorted run file (its layout: sorted-run.ts) through a 256 KiB buffer, fsynced at the end. */
export class SortedRunWriter {
  readonly #fd: number;
  #block = Buffer.alloc(BLOCK);
  #used = COUNT_BYTES;
  #count = 0;
  /** The hash high half of the block's first record, and of the last record written. */
  #first = 0;
  #last = -1;
  readonly #out = Buffer.allocUnsafe(64 * BLOCK);
  #outUsed = 0;
  #position = 0;
  #firsts = new Uint32Array(1024);
  #units = 0;
  #records = 0;
  #closed = false;

  constructor(readonly path: string) {
    try {
      this.#fd = openSync(path, 'w', PRIVATE_FILE);
    } catch (error) {
      throw asDiskFull(error, path);
    }
  }

  /**
   * Appends a record of `length` bytes whose hash high half is `hi`, written by `fill` into `buf` at
   * `at` (no copy of it is made first); records come in the index's order.
   */
  put(length: number, hi: number, fill: (buf: Buffer, at: number) => void): void {
    const at = this.#reserve(length, hi);
    fill(this.#block, at);
  }

  /** Appends a copy of the record `src[start, end)` (a merge's record that no other run has). */
  copy(src: Buffer, start: number, end: number): void {
    const at = this.#reserve(end - start, src.readUInt32LE(start));
    src.copy(this.#block, at, start, end);
  }

  /** Makes room for the next record in the block (which it may replace) and returns where it goes. */
  #reserve(length: number, hi: number): number {
    // A block ends only where the high half changes (sorted-run.ts); else it grows by a unit.
    if (this.#count > 0 && hi !== this.#last && this.#used + length > unitsOf(this.#used) * BLOCK) this.#endBlock();
    if (this.#count === 0) this.#first = hi;
    if (this.#used + length > this.#block.length) this.#grow(this.#used + length);
    const at = this.#used;
    this.#used += length;
    this.#count++;
    this.#last = hi;
    this.#records++;
    return at;
  }

  /** Writes the sparse index and the footer, fsyncs and closes. */
  finish(): void {
    this.#endBlock();
    this.#flush();
    const tail = Buffer.alloc(this.#units * 4 + FOOTER);
    for (let u = 0; u < this.#units; u++) tail.writeUInt32LE(this.#firsts[u]!, u * 4);
    tail.writeUInt32LE(MAGIC, this.#units * 4);
    tail.writeUInt32LE(this.#units, this.#units * 4 + 4);
    tail.writeDoubleLE(this.#records, this.#units * 4 + 8);
    this.#write(tail);
    syncAll(this.path, this.#fd);
    this.#close();
  }

  /** Closes and removes an unfinished file (a full disk, or a merge stopped: the space is free again). */
  abandon(): void {
    this.#close();
    rmSync(this.path, { force: true });
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#fd);
  }

  #grow(bytes: number): void {
    const grown = Buffer.alloc(unitsOf(bytes) * BLOCK);
    this.#block.copy(grown, 0, 0, this.#used);
    this.#block = grown;
  }

  #endBlock(): void {
    if (this.#count === 0) return;
    const units = unitsOf(this.#used);
    this.#block.writeUInt32LE(this.#count, 0);
    this.#block.fill(0, this.#used, units * BLOCK);
    this.#emit(this.#block.subarray(0, units * BLOCK));
    for (let k = 0; k < units; k++) this.#index(this.#first);
    if (this.#block.length > BLOCK) this.#block = Buffer.alloc(BLOCK);
    this.#used = COUNT_BYTES;
    this.#count = 0;
  }

  #index(hi: number): void {
    if (this.#units === this.#firsts.length) {
      const grown = new Uint32Array(this.#firsts.length * 2);
      grown.set(this.#firsts);
      this.#firsts = grown;
    }
    this.#firsts[this.#units++] = hi;
  }

  #emit(bytes: Buffer): void {
    if (this.#outUsed + bytes.length > this.#out.length) this.#flush();
    if (bytes.length > this.#out.length) return this.#write(bytes);
    bytes.copy(this.#out, this.#outUsed);
    this.#outUsed += bytes.length;
  }

  #flush(): void {
    this.#write(this.#out.subarray(0, this.#outUsed));
    this.#outUsed = 0;
  }

  #write(bytes: Buffer): void {
    writeAll(this.path, this.#fd, bytes, this.#position);
    this.#position += bytes.length;
  }
}

function unitsOf(bytes: number): number {
  return Math.ceil(bytes / BLOCK);
}
