import type { RequestItem } from '../braze/types.js';
import type { DataPointTotals } from '../dryrun/data-point-totals.js';
import type { DiffCollector } from '../dryrun/diff.js';
import type { AttributeMemory } from '../state/attribute-memory.js';
import { REPLAY_KEYS, SKIPPED } from '../state/counters.js';
import { ATTRIBUTE_WORDS, keepAttributes } from '../transform/attribute-pieces.js';
import type { Unit } from './unit.js';

/**
 * `--attributes changed` (issue 15), on the main thread in input order after de-duplication: each
 * attribute whose value is the one last sent for the user (AttributeMemory) is left out of its
 * object; an object left with no attribute is kept in the batch but not sent (RequestItem.unsent: the
 * request numbering must not depend on what the run remembers, or a resume would match acknowledged
 * requests to other records); a record left with nothing to send is `records.skipped.unchanged`.
 * Without a memory (`--attributes all`) records pass unchanged. Feeds the dry run's data-point totals.
 */
export class ChangedAttributes {
  constructor(
    private readonly memory: AttributeMemory | undefined,
    private readonly totals: DataPointTotals | undefined,
    private readonly diff?: DiffCollector,
  ) {}

  check(unit: Unit): Unit {
    const { items } = unit;
    if (items.length === 0) return unit;
    const memory = this.memory;
    let changed: RequestItem[] | undefined;
    let unchanged = 0;
    let saved = 0;
    let dropped = 0;
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const words = item.attrs;
      if (memory === undefined || words === undefined || words.length <= 2) {
        this.totals?.item(item, undefined);
        continue;
      }
      let keep: Uint8Array | undefined;
      let kept = 0;
      let points = 0;
      for (let a = 0, w = 2; w < words.length; a++, w += ATTRIBUTE_WORDS) {
        if (memory.unchangedAt(words, 0, w + 2)) {
          keep ??= new Uint8Array((words.length - 2) / ATTRIBUTE_WORDS).fill(1);
          keep[a] = 0;
          unchanged++;
          points += words[w + 6]!;
        } else kept++;
      }
      this.totals?.item(item, keep);
      if (!keep) continue;
      saved += points;
      changed ??= items.slice();
      const rest = (item.points ?? 0) - points;
      // Only the user's hash stays (for refused()): the pieces' offsets are the old text's.
      const user = words.subarray(0, 2);
      if (kept === 0) {
        dropped++;
        changed[i] = { array: item.array, json: item.json, points: 0, attrs: user, unsent: true };
      } else changed[i] = { array: item.array, json: keepAttributes({ json: item.json!, words }, (a) => keep[a] === 1), points: rest, attrs: user };
    }
    if (!changed) return unit;
    const nothingLeft = changed.every((item) => item.unsent) && unit.fate === REPLAY_KEYS.sent;
    if (nothingLeft) this.diff?.unchanged(unit.file, unit.line);
    return {
      ...unit,
      fate: nothingLeft ? SKIPPED.unchanged : unit.fate,
      items: changed,
      attributes: (unit.attributes ?? 0) - dropped,
      dataPoints: (unit.dataPoints ?? 0) - saved,
      attributesUnchanged: unchanged,
      dataPointsSaved: saved,
    };
  }

  /** Braze refused an attributes object: what was remembered for its user may not have arrived. */
  refused(item: RequestItem): void {
    const words = item.attrs;
    if (this.memory && words && words.length >= 2) this.memory.forget(words[0]!, words[1]!);
  }
}
