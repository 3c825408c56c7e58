import { compareRecords, mergeRecords, recordLength } from './record.js';
import type { RunWriter } from './sorted-run-writer.js';
import { RunScanner, type RunReader } from './sorted-run.js';

/**
 * The streaming k-way merge of sorted runs (sorted-run.ts) into one: a binary heap of scanners, one
 * block of each run in memory. The runs come in archive order (the first run holds the oldest
 * links): the entries of one key are merged in that order (record.ts mergeRecords), since
 * which link came first decides a link entry.
 */
export const FAN_IN = 256;

/**
 * Records merged between two pauses of mergingRuns: some tens of milliseconds (30M links, two
 * levels, took 98.8 s: ~1.6 µs a record), so that a caller that yields to the event loop there
 * hears SIGINT in time (cli.md: about two seconds).
 */
export const MERGE_SLICE = 20_000;

/** Merges `runs` into `out` at once. */
export function mergeRuns(runs: readonly RunReader[], out: RunWriter): void {
  for (const _ of mergingRuns(runs, out));
}

/** Merges `runs` into `out`, pausing (yielding) every MERGE_SLICE records; the caller may stop between two. */
export function* mergingRuns(runs: readonly RunReader[], out: RunWriter): Generator<void, void, void> {
  const heap = new ScannerHeap(runs.map((run, order) => new RunScanner(run, order)).filter((s) => !s.done));
  const same: RunScanner[] = [];
  let merged = 0;
  while (heap.size > 0) {
    if (++merged % MERGE_SLICE === 0) yield;
    same.length = 0;
    same.push(heap.pop());
    while (heap.size > 0 && compareRecords(heap.top.buf, heap.top.at, same[0]!.buf, same[0]!.at) === 0) same.push(heap.pop());
    if (same.length === 1) {
      const s = same[0]!;
      out.add(s.buf.subarray(s.at, s.at + recordLength(s.buf, s.at)));
    } else {
      same.sort((a, b) => a.order - b.order);
      out.add(mergeRecords(same.map((s) => s.buf), same.map((s) => s.at)));
    }
    for (const s of same) {
      s.next();
      if (!s.done) heap.push(s);
    }
  }
}

/** Scanners ordered by their current record, then by run order. */
class ScannerHeap {
  readonly #items: Array<RunScanner>;

  constructor(scanners: RunScanner[]) {
    this.#items = scanners;
    for (let i = (this.#items.length >> 1) - 1; i >= 0; i--) this.#down(i);
  }

  get size(): number {
    return this.#items.length;
  }

  get top(): RunScanner {
    return this.#items[0]!;
  }

  pop(): RunScanner {
    const top = this.#items[0]!;
    const last = this.#items.pop()!;
    if (this.#items.length > 0) {
      this.#items[0] = last;
      this.#down(0);
    }
    return top;
  }

  push(s: RunScanner): void {
    const items = this.#items;
    items.push(s);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(i, parent)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  #less(i: number, j: number): boolean {
    const a = this.#items[i]!;
    const b = this.#items[j]!;
    const cmp = compareRecords(a.buf, a.at, b.buf, b.at);
    return cmp < 0 || (cmp === 0 && a.order < b.order);
  }

  #down(i: number): void {
    const items = this.#items;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < items.length && this.#less(l, m)) m = l;
      if (r < items.length && this.#less(r, m)) m = r;
      if (m === i) return;
      [items[i], items[m]] = [items[m]!, items[i]!];
      i = m;
    }
  }
}
