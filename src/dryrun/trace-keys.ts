import type { FieldTrace } from '../transform/types.js';
import { ReusedTrace } from '../transform/trace.js';

/** One line of the summary diff, defined once and then referred to by its number. */
export interface TraceDef {
  readonly id: number;
  /** 'mapped' | 'changed' | 'dropped' for fields; 'fate' for records skipped or rejected. */
  readonly action: FieldTrace['action'] | 'fate';
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

/** Lines a planner numbers and remembers; a line first met past them travels as text (transient). */
const maxKeys = 5_000;
/** Parts remembered (see #byKey) before they are forgotten and learnt again. */
const maxParts = 10_000;
/** The id of a line the run does not tabulate (diff.ts: past its rows; rare fields counted together). */
export const OVERFLOW = -1;

/**
 * A transient id: the `index`th line of a chunk met once the planner's table is full. It is not
 * remembered; its definition goes with the chunk each time, numbered so, and the run thread puts
 * the line's row in its place (diff.ts). Which lines the run tabulates is then decided on the run
 * thread in input order, never by what one planner happened to see first (runs with the same input
 * give the same diff, whatever the workers and their scheduling).
 */
export const transientId = (index: number): number => -2 - index;
export const transientIndex = (id: number): number => -2 - id;

/**
 * Puts in place of each transient id of a chunk (or a record's list) what the run made of it:
 * `transient[index]`, as DiffCollector.define returns it. Done once, before the records are counted.
 */
export function translateTraces(ids: { [index: number]: number; readonly length: number }, transient: readonly number[]): void {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id < OVERFLOW) ids[i] = transient[transientIndex(id)]!;
  }
}

/**
 * Numbers the distinct lines of the diff summary, where records are mapped. Array indexes and group
 * IDs are folded (`products[2].price` -> `products[].price`) so that one line covers a field across
 * records. Runs next to the mapping (in the planning worker), so that the main thread only counts
 * numbers; new definitions are drained and shipped with each chunk.
 */
export class TraceKeys {
  /**
   * from -> the lines with that Segment path. One hash lookup per trace; the few lines that share a
   * path are told apart by comparing strings, which is cheaper than hashing three more fresh strings.
   */
  #byFrom = new Map<string, TraceDef[]>();
  #size = 0;
  #pending: TraceDef[] = [];
  /** Transient definitions made since the last drain. */
  #transients = 0;
  /**
   * key -> the ids of fields traced by their key (traceMappedKey: all 'mapped'), told apart by their
   * paths' prefixes. The key is a property or trait name as JSON.parse made it, whose hash V8 keeps,
   * and the prefixes are a few constant strings, the same objects each time and cheap to compare; the
   * full paths are made only for a field not seen yet. A memo of #id and nothing more: forgetting it (when it holds maxParts)
   * changes no id, so an archive of endless distinct keys costs memory only up to the bound.
   */
  #byKey = new Map<string, KeyedId[]>();
  #parts = 0;

  /** Ids are `base + n * stride`, so that several planning workers never hand out the same one. */
  constructor(
    private readonly base = 0,
    private readonly stride = 1,
  ) {}

  field(trace: FieldTrace): number {
    if (trace instanceof ReusedTrace && trace.key !== undefined) return this.#keyed(trace, trace.key);
    return this.#id(trace.action, trace.from, trace.to ?? '', trace.reason ?? '');
  }

  /** A record's fate: `fate` like 'skipped: anonymous' or 'rejected', and its reason. */
  fate(fate: string, reason: string): number {
    return this.#id('fate', fate, '', reason);
  }

  /** Definitions made since the last call (transient ones numbered from 0 again after it). */
  drain(): TraceDef[] {
    this.#transients = 0;
    return this.#pending.splice(0);
  }

  /** The id of a field traced by its key: remembered by its parts, else found by its paths (#id). */
  #keyed(trace: ReusedTrace, key: string): number {
    const { fromPrefix, toPrefix } = trace;
    let known = this.#byKey.get(key);
    if (known !== undefined) {
      for (const k of known) if (k.fromPrefix === fromPrefix && k.toPrefix === toPrefix) return k.id;
    }
    const id = this.#id(trace.action, trace.from, trace.to ?? '', trace.reason ?? '');
    if (id < 0) return id;
    if (this.#parts >= maxParts) {
      this.#byKey.clear();
      this.#parts = 0;
      known = undefined;
    }
    if (known === undefined) this.#byKey.set(key, (known = []));
    known.push({ fromPrefix, toPrefix, id });
    this.#parts++;
    return id;
  }

  /**
   * Looks the trace up as it is (`products[2].price` and `products[0].price` are two keys here) and
   * folds only when a key is new: folding every trace was a tenth of a worker's time. Keys that fold
   * to the same text are merged into one line by the DiffCollector. Group attribute names are folded
   * up front, or every group ID would be a key of its own.
   */
  #id(action: TraceDef['action'], from: string, rawTo: string, reason: string): number {
    const to = rawTo.startsWith('attributes.ab_segment_group_') ? 'attributes.ab_segment_group_<groupId>' : rawTo;
    let keys = this.#byFrom.get(from);
    if (keys) {
      for (const key of keys) {
        if (key.to === to && key.action === action && key.reason === reason) return key.id;
      }
    }
    // A full table remembers nothing more: the line is defined again each time it is met.
    const full = this.#size >= maxKeys;
    const id = full ? transientId(this.#transients++) : this.base + this.#size++ * this.stride;
    if (!full) {
      if (!keys) this.#byFrom.set(from, (keys = []));
      keys.push({ id, action, from, to, reason });
    }
    this.#pending.push({ id, action, from: fold(from), to: fold(to), reason: fold(reason) });
    return id;
  }
}

/** The id of a trace made by traceMappedKey, by its paths' prefixes (its key is where it is kept). */
interface KeyedId {
  readonly fromPrefix: string;
  readonly toPrefix: string | undefined;
  readonly id: number;
}

/** Folds what differs from record to record (array indexes, group IDs in attribute names). */
function fold(text: string): string {
  if (text.indexOf('[') === -1 && text.indexOf('ab_segment_group_') === -1) return text;
  const folded = text.replace(/\[\d+\]/g, '[]');
  const group = folded.indexOf('ab_segment_group_');
  return group === -1 ? folded : `${folded.slice(0, group)}ab_segment_group_<groupId>`;
}
