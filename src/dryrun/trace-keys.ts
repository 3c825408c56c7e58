import type { FieldTrace } from '../transform/types.js';

/** One line of the summary diff, defined once and then referred to by its number. */
export interface TraceDef {
  readonly id: number;
  /** 'mapped' | 'changed' | 'dropped' for fields; 'fate' for records skipped or rejected. */
  readonly action: FieldTrace['action'] | 'fate';
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

const maxKeys = 5_000;
/** The id every trace gets once the table is full (rare fields are then counted together). */
export const OVERFLOW = -1;

/**
 * Numbers the distinct lines of the diff summary, where records are mapped. Array indexes and group
 * IDs are folded (`products[2].price` -> `products[].price`) so that one line covers a field across
 * records. Runs next to the mapping (in the planning worker), so that the main thread only counts
 * numbers; new definitions are drained and shipped with each chunk.
 */
export class TraceKeys {
  #ids = new Map<string, number>();
  #pending: TraceDef[] = [];

  /** Ids are `base + n * stride`, so that several planning workers never hand out the same one. */
  constructor(
    private readonly base = 0,
    private readonly stride = 1,
  ) {}

  field(trace: FieldTrace): number {
    return this.#id(trace.action, fold(trace.from), fold(trace.to ?? ''), trace.reason ? fold(trace.reason) : '');
  }

  /** A record's fate: `fate` like 'skipped: anonymous' or 'rejected', and its reason. */
  fate(fate: string, reason: string): number {
    return this.#id('fate', fate, '', fold(reason));
  }

  /** Definitions made since the last call. */
  drain(): TraceDef[] {
    return this.#pending.splice(0);
  }

  #id(action: TraceDef['action'], from: string, to: string, reason: string): number {
    const key = `${action}\u0000${from}\u0000${to}\u0000${reason}`;
    let id = this.#ids.get(key);
    if (id === undefined) {
      if (this.#ids.size >= maxKeys) return OVERFLOW;
      id = this.base + this.#ids.size * this.stride;
      this.#ids.set(key, id);
      this.#pending.push({ id, action, from, to, reason });
    }
    return id;
  }
}

/** Folds what differs from record to record (array indexes, group IDs in attribute names). */
function fold(text: string): string {
  const folded = text.indexOf('[') === -1 ? text : text.replace(/\[\d+\]/g, '[]');
  const group = folded.indexOf('ab_segment_group_');
  return group === -1 ? folded : `${folded.slice(0, group)}ab_segment_group_<groupId>`;
}
