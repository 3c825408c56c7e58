import { closeSync, existsSync, fstatSync, ftruncateSync, openSync } from 'node:fs';
import { syncAll, writeAll } from './disk-write.js';

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
  #pending: string[] = [];
  #pendingBytes = 0;

  private constructor(file: string, fd: number, bytes: number) {
    this.#file = file;
    this.#fd = fd;
    this.#bytes = bytes;
  }

  /** Opens `file`, truncated to `keepBytes` (0 for a fresh run). */
  static open(file: string, keepBytes: number): NdjsonWriter {
    const fd = openSync(file, existsSync(file) ? 'r+' : 'w+');
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
      const text = line + '\n';
      this.#pending.push(text);
      this.#pendingBytes += Buffer.byteLength(text);
    }
    if (this.#pendingBytes > 1 << 20) this.#drain();
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
    if (this.#pending.length === 0) return;
    const text = this.#pending.join('');
    writeAll(this.#file, this.#fd, text, this.#bytes);
    this.#bytes += this.#pendingBytes;
    this.#pending = [];
    this.#pendingBytes = 0;
  }
}
