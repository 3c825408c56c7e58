import { closeSync, openSync, rmSync } from 'node:fs';
import { syncAll, writeAll } from '../disk-write.js';
import { BLOCK, FOOTER, HEADER, LONG, MAGIC, NORMAL, PAYLOAD, REST } from './sorted-run.js';
import { PRIVATE_FILE } from '../access/modes.js';

/** Writes one sorted run file (its layout: sorted-run.ts), through a 256 KiB buffer, fsynced at the end. */
export class RunWriter {
  readonly #fd: number;
  #block = Buffer.alloc(BLOCK);
  #used = HEADER;
  #count = 0;
  #out = Buffer.allocUnsafe(64 * BLOCK);
  #outUsed = 0;
  #position = 0;
  #firsts = new Uint32Array(1024);
  #units = 0;
  #lastHi = -1;
  #records = 0;
  #closed = false;

  constructor(readonly path: string) {
    this.#fd = openSync(path, 'w', PRIVATE_FILE);
  }

  /**
   * Appends a record of `length` bytes whose hash half is `hi`, written by `fill` into `buf` at `at`
   * (no copy of it is made first); records come in the index's order.
   */
  put(length: number, hi: number, fill: (buf: Buffer, at: number) => void): void {
    if (HEADER + length > BLOCK) {
      const rec = Buffer.allocUnsafe(length);
      fill(rec, 0);
      this.add(rec);
      return;
    }
    if (this.#used + length > BLOCK) this.#endBlock();
    if (this.#count === 0) this.#startBlock(hi);
    fill(this.#block, this.#used);
    this.#used += length;
    this.#count++;
    this.#lastHi = hi;
    this.#records++;
  }

  /** Appends one record (the whole of `rec`); records come in the index's order. */
  add(rec: Buffer): void {
    const hi = rec.readUInt32LE(0);
    if (HEADER + rec.length > BLOCK) {
      this.#endBlock();
      this.#addLong(rec, hi);
    } else {
      if (this.#used + rec.length > BLOCK) this.#endBlock();
      if (this.#count === 0) this.#startBlock(hi);
      rec.copy(this.#block, this.#used);
      this.#used += rec.length;
      this.#count++;
    }
    this.#lastHi = hi;
    this.#records++;
  }

  /** Writes the index and footer, fsyncs and closes. */
  finish(): void {
    this.#endBlock();
    this.#flush();
    const tail = Buffer.alloc(this.#units * 4 + FOOTER);
    for (let u = 0; u < this.#units; u++) tail.writeUInt32LE(this.#firsts[u]!, u * 4);
    const f = this.#units * 4;
    tail.writeUInt32LE(MAGIC, f);
    tail.writeUInt32LE(this.#units, f + 4);
    tail.writeDoubleLE(this.#records, f + 8);
    writeAll(this.path, this.#fd, tail, this.#position);
    syncAll(this.path, this.#fd);
    this.#close();
  }

  /** Closes and removes an unfinished file (a full disk: the space it took is free again). */
  abandon(): void {
    this.#close();
    rmSync(this.path, { force: true });
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#fd);
  }

  #startBlock(hi: number): void {
    this.#block.fill(0);
    this.#block[0] = NORMAL;
    this.#block[1] = hi === this.#lastHi ? 1 : 0;
    this.#used = HEADER;
    this.#index(hi);
  }

  #endBlock(): void {
    if (this.#count === 0) return;
    this.#block.writeUInt16LE(this.#count, 2);
    this.#emit(this.#block);
    this.#count = 0;
  }

  #addLong(rec: Buffer, hi: number): void {
    const units = Math.ceil(rec.length / PAYLOAD);
    for (let k = 0; k < units; k++) {
      const unit = Buffer.alloc(BLOCK);
      unit[0] = k === 0 ? LONG : REST;
      unit[1] = k === 0 && hi === this.#lastHi ? 1 : 0;
      unit.writeUInt16LE(1, 2);
      unit.writeUInt32LE(k === 0 ? units : k, 4);
      rec.copy(unit, HEADER, k * PAYLOAD, Math.min(rec.length, (k + 1) * PAYLOAD));
      this.#index(hi);
      this.#emit(unit);
    }
  }

  #index(hi: number): void {
    if (this.#units === this.#firsts.length) {
      const grown = new Uint32Array(this.#firsts.length * 2);
      grown.set(this.#firsts);
      this.#firsts = grown;
    }
    this.#firsts[this.#units++] = hi;
  }

  #emit(unit: Buffer): void {
    unit.copy(this.#out, this.#outUsed);
    this.#outUsed += BLOCK;
    if (this.#outUsed === this.#out.length) this.#flush();
  }

  #flush(): void {
    if (this.#outUsed === 0) return;
    writeAll(this.path, this.#fd, this.#out.subarray(0, this.#outUsed), this.#position);
    this.#position += this.#outUsed;
    this.#outUsed = 0;
  }
}

