import type { Counts } from '../pipeline/fates.js';

/** What one line of the progress bar shows; pure data, so that the line is tested without a terminal. */
export interface ProgressView {
  readonly command: 'replay' | 'delete';
  readonly live: boolean;
  readonly files: number;
  /** Files done, with the fraction of the current one (an estimate for gzip). */
  readonly filesDone: number;
  /** Input bytes read (compressed bytes for gzip), counting those before a resume point. */
  readonly bytesRead: number;
  /** The inputs' total size; undefined when it is not known (stdin). */
  readonly totalBytes: number | undefined;
  /** Seconds since the run (this process) started. */
  readonly elapsed: number;
  /** Share of the work done when the run started (a resume), so that the ETA counts this process's pace only. */
  readonly doneAtStart: number;
  readonly counts: Counts;
}

const WIDTH = 20;

/**
 * The progress line, e.g. `████░░░░ 41% | files 3/8 | 51.2 MB of 125 MB | records 410,113 (98,771/s) |
 * requests 3,900 | rejected 2 | elapsed 4s | ETA 6s`. The share done is bytes read of the total when
 * the total is known, else files done.
 */
export function progressLine(view: ProgressView): string {
  const done = doneShare(view);
  const bar = '█'.repeat(Math.round(done * WIDTH)).padEnd(WIDTH, '░');
  const parts = [`${bar} ${Math.floor(done * 100)}%`, `files ${Math.floor(view.filesDone)}/${view.files}`, bytesText(view)];
  parts.push(...countsText(view));
  parts.push(`elapsed ${duration(view.elapsed)}`, `ETA ${eta(done, view)}`);
  return parts.join(' | ');
}

function doneShare(view: ProgressView): number {
  const share = view.totalBytes ? view.bytesRead / view.totalBytes : view.files > 0 ? view.filesDone / view.files : 0;
  return Math.max(0, Math.min(1, share));
}

function bytesText(view: ProgressView): string {
  return view.totalBytes ? `${size(view.bytesRead)} of ${size(view.totalBytes)}` : `${size(view.bytesRead)} read`;
}

/** The counters of the run: objects for replay, IDs for delete. */
function countsText(view: ProgressView): string[] {
  const c = (key: string) => view.counts[key] ?? 0;
  const rate = (n: number) => `${number(view.elapsed > 0 ? Math.round(n / view.elapsed) : 0)}/s`;
  const requests = c('requests.sent');
  if (view.command === 'delete') {
    const parts = [`IDs ${number(c('ids.read'))}`, `${view.live ? 'deleted' : 'to delete'} ${number(c('ids.deleted'))}`, `rejected ${number(c('ids.rejected'))}`];
    return view.live ? [...parts, `requests ${number(requests)} (${rate(requests)})`, `retries ${number(c('requests.retried'))}`] : parts;
  }
  const read = c('records.read');
  const rejected = `rejected ${number(c('records.rejected'))}`;
  if (!view.live) return [`records ${number(read)} (${rate(read)})`, `requests ${number(requests)}`, rejected];
  const objects = c('objects.attributes') + c('objects.events') + c('objects.purchases');
  return [`records ${number(read)}`, `requests ${number(requests)} (${rate(requests)})`, `objects ${number(objects)}`, rejected, `retries ${number(c('requests.retried'))}`];
}

/** Time left at this process's pace so far; '–' until there is a pace to go by. */
function eta(done: number, view: ProgressView): string {
  if (done >= 1) return duration(0);
  const gained = done - view.doneAtStart;
  if (gained <= 0.001 || view.elapsed <= 0) return '–';
  return duration((view.elapsed * (1 - done)) / gained);
}

/** 42s, 3m05s, 2h07m. */
export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function size(bytes: number): string {
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(bytes < 1e4 ? 1 : 0)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(bytes < 1e8 ? 1 : 0)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

function number(n: number): string {
  return n.toLocaleString('en-US');
}
