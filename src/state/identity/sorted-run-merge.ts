import { compareRecords, keyText, mergeEntries, readEntry, recordLength, writeRecord, type Kind } from './record.js';
import type { SortedRunWriter } from './sorted-run-writer.js';
import { RunScanner, type SortedRun } from './sorted-run.js';

/**
 * The streaming k-way merge of sorted runs into one, one block of each run in memory, so at most
 * FAN_IN runs at a time. The runs come in archive order (the first holds the oldest links) and a
 * key's records are merged in that order, since which link came first decides a link entry
 * (record.ts mergeLinks).
 */
export const FAN_IN = 256;

/**
 * Records merged between two pauses: some tens of milliseconds (1-2 µs a record on the loaded
 * 2-core machine), so that a caller that yields to the event loop there hears SIGINT in time
 * (cli.md: about two seconds).
 */
export const MERGE_SLICE = 20_000;

/** Merges `runs` (oldest first) into `out`, pausing (yielding) every MERGE_SLICE records; the caller may stop at a pause. */
export function* mergingRuns(runs: readonly SortedRun[], out: SortedRunWriter): Generator<void, void, void> {
  // The scanners by their current record, then run order, the first last: popped, then put back in place.
  const queue: RunScanner[] = [];
  for (const [order, run] of runs.entries()) enqueue(queue, new RunScanner(run, order));
  const same: RunScanner[] = [];
  for (let merged = 1; queue.length > 0; merged++) {
    if (merged % MERGE_SLICE === 0) yield;
    same.length = 0;
    do same.push(queue.pop()!);
    while (queue.length > 0 && compareRecords(queue.at(-1)!.buf, queue.at(-1)!.at, same[0]!.buf, same[0]!.at) === 0);
    writeMerged(same, out);
    for (const s of same) {
      s.next();
      enqueue(queue, s);
    }
  }
}

/** Puts a scanner that is not done in its place (a binary search; FAN_IN is small enough for splice). */
function enqueue(queue: RunScanner[], s: RunScanner): void {
  if (s.done) return;
  let [low, high] = [0, queue.length];
  while (low < high) {
    const mid = (low + high) >>> 1;
    const cmp = compareRecords(queue[mid]!.buf, queue[mid]!.at, s.buf, s.at);
    if (cmp < 0 || (cmp === 0 && queue[mid]!.order < s.order)) high = mid;
    else low = mid + 1;
  }
  queue.splice(low, 0, s);
}

/** Writes the record of the key the scanners stand on (in run order): copied from one, merged from more. */
function writeMerged(same: readonly RunScanner[], out: SortedRunWriter): void {
  const { buf: from, at: start, end } = same[0]!;
  if (same.length === 1) return out.copy(from, start, end);
  const hi = from.readUInt32LE(start);
  const kind = from[start + 8] as Kind;
  const key = keyText(from, start);
  const keyBytes = from.readUInt32LE(start + 9);
  const entry = mergeEntries(kind, same.map((s) => readEntry(s.buf, s.at)));
  const lo = from.readUInt32LE(start + 4);
  out.put(recordLength(kind, keyBytes, entry), hi, (buf, at) => writeRecord(buf, at, hi, lo, kind, key, keyBytes, entry));
}
