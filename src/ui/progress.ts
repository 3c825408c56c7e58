import cliProgress from 'cli-progress';
import ora, { type Ora } from 'ora';
import type { InputFile } from '../input/types.js';
import type { Counts } from '../pipeline/fates.js';
import type { Cursor } from '../state/checkpoint.js';
import { progressLine, type ProgressView } from './progress-line.js';
import { stderr } from './terminal.js';

/** Progress on stderr: a bar over the input files for the long phase, spinners for short ones. */
export interface Progress {
  /** A short phase ("Finding inputs…"); returns a function that ends it. */
  phase(text: string): () => void;
  /** The long phase over `files`, from `from` (the resume point; the start for a fresh run). */
  start(files: readonly InputFile[], from: Cursor): void;
  /** Files done (with the fraction of the current one) and the live counters. */
  update(filesDone: number, counts: Counts): void;
  stop(): void;
}

/** Which bar: replay or delete, sending or a dry run. */
export interface ProgressKind {
  readonly command: 'replay' | 'delete';
  readonly live: boolean;
}

const silent: Progress = { phase: () => () => undefined, start() {}, update() {}, stop() {} };

/**
 * Off when stderr is not a terminal, or with --quiet (cli.md "Output"). `bytesRead` is the input
 * bytes this process has read so far (input/bytes-read.ts).
 */
export function createProgress(enabled: boolean, kind: ProgressKind, now: () => number, bytesRead: () => number): Progress {
  if (!enabled) return silent;
  let bar: cliProgress.SingleBar | undefined;
  let spinner: Ora | undefined;
  let view: ProgressView | undefined;
  let started = 0;
  let readBefore = 0;
  let base = 0;
  return {
    phase(text) {
      spinner = ora({ text, stream: stderr }).start();
      return () => {
        spinner?.stop();
        spinner = undefined;
      };
    },
    start(files, from) {
      started = now();
      readBefore = bytesRead();
      const total = totalBytes(files);
      base = bytesBefore(files, from);
      const doneAtStart = total ? base / total : files.length > 0 ? from.fileIndex / files.length : 0;
      view = { ...kind, files: files.length, filesDone: from.fileIndex, bytesRead: base, totalBytes: total, elapsed: 0, doneAtStart, counts: {} };
      const current = () => (view ? progressLine(view) : '');
      bar = new cliProgress.SingleBar({ format: current, stream: stderr as NodeJS.WriteStream, hideCursor: true, clearOnComplete: false });
      bar.start(1, 0);
    },
    update(filesDone, counts) {
      if (!view || !bar) return;
      const read = Math.min(base + bytesRead() - readBefore, view.totalBytes ?? Infinity);
      view = { ...view, filesDone, counts, bytesRead: read, elapsed: (now() - started) / 1000 };
      bar.update(view.totalBytes ? read / view.totalBytes : 0);
    },
    stop() {
      bar?.stop();
      bar = undefined;
      spinner?.stop();
    },
  };
}

/** The inputs' total size; undefined with stdin among them. */
export function totalBytes(files: readonly InputFile[]): number | undefined {
  if (files.some((f) => f.path === '-')) return undefined;
  return files.reduce((n, f) => n + f.size, 0);
}

/**
 * Bytes before the resume point that this process will not read: the files done, and the part of a
 * plain NDJSON file it seeks past (a gzip, JSON-array or CSV file is read again from its start).
 */
export function bytesBefore(files: readonly InputFile[], from: Cursor): number {
  let bytes = 0;
  for (let i = 0; i < from.fileIndex && i < files.length; i++) bytes += files[i]!.size;
  const current = files[from.fileIndex];
  const seeks = current !== undefined && !current.gzip && current.format !== 'csv' && current.format !== 'json';
  return bytes + (seeks ? from.offset : 0);
}
