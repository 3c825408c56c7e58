import type { RequestItem } from '../../braze/types.js';
import type { AttributeMemory } from '../../state/attribute-memory.js';
import { REPLAY_KEYS, SKIPPED } from '../fates.js';
import { ATTRIBUTE_WORDS, keepAttributes } from '../../transform/attributes/attribute-pieces.js';
import type { DecisionListener } from './listener.js';
import type { Unit } from '../unit.js';

/**
 * `--attributes changed` (issue 15), on the main thread in input order after de-duplication: each
 * attribute whose value is the one last sent for the user (AttributeMemory) is left out of its
 * object; an object left with no attribute is kept in the batch but not sent (RequestItem.unsent: the
 * request numbering must not depend on what the run remembers, or a resume would match acknowledged
 * requests to other records); a record left with nothing to send is `records.skipped.unchanged`.
 * Without a memory (`--attributes all`) records pass unchanged. Tells `listener` what goes on of each
 * object, then `unchanged` (decisions/listener.ts: the dry run's data-point totals and --diff full
 * listen).
 */
export class ChangedAttributes {
  constructor(
    private readonly memory: AttributeMemory | undefined,
    private readonly listener?: DecisionListener,
  ) {}

  check(unit: Unit): Unit {
    const { items } = unit;
    if (items.length === 0) return unit;
    const { file, line } = unit;
    const memory = this.memory;
    const listener = this.listener;
    let changed: RequestItem[] | undefined;
    let unchanged = 0;
    let saved = 0;
    let dropped = 0;
    let unsent = 0;
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const words = item.attrs;
      if (memory === undefined || words === undefined || words.length <= 2) {
        listener?.object?.(file, line, item, undefined, item);
        if (item.unsent) unsent++;
        continue;
      }
      const count = (words.length - 2) / ATTRIBUTE_WORDS;
      const keep = this.#scratch(count);
      if (count > 1) memory.warm(words, 0, 4, ATTRIBUTE_WORDS);
      let kept = 0;
      let points = 0;
      for (let a = 0, w = 2; w < words.length; a++, w += ATTRIBUTE_WORDS) {
        if (memory.unchangedAt(words, 0, w + 2)) {
          keep[a] = 0;
          unchanged++;
          points += words[w + 6]!;
        } else {
          keep[a] = 1;
          kept++;
        }
      }
      if (kept === count) {
        listener?.object?.(file, line, item, undefined, item);
        if (item.unsent) unsent++;
        continue;
      }
      saved += points;
      changed ??= items.slice();
      const rest = (item.points ?? 0) - points;
      // Only the user's hash stays (for refused()): the pieces' offsets are the old text's.
      const user = words.subarray(0, 2);
      if (kept === 0) {
        dropped++;
        unsent++;
        changed[i] = { array: item.array, json: item.json, points: 0, attrs: user, unsent: true };
      } else changed[i] = { array: item.array, json: keepAttributes({ json: item.json!, words }, this.#kept), points: rest, attrs: user };
      listener?.object?.(file, line, item, keep, changed[i]!);
    }
    if (!changed) return unit;
    const nothingLeft = unsent === changed.length && unit.fate === REPLAY_KEYS.sent;
    if (nothingLeft) listener?.unchanged?.(file, line);
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

  /** Which attributes of the item being checked are sent (1) or left out (0): one array, reused. */
  #keep = new Uint8Array(64);
  readonly #kept = (attribute: number): boolean => this.#keep[attribute] === 1;

  #scratch(count: number): Uint8Array {
    if (this.#keep.length < count) this.#keep = new Uint8Array(count * 2);
    return this.#keep;
  }

  /** Braze refused an attributes object: what was remembered for its user may not have arrived. */
  refused(item: RequestItem): void {
    const words = item.attrs;
    if (this.memory && words && words.length >= 2) this.memory.forget(words[0]!, words[1]!);
  }
}
