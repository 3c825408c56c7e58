import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { syncAll, writeAll } from './disk-write.js';
import { compareKey, HEAD_BYTES, recordLength, type Key } from './identity-record.js';

/**
 * One sorted, immutable file of index records (identity-record.ts), written once and then read with
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
const HEADER = 8;
const PAYLOAD = BLOCK - HEADER;
const FOOTER = 16;
const MAGIC = 0x58494253; // "SBIX"
const NORMAL = 1;
const LONG = 2;
const REST = 3;

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

  constructor(readonly path: string) {
    this.#fd = openSync(path, 'w');
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
    closeSync(this.#fd);
  }

  /** Closes without finishing (the file is left incomplete, for the caller to remove). */
  abandon(): void {
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
    const size = fstatSync(this.#fd).size;
    const footer = Buffer.alloc(FOOTER);
    if (size < FOOTER || readSync(this.#fd, footer, 0, FOOTER, size - FOOTER) !== FOOTER || footer.readUInt32LE(0) !== MAGIC) {
      closeSync(this.#fd);
      throw new Error(`${path} is not a finished identity index file`);
    }
    this.units = footer.readUInt32LE(4);
    this.records = footer.readDoubleLE(8);
    const index = Buffer.alloc(this.units * 4);
    readSync(this.#fd, index, 0, index.length, this.units * BLOCK);
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
    readAll(this.#fd, this.#buf, BLOCK, u * BLOCK);
    const type = this.#buf[0];
    if (type === NORMAL) return { buf: this.#buf, count: this.#buf.readUInt16LE(2), straddle: this.#buf[1] === 1, unit: u, next: u + 1 };
    if (type === REST) return this.block(u - this.#buf.readUInt32LE(4));
    if (type !== LONG) throw new Error(`${this.path}: unit ${u} is damaged`);
    const units = this.#buf.readUInt32LE(4);
    const straddle = this.#buf[1] === 1;
    const whole = Buffer.allocUnsafe(units * BLOCK);
    readAll(this.#fd, whole, whole.length, u * BLOCK);
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

function readAll(fd: number, buf: Buffer, length: number, position: number): void {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) throw new Error('The identity index file ends early');
    done += n;
  }
}
