import type { Slot } from './span.js';

/** Where a run stopped at --max-data-points: what the requests before cost, and what the next needed. */
export interface OverBudget {
  readonly spent: number;
  readonly needed: number;
}

/**
 * --max-data-points (issue 15): the data points of every request numbered so far, from the
 * checkpoint's `dataPoints.requested` on (so a resume counts the earlier processes' requests), and
 * the refusal of the first request that would take the run past the limit.
 */
export class DataPointBudget {
  #spent: number;
  #over: OverBudget | undefined;

  constructor(
    private readonly limit: number | undefined,
    spent: number,
  ) {
    this.#spent = spent;
  }

  get over(): OverBudget | undefined {
    return this.#over;
  }

  /**
   * Counts a request's data points and returns true, or returns false (and is over from then on)
   * when it would go past the limit. `owed`: a request already sent by an earlier process (acknowledged
   * or in doubt) is counted whatever the limit.
   */
  spend(points: number, owed: boolean): boolean {
    if (this.#over) return false;
    if (!owed && this.limit !== undefined && this.#spent + points > this.limit) {
      this.#over = { spent: this.#spent, needed: points };
      return false;
    }
    this.#spent += points;
    return true;
  }
}

/** The slots a request sends (items left out by --attributes changed keep their number, not a place). */
export function sendable(batch: Slot[]): Slot[] {
  return batch.some(unsent) ? batch.filter(sent) : batch;
}

// Made once: arrows written in the call were new functions at each request, each compiled again by V8.
const unsent = (s: Slot): boolean => s.item.unsent === true;
const sent = (s: Slot): boolean => !s.item.unsent;

/** Data points of the request's items. */
export function pointsOf(slots: readonly Slot[]): number {
  let points = 0;
  for (const slot of slots) points += slot.item.points ?? 0;
  return points;
}
