import type { Cursor } from '../state/checkpoint.js';
import type { Marks } from '../state/run-memory.js';
import { addCounts, type Counts } from './fates.js';
import type { Span } from './span.js';

/** The state a checkpoint records: everything committed so far. */
export interface Committed {
  cursor: Cursor;
  nextRequest: number;
  memory: Marks;
  readonly counts: Counts;
  readonly rejectLines: string[];
  readonly requestLines: string[];
}

/**
 * Ordered acknowledgement (Vector's ordered finaliser): closed spans wait here in input order and
 * are committed only from the front, once acknowledged, so what is committed is always a contiguous
 * prefix of the input however the requests complete.
 */
export class OrderedCommits {
  readonly #waiting: Span[] = [];

  constructor(
    readonly committed: Committed,
    private readonly onCommit: () => void,
  ) {}

  /** A closed span, in input order. */
  push(span: Span): void {
    this.#waiting.push(span);
  }

  /** Commits every acknowledged span at the front; tells the caller when anything moved. */
  advance(): void {
    let moved = false;
    while (this.#waiting[0]?.acked) {
      const span = this.#waiting.shift()!;
      const c = this.committed;
      addCounts(c.counts, span.counts);
      c.rejectLines.push(...span.rejectLines);
      c.requestLines.push(...span.requestLines);
      // The span may outlive its commit for a while (tickets of its records point to it): its lines
      // (a kept request is ~14 KB) must not, or they are promoted and fill the old generation.
      span.rejectLines.length = 0;
      span.requestLines.length = 0;
      // Every earlier request is acknowledged now, so a refusal of the spanning record's first
      // objects is known: a resumed run must count that record as rejected.
      const cursor = span.cursor!;
      c.cursor = span.spanning?.rejected && !cursor.skipRejected ? { ...cursor, skipRejected: true } : cursor;
      c.memory = span.memory!;
      c.nextRequest = span.nextRequest;
      moved = true;
    }
    if (moved) this.onCommit();
  }

  /** Committed counters plus those still waiting (and the open span's): for progress only. */
  counts(open: Span): Counts {
    const all: Counts = { ...this.committed.counts };
    for (const span of [...this.#waiting, open]) addCounts(all, span.counts);
    return all;
  }
}

