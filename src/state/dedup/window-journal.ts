import { closeSync, ftruncateSync, mkdirSync, openSync, readdirSync, readSync, unlinkSync } from 'node:fs';
import { syncAll, writeAll } from '../disk-write.js';
import { join } from 'node:path';
import { StateError } from '../../errors.js';
import { DedupWindow, type WindowSink } from './window.js';
import type { RunMemory } from '../run-memory.js';
import { PRIVATE_DIR, PRIVATE_FILE } from '../access/modes.js';

/** The journal's mark: how many entries were written before a resume point. */
export interface WindowMark {
  readonly seq: number;
}

/** The name the duplicate window's mark is stored under (checkpoint `memory.window`). */
export const WINDOW = 'window';

const ENTRY = 12;
const HEADER = 8;
const NO_CLOCK = -1;
const bufferBytes = 64 * 1020;
/**
 * A segment holds at least this many entries before the next clock move starts a new one: in a sparse
 * archive the clock moves every few dozen messages, and a file for each was most of the run's time.
 */
export const SEGMENT_ENTRIES = 1 << 16;

interface Segment {
  /** Entries written before its first. */
  readonly start: number;
  readonly file: string;
  /** The entry count when every entry of this segment (and of those before it) had been dropped. */
  deadAt: number | undefined;
}

/**
 * The duplicate window made durable (a RunMemory): every entry the filter remembers is appended
 * (hash and time, 12 bytes) in the order it was written, into segment files `dedup/<start>.seg`; a
 * new segment starts, with the clock's bucket in its header, at a clock move once the current one
 * holds 65,536 entries. The mark is
 * the entry count. A resumed run replays its segments up to the mark through the same filter, so the
 * window it rebuilds is exactly the one the uninterrupted run had there. A segment all of whose
 * entries were dropped is deleted (oldest first, once a saved checkpoint is past it), so the journal
 * holds about the window's messages, never the archive's. The filter says which of the entries it
 * holds was written first (its log is in the order written), and every segment before that one is
 * dead: nothing is counted per entry here (a set of time buckets per segment, updated at every
 * entry, was a third of the filter and journal's CPU with a 60 s window: 256 -> 172 ms for 1,000,000
 * messages; 224 -> 213 ms with 48 h).
 */
export class WindowJournal implements RunMemory<WindowMark> {
  readonly filter: DedupWindow;
  readonly #dir: string;
  readonly #segments: Segment[] = [];
  #fd = -1;
  readonly #buffer = Buffer.allocUnsafe(bufferBytes);
  #used = 0;
  #seq = 0;
  #replaying = true;
  /** The mark of the last commit: its checkpoint is saved once the next commit comes. */
  #saved = 0;
  /** The entry count where the filter's first entry was written (the start of the first segment replayed). */
  #base = 0;

  private constructor(dir: string, window: number) {
    this.#dir = dir;
    const sink: WindowSink = { write: (hi, lo, time) => this.#write(hi, lo, time), moved: (bucket) => this.#moved(bucket) };
    this.filter = new DedupWindow(window, sink);
  }

  static open(dir: string, window: number, mark: WindowMark | undefined): WindowJournal {
    const seq = mark?.seq ?? 0;
    if (!Number.isSafeInteger(seq) || seq < 0) throw new StateError(`The duplicate window's mark ${JSON.stringify(mark)} is not a count; use --restart to start over`);
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
    const journal = new WindowJournal(dir, window);
    journal.#resume(seq);
    return journal;
  }

  mark(): WindowMark {
    return { seq: this.#seq };
  }

  /** Writes the entries the mark covers and deletes the segments dropped before the last saved mark. */
  commit(mark: WindowMark): void {
    this.#drain();
    syncAll(this.#currentFile(), this.#fd);
    while (this.#segments.length > 1) {
      const first = this.#segments[0]!;
      if (first.deadAt === undefined || first.deadAt > this.#saved) break;
      unlinkSync(first.file);
      this.#segments.shift();
    }
    this.#saved = mark.seq;
  }

  close(): void {
    this.#drain();
    closeSync(this.#fd);
  }

  #resume(mark: number): void {
    const found = readdirSync(this.#dir)
      .filter((name) => /^\d{20}\.seg$/.test(name))
      .map((name) => ({ start: Number(name.slice(0, 20)), file: join(this.#dir, name) }))
      .sort((a, b) => a.start - b.start);
    for (const f of found.filter((s) => s.start > mark)) unlinkSync(f.file);
    const kept = found.filter((s) => s.start <= mark);
    if (kept.length === 0) {
      if (mark > 0) throw new StateError(`The duplicate window's journal in ${this.#dir} is missing; use --restart to start over`);
      this.#replaying = false;
      this.#startSegment(0, undefined);
      return;
    }
    this.#base = kept[0]!.start;
    for (let i = 0; i < kept.length; i++) {
      const end = i + 1 < kept.length ? kept[i + 1]!.start : mark;
      this.#replay(kept[i]!.start, kept[i]!.file, end, i === 0);
    }
    const last = this.#segments[this.#segments.length - 1]!;
    this.#fd = openSync(last.file, 'r+');
    ftruncateSync(this.#fd, HEADER + (mark - last.start) * ENTRY);
    this.#replaying = false;
    this.#saved = mark;
  }

  /** Replays one segment's entries [start, end) through the filter (which writes nothing while replaying). */
  #replay(start: number, file: string, end: number, first: boolean): void {
    const fd = openSync(file, 'r');
    try {
      const header = Buffer.alloc(HEADER);
      if (readSync(fd, header, 0, HEADER, 0) !== HEADER) throw new StateError(`${file} is cut short; use --restart to start over`);
      const clock = header.readInt32LE(0);
      if (first) this.filter.restart(clock === NO_CLOCK ? undefined : clock);
      else if (this.filter.clock !== (clock === NO_CLOCK ? undefined : clock)) throw new StateError(`${file} does not follow the segment before it; use --restart to start over`);
      this.#segments.push({ start, file, deadAt: undefined });
      this.#seq = start;
      const buffer = Buffer.allocUnsafe(bufferBytes);
      while (this.#seq < end) {
        const want = Math.min(bufferBytes / ENTRY, end - this.#seq) * ENTRY;
        const read = readSync(fd, buffer, 0, want, HEADER + (this.#seq - start) * ENTRY);
        if (read < ENTRY) throw new StateError(`${file} holds fewer entries than the checkpoint counts; use --restart to start over`);
        for (let at = 0; at + ENTRY <= read; at += ENTRY) this.filter.write(buffer.readUInt32LE(at), buffer.readUInt32LE(at + 4), buffer.readUInt32LE(at + 8));
      }
    } finally {
      closeSync(fd);
    }
  }

  #write(hi: number, lo: number, time: number): void {
    // A full buffer is written out before this entry counts: #drain places it by #seq.
    if (!this.#replaying && this.#used === bufferBytes) this.#drain();
    this.#seq++;
    if (this.#replaying) return;
    const b = this.#buffer;
    b.writeUInt32LE(hi, this.#used);
    b.writeUInt32LE(lo, this.#used + 4);
    b.writeUInt32LE(time, this.#used + 8);
    this.#used += ENTRY;
  }

  /**
   * Entries were dropped: the segments written before the oldest entry held are dead; a new segment
   * starts (not while replaying).
   */
  #moved(bucket: number): void {
    const oldest = this.#base + this.filter.oldest;
    const segments = this.#segments;
    const current = segments[segments.length - 1]!;
    // The segment being written is not dead while it may still get entries.
    for (let i = 0; i + 1 < segments.length; i++) {
      if (segments[i]!.deadAt === undefined && segments[i + 1]!.start <= oldest) segments[i]!.deadAt = this.#seq;
    }
    if (this.#replaying || this.#seq - current.start < SEGMENT_ENTRIES) return;
    if (oldest === this.#seq) current.deadAt = this.#seq;
    this.#drain();
    closeSync(this.#fd);
    this.#startSegment(this.#seq, bucket);
  }

  #startSegment(start: number, clock: number | undefined): void {
    const file = join(this.#dir, `${String(start).padStart(20, '0')}.seg`);
    this.#fd = openSync(file, 'w+', PRIVATE_FILE);
    const header = Buffer.alloc(HEADER);
    header.writeInt32LE(clock ?? NO_CLOCK, 0);
    writeAll(file, this.#fd, header, 0);
    this.#segments.push({ start, file, deadAt: undefined });
  }

  #currentFile(): string {
    return this.#segments[this.#segments.length - 1]!.file;
  }

  #drain(): void {
    if (this.#used === 0) return;
    const segment = this.#segments[this.#segments.length - 1]!;
    const entries = this.#used / ENTRY;
    // On a full disk (DiskFullError) nothing moves: the next drain writes the same entries at the same place.
    writeAll(segment.file, this.#fd, this.#buffer.subarray(0, this.#used), HEADER + (this.#seq - entries - segment.start) * ENTRY);
    this.#used = 0;
  }
}
