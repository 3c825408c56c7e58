import { closeSync, existsSync, ftruncateSync, openSync, readSync, fstatSync } from 'node:fs';
import { StateError } from '../../errors.js';
import { syncAll, writeAll } from '../disk-write.js';
import { IdSet } from './id-set.js';
import type { RunMemory } from '../run-memory.js';
import { PRIVATE_FILE } from '../access/modes.js';

const chunkBytes = 64 * 1024;

/**
 * The journal's mark: how many hashes of ids.bin belong to records before a resume point. */
export interface DedupMark {
  readonly count: number;
}

/** The name the de-duplication journal's mark is stored under (checkpoint `memory.dedup`). */
export const DEDUP = 'dedup';

/**
 * The de-duplication set, made durable (a RunMemory): every hash added is appended (8 bytes) to
 * `ids.bin` in the order records were read. The mark is how many hashes belong to records before a
 * resume point; on resume exactly that prefix is loaded, so records after the resume point are not
 * mistaken for duplicates of themselves.
 */
export class IdJournal implements RunMemory<DedupMark> {
  readonly set: IdSet;
  readonly #file: string;
  #fd: number;
  #buffer = Buffer.allocUnsafe(chunkBytes);
  #used = 0;
  #count: number;
  /** Hashes on disk. */
  #written: number;

  private constructor(file: string, fd: number, set: IdSet, count: number) {
    this.#file = file;
    this.#fd = fd;
    this.set = set;
    this.#count = count;
    this.#written = count;
  }

  /** Opens the journal at `mark`, loading the hashes it covers (none for a fresh run) and dropping the rest. */
  static open(file: string, mark: DedupMark | undefined): IdJournal {
    const keep = mark?.count ?? 0;
    if (!Number.isSafeInteger(keep) || keep < 0) throw new StateError(`The de-duplication mark ${JSON.stringify(mark)} is not a count; use --restart to start over`);
    const fd = openSync(file, existsSync(file) ? 'r+' : 'w+', PRIVATE_FILE);
    const available = Math.floor(fstatSync(fd).size / 8);
    const count = Math.min(keep, available);
    const set = new IdSet(Math.max(1 << 16, count));
    const buffer = Buffer.allocUnsafe(chunkBytes);
    for (let done = 0; done < count; ) {
      const want = Math.min(chunkBytes / 8, count - done);
      const read = readSync(fd, buffer, 0, want * 8, done * 8);
      for (let i = 0; i + 8 <= read; i += 8) set.add(buffer.readUInt32LE(i), buffer.readUInt32LE(i + 4));
      done += read / 8;
      if (read === 0) break;
    }
    ftruncateSync(fd, count * 8);
    return new IdJournal(file, fd, set, count);
  }

  /** Hashes added so far. */
  get count(): number {
    return this.#count;
  }

  mark(): DedupMark {
    return { count: this.#count };
  }

  /** Writes buffered hashes and fsyncs (the mark covers a prefix of what is written). */
  commit(_mark: DedupMark): void {
    this.flush();
  }

  /** Adds a hash; false when already present (a duplicate). */
  add(hi: number, lo: number): boolean {
    // Before the set changes: a full disk (DiskFullError) must leave set and journal in step.
    if (this.#used === chunkBytes) this.#drain();
    if (!this.set.add(hi, lo)) return false;
    this.#buffer.writeUInt32LE(hi, this.#used);
    this.#buffer.writeUInt32LE(lo, this.#used + 4);
    this.#used += 8;
    this.#count++;
    return true;
  }

  /** Writes buffered hashes and fsyncs: called before a checkpoint that counts them is saved. */
  flush(): void {
    this.#drain();
    syncAll(this.#file, this.#fd);
  }

  close(): void {
    try {
      this.#drain();
    } finally {
      closeSync(this.#fd);
    }
  }

  #drain(): void {
    // At an explicit position: the file was read (and truncated) at explicit positions, so the
    // descriptor's own position is still 0. On a full disk (DiskFullError) nothing moves: the next
    // flush writes the same hashes at the same place.
    if (this.#used > 0) writeAll(this.#file, this.#fd, this.#buffer.subarray(0, this.#used), this.#written * 8);
    this.#written += this.#used / 8;
    this.#used = 0;
  }
}
