import cliProgress from 'cli-progress';
import ora, { type Ora } from 'ora';
import type { Counts } from '../state/counters.js';

/** Progress on stderr: a bar over the input files for the long phase, spinners for short ones. */
export interface Progress {
  /** A short phase ("Finding inputs…"); returns a function that ends it. */
  phase(text: string): () => void;
  /** The long phase: files done of `files`, with live counters. */
  start(files: number): void;
  update(filesDone: number, counts: Counts): void;
  stop(): void;
  /** Inputs in S3: shows the bytes read of the total listed beside the objects (call before start). */
  watchBytes(bytes: () => ByteProgress): void;
}

/** Bytes read of the total listed (S3 objects as stored). */
export interface ByteProgress {
  readonly read: number;
  readonly total: number;
}

const silent: Progress = { phase: () => () => undefined, start() {}, update() {}, stop() {}, watchBytes() {} };

/** Off when stderr is not a terminal, or with --quiet (cli.md "Output"). */
export function createProgress(enabled: boolean, live: boolean, now: () => number): Progress {
  if (!enabled) return silent;
  let bar: cliProgress.SingleBar | undefined;
  let started = 0;
  let spinner: Ora | undefined;
  let bytes: (() => ByteProgress) | undefined;
  return {
    watchBytes(source) {
      bytes = source;
    },
    phase(text) {
      spinner = ora({ text, stream: process.stderr }).start();
      return () => {
        spinner?.stop();
        spinner = undefined;
      };
    },
    start(total) {
      started = now();
      const files = bytes ? 'files {bar} {value}/{total} | MB {mbRead}/{mbTotal}' : 'files {bar} {value}/{total}';
      const format = live
        ? `${files} | records {read} | requests {sent} ({rps}/s) | objects {objects} | rejected {rejected} | retries {retried} | ETA {eta_formatted}`
        : `${files} | records {read} ({recs}/s) | requests {sent} | rejected {rejected}`;
      bar = new cliProgress.SingleBar(
        { format, stream: process.stderr, hideCursor: true, clearOnComplete: false, etaBuffer: 50, formatValue: (v, _o, type) => (type === 'value' ? v.toFixed(1) : String(v)) },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0, { ...payload({}, 1), ...megabytes(bytes) });
    },
    update(filesDone, counts) {
      bar?.update(filesDone, { ...payload(counts, Math.max(0.001, (now() - started) / 1000)), ...megabytes(bytes) });
    },
    stop() {
      bar?.stop();
      bar = undefined;
      spinner?.stop();
    },
  };
}

function megabytes(bytes: (() => ByteProgress) | undefined): Record<string, string> {
  if (!bytes) return {};
  const { read, total } = bytes();
  return { mbRead: (read / 1e6).toFixed(1), mbTotal: (total / 1e6).toFixed(1) };
}

function payload(counts: Counts, seconds: number): Record<string, number> {
  const read = (counts['records.read'] ?? 0) + (counts['ids.read'] ?? 0);
  const sent = counts['requests.sent'] ?? 0;
  return {
    read,
    recs: Math.round(read / seconds),
    sent,
    rps: Math.round(sent / seconds),
    objects: (counts['objects.attributes'] ?? 0) + (counts['objects.events'] ?? 0) + (counts['objects.purchases'] ?? 0),
    rejected: (counts['records.rejected'] ?? 0) + (counts['ids.rejected'] ?? 0),
    retried: counts['requests.retried'] ?? 0,
  };
}
