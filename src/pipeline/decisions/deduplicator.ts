import type { DecisionListener } from './listener.js';
import type { Unit } from '../unit.js';
import { SKIPPED } from '../fates.js';
import type { Planned } from '../planning/plan-record.js';

/** The duplicate filter the de-duplicator asks (state/dedup/window.ts): false when the message is a duplicate. */
export interface DuplicateFilter {
  check(hi: number, lo: number, time: number): boolean;
}

/**
 * The last step of planning, on the main thread in input order: de-duplication on messageId within
 * the --dedup-window (mapping.md §1: after "malformed", before every other fate; none with `off`).
 * Turns a Planned record into the engine's Unit, and tells `listener` what it decided
 * (decisions/listener.ts): invalid UTF-8 in the record's text, then duplicate, or kept with the
 * planner's account of it.
 */
export class Deduplicator {
  constructor(
    private readonly filter: DuplicateFilter | undefined,
    private readonly listener?: DecisionListener,
  ) {}

  check(p: Planned): Unit {
    const { file, line, end } = p;
    const listener = this.listener;
    if (p.invalidUtf8) listener?.invalidUtf8?.(file, line);
    if (p.hash !== undefined && this.filter !== undefined && !this.filter.check(p.hash[0], p.hash[1], p.time)) {
      listener?.duplicate?.(file, line);
      return { file, line, end, fate: SKIPPED.duplicate, items: [] };
    }
    listener?.kept?.(p);
    // A Planned record has every field the engine reads from a Unit.
    return p;
  }
}
