import { closeSync, existsSync, fstatSync, ftruncateSync, openSync } from 'node:fs';
import { syncAll, writeAll } from './disk-write.js';
import { PRIVATE_FILE } from './access/modes.js';

/**
 * An append-only NDJSON file (rejected.ndjson, requests.ndjson) whose committed length the
 * checkpoint records: on resume it is cut back to that length, so lines of records after the resume
 * point are written once, not twice. On a full disk (DiskFullError) the queued lines stay queued and
 * are written again at the same position by the next flush.
 */
export class NdjsonWriter {
  readonly #file: string;
  #fd: number;
  #bytes: number;
  /** Queued lines, already UTF-8 (a line's string dies young instead of waiting for the drain). */
  #pending = Buffer.allocUnsafe(QUEUED);
  #pendingBytes = 0;

  private constructor(file: string, fd: number, bytes: number) {
    this.#file = file;
    this.#fd = fd;
    this.#bytes = bytes;
  }

  /** Opens `file`, truncated to `keepBytes` (0 for a fresh run). */
  static open(file: string, keepBytes: number): NdjsonWriter {
    const fd = openSync(file, existsSync(file) ? 'r+' : 'w+', PRIVATE_FILE);
    const size = fstatSync(fd).size;
    const bytes = Math.min(size, keepBytes);
    ftruncateSync(fd, bytes);
    return new NdjsonWriter(file, fd, bytes);
  }

  /** Bytes written or queued: what the checkpoint records. */
  get bytes(): number {
    return this.#bytes + this.#pendingBytes;
  }

  /** Queues complete lines (each without its newline). */
  write(lines: readonly string[]): void {
    for (const line of lines) {
      // UTF-8 takes at most 3 bytes per UTF-16 code unit.
      const room = this.#pendingBytes + line.length * 3 + 1;
      if (room > this.#pending.length) this.#grow(room);
      const at = this.#pendingBytes + this.#pending.write(line, this.#pendingBytes);
      this.#pending[at] = 0x0a;
      this.#pendingBytes = at + 1;
    }
    if (this.#pendingBytes > QUEUED) this.#drain();
  }

  /** Writes what is queued and fsyncs (before a checkpoint that counts these bytes). */
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
    if (this.#pendingBytes === 0) return;
    writeAll(this.#file, this.#fd, this.#pending.subarray(0, this.#pendingBytes), this.#bytes);
    this.#bytes += this.#pendingBytes;
    this.#pendingBytes = 0;
    // A very long line grew the queue: let it go.
    if (this.#pending.length > 4 * QUEUED) this.#pending = Buffer.allocUnsafe(QUEUED);
  }

  #grow(bytes: number): void {
    const more = Buffer.allocUnsafe(Math.max(bytes, this.#pending.length * 2));
    this.#pending.copy(more, 0, 0, this.#pendingBytes);
    this.#pending = more;
  }
}

/** Bytes queued before they are written (and the queue's usual size). */
const QUEUED = 1 << 20;
