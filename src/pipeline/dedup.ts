import type { DiffCollector } from '../dryrun/diff.js';
import type { Unit } from './unit.js';
import { SKIPPED } from '../state/counters.js';
import type { Planned } from './planning/plan-record.js';

/** The duplicate filter the de-duplicator asks (dedup-window.ts): false when the message is a duplicate. */
export interface DuplicateFilter {
  check(hi: number, lo: number, time: number): boolean;
}

/**
 * The last step of planning, on the main thread in input order: de-duplication on messageId within
 * the --dedup-window (mapping.md §1: after "malformed", before every other fate; none with `off`),
 * then the diff counts of the records that are not duplicates. Turns a Planned record into the
 * engine's Unit.
 */
export class Deduplicator {
  #warned = false;

  constructor(
    private readonly filter: DuplicateFilter | undefined,
    private readonly diff: DiffCollector | undefined,
    /** Told once, at the first record whose text held invalid UTF-8. */
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  check(p: Planned): Unit {
    const { file, line, end } = p;
    if (p.invalidUtf8 && !this.#warned) {
      this.#warned = true;
      this.warn(`${file}:${line} holds invalid UTF-8 (a truncated or stray byte): such records go on with U+FFFD in place of the bad bytes, and are counted in records.invalidUtf8.`);
    }
    if (p.hash !== undefined && this.filter !== undefined && !this.filter.check(p.hash[0], p.hash[1], p.time)) {
      if (this.diff) {
        this.diff.duplicate(file, line);
        this.diff.print?.(`${file}:${line}  skipped (duplicate): messageId seen earlier in the run\n`);
      }
      return { file, line, end, fate: SKIPPED.duplicate, items: [] };
    }
    if (this.diff) {
      if (p.traceIds) this.diff.countSpan(p.traceIds, p.traceStart, p.traceEnd, file, line);
      if (p.text !== undefined) this.diff.print?.(p.text);
      if (p.link !== undefined) this.diff.stitched(file, line, p.link);
    }
    // A Planned record has every field the engine reads from a Unit.
    return p;
  }
}
