import type { Cursor } from '../state/checkpoint.js';
import { addCounts, type Counts } from '../state/counters.js';
import type { Segment } from './segment.js';

/** The state a checkpoint records: everything committed so far. */
export interface Committed {
  cursor: Cursor;
  nextRequest: number;
  ids: number;
  readonly counts: Counts;
  readonly rejectLines: string[];
  readonly requestLines: string[];
}

/**
 * Ordered acknowledgement (Vector's ordered finaliser): closed segments wait here in input order and
 * are committed only from the front, once acknowledged, so what is committed is always a contiguous
 * prefix of the input however the requests complete.
 */
export class OrderedCommits {
  readonly #waiting: Segment[] = [];

  constructor(
    readonly committed: Committed,
    private readonly onCommit: () => void,
  ) {}

  /** A closed segment, in input order. */
  push(segment: Segment): void {
    this.#waiting.push(segment);
  }

  /** Commits every acknowledged segment at the front; tells the caller when anything moved. */
  advance(): void {
    let moved = false;
    while (this.#waiting[0]?.acked) {
      const segment = this.#waiting.shift()!;
      const c = this.committed;
      addCounts(c.counts, segment.counts);
      c.rejectLines.push(...segment.rejectLines);
      c.requestLines.push(...segment.requestLines);
      // Every earlier request is acknowledged now, so a refusal of the spanning record's first
      // objects is known: a resumed run must count that record as rejected.
      const cursor = segment.cursor!;
      c.cursor = segment.spanning?.rejected && !cursor.skipRejected ? { ...cursor, skipRejected: true } : cursor;
      c.ids = segment.ids;
      c.nextRequest = segment.nextRequest;
      moved = true;
    }
    if (moved) this.onCommit();
  }

  /** Committed counters plus those still waiting (and the open segment's): for progress only. */
  counts(open: Segment): Counts {
    const all: Counts = { ...this.committed.counts };
    for (const segment of [...this.#waiting, open]) addCounts(all, segment.counts);
    return all;
  }
}

