import type { DiffCollector } from '../dryrun/diff.js';
import type { IdJournal } from '../state/id-journal.js';
import type { Unit } from './unit.js';
import { SKIPPED } from '../state/counters.js';
import type { Planned } from './plan-record.js';

/**
 * The last step of planning, on the main thread in input order: de-duplication on messageId across
 * the whole run (mapping.md §1: after "malformed", before every other fate), then the diff counts of
 * the records that are not duplicates. Turns a Planned record into the engine's Unit.
 */
export class Deduplicator {
  constructor(
    private readonly ids: IdJournal,
    private readonly diff: DiffCollector | undefined,
  ) {}

  check(p: Planned): Unit {
    const { file, line, end } = p;
    if (p.hash !== undefined && !this.ids.add(p.hash[0], p.hash[1])) {
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
