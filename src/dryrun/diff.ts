import type { DecisionListener, PlannedAccount } from '../pipeline/decisions/listener.js';
import type { TraceDef } from './trace-keys.js';
import { OVERFLOW, transientIndex } from './trace-keys.js';
import type { Ledger } from './ledger.js';

/** One aggregated line of the summary diff: a Segment field (or a record fate) and how often. */
export interface DiffRow {
  readonly def: TraceDef;
  count: number;
  readonly samples: string[];
  /** When the line was first counted, in input order: ties in count are shown in this order. */
  first: number;
}

/** What a checkpoint keeps of the diff (the dry run's page; see Ledger): its rows by text, counted so far. */
export interface DiffSnapshot {
  readonly rows: ReadonlyArray<{ readonly def: Omit<TraceDef, 'id'>; readonly count: number; readonly samples: readonly string[]; readonly first: number }>;
  readonly overflow: number;
  readonly seen: number;
}

export interface DiffSummary {
  readonly rows: readonly DiffRow[];
  /** Observations of rare lines not tabulated because the table was full. */
  readonly overflow: number;
}

const maxSamples = 3;
/**
 * Lines tabulated at most; a line first defined when there are this many is counted among the rarer
 * fields. Lines are defined in input order (chunks are decoded in it, and a line's definition comes
 * with the first chunk that has it, from whichever worker planned it, trace-keys.ts), so which lines
 * these are does not depend on the planning workers.
 */
const maxRows = 5_000;

/** What a transient id is made into (define): the row's place, as an id below OVERFLOW. */
const placeId = (place: number): number => -2 - place;
const placeOf = (id: number): number => -2 - id;

/**
 * Counts the dry-run diff by line: definitions come from TraceKeys (next to the mapping), records
 * refer to them by number. It listens to the run thread's decisions (pipeline/decisions/listener.ts):
 * a duplicate's mapping is never counted, only its fate; a kept record's lines are; so is a record
 * left with nothing to send by --attributes changed. Pure: full-diff.ts prints --diff full's text.
 */
export class DiffCollector implements DecisionListener {
  /** Line id -> row; several ids may share a row (keys that fold to the same text). */
  #rows: DiffRow[] = [];
  /** The rows in the order made (a row's place there is what a transient id is made into). */
  readonly #list: DiffRow[] = [];
  /** Each row's place, by its text. */
  readonly #byText = new Map<string, number>();
  #overflow = 0;
  /** Lines counted so far for the first time. */
  #seen = 0;
  #duplicate: DiffRow = {
    def: { id: -2, action: 'fate', from: 'skipped: duplicate', to: '', reason: 'messageId seen earlier in the run' },
    count: 0,
    samples: [],
    first: 0,
  };

  #unchanged: DiffRow = {
    def: { id: -3, action: 'fate', from: 'skipped: unchanged', to: '', reason: 'every attribute has the value last sent to the user (--attributes changed)' },
    count: 0,
    samples: [],
    first: 0,
  };

  /** --stitch: records sent under the userId their anonymousId links to; samples name the link's source. */
  #stitched: DiffRow = {
    def: { id: -4, action: 'mapped', from: 'anonymousId', to: 'external_id (stitched)', reason: '' },
    count: 0,
    samples: [],
    first: 0,
  };

  /** `ledger`: counts wait there until their record is committed (a dry run's page survives a resume). */
  constructor(private readonly ledger?: Ledger) {}

  /**
   * Takes a chunk's line definitions, in order. Returns, when the chunk has transient lines (a
   * planner's table was full, trace-keys.ts), what each transient id stands for here: the id the
   * chunk's records are to be counted with instead (translateTraces).
   */
  define(defs: readonly TraceDef[]): readonly number[] | undefined {
    let transient: number[] | undefined;
    for (const def of defs) {
      const place = this.#placeOf(def);
      if (def.id >= 0) {
        if (place !== undefined) this.#rows[def.id] = this.#list[place]!;
      } else (transient ??= [])[transientIndex(def.id)] = place === undefined ? OVERFLOW : placeId(place);
    }
    return transient;
  }

  /** The place of a line's row, the row made if new and there is room; undefined past maxRows. */
  #placeOf(def: TraceDef): number | undefined {
    const text = `${def.action}\u0000${def.from}\u0000${def.to}\u0000${def.reason}`;
    const known = this.#byText.get(text);
    if (known !== undefined || this.#list.length >= maxRows) return known;
    this.#byText.set(text, this.#list.length);
    return this.#list.push({ def, count: 0, samples: [], first: 0 }) - 1;
  }

  /**
   * Counts a record's lines. The sample label is `file:line` with the file name only (samples stay
   * short); it is built only when a line still wants a sample. Without `line`, `file` is the label.
   */
  count(ids: ArrayLike<number>, file: string, line?: number): void {
    this.countSpan(ids, 0, ids.length, file, line);
  }

  /** Counts `ids[from .. to)` (a decoded chunk's records share one array of ids). */
  countSpan(ids: ArrayLike<number>, from: number, to: number, file: string, line?: number): void {
    if (this.ledger) this.ledger.defer(this.#countSpan, ids, from, to, file, line);
    else this.#countSpan(ids, from, to, file, line);
  }

  readonly #countSpan = (ids: ArrayLike<number>, from: number, to: number, file: string, line: number | undefined): void => {
    for (let i = from; i < to; i++) {
      const id = ids[i]!;
      const row = id >= 0 ? this.#rows[id] : id === OVERFLOW ? undefined : this.#list[placeOf(id)];
      if (row) this.#add(row, file, line);
      else this.#overflow++;
    }
  };

  /** A record that goes on (not a duplicate): its lines, and the link it was stitched by. */
  kept(record: PlannedAccount): void {
    const { file, line } = record;
    if (record.traceIds) this.countSpan(record.traceIds, record.traceStart, record.traceEnd, file, line);
    if (record.link !== undefined) this.stitched(file, line, record.link);
  }

  duplicate(file: string, line?: number): void {
    this.#count(this.#duplicate, file, line);
  }

  /** A record left with nothing to send by --attributes changed (decided on the main thread). */
  unchanged(file: string, line?: number): void {
    this.#count(this.#unchanged, file, line);
  }

  /** A stitched record, and where its link came from (a message carrying both IDs, or an alias). */
  stitched(file: string, line: number, source: string): void {
    if (this.ledger) this.ledger.defer(this.#stitchedNow, file, line, source, undefined, undefined);
    else this.#stitchedNow(file, line, source);
  }

  readonly #stitchedNow = (file: string, line: number, source: string): void => {
    const row = this.#stitched;
    if (row.count++ === 0) row.first = this.#seen++;
    if (row.samples.length < maxSamples) row.samples.push(`${file.slice(file.lastIndexOf('/') + 1)}:${line} (linked by ${source})`);
  };

  /**
   * The lines by count, ties in the order they were first met in the input: the same for the same
   * input whichever planning worker defined a line first (definition order varies from run to run).
   */
  summary(): DiffSummary {
    const rows = this.#list.filter((r) => r.count > 0);
    if (this.#duplicate.count > 0) rows.push(this.#duplicate);
    if (this.#unchanged.count > 0) rows.push(this.#unchanged);
    if (this.#stitched.count > 0) rows.push(this.#stitched);
    return { rows: rows.sort((a, b) => b.count - a.count || a.first - b.first), overflow: this.#overflow };
  }

  /** What a checkpoint keeps: the rows counted (by text), the overflow and the order of first sight. */
  snapshot(): DiffSnapshot {
    const rows = [...this.#list, this.#duplicate, this.#unchanged, this.#stitched].filter((r) => r.count > 0);
    return {
      rows: rows.map((r) => ({ def: { action: r.def.action, from: r.def.from, to: r.def.to, reason: r.def.reason }, count: r.count, samples: [...r.samples], first: r.first })),
      overflow: this.#overflow,
      seen: this.#seen,
    };
  }

  /** Takes up the counts a checkpoint kept (before any line is defined or counted). */
  restore(snapshot: DiffSnapshot): void {
    const special = [this.#duplicate, this.#unchanged, this.#stitched];
    for (const r of snapshot.rows) {
      const own = special.find((s) => s.def.from === r.def.from && s.def.to === r.def.to && s.def.action === r.def.action);
      let row = own;
      if (!row) {
        const place = this.#placeOf({ id: -5, ...r.def });
        if (place === undefined) continue;
        row = this.#list[place]!;
      }
      row.count = r.count;
      row.first = r.first;
      row.samples.length = 0;
      row.samples.push(...r.samples);
    }
    this.#overflow = snapshot.overflow;
    this.#seen = snapshot.seen;
  }

  #count(row: DiffRow, file: string, line: number | undefined): void {
    if (this.ledger) this.ledger.defer(this.#add, row, file, line, undefined, undefined);
    else this.#add(row, file, line);
  }

  readonly #add = (row: DiffRow, file: string, line: number | undefined): void => {
    if (row.count++ === 0) row.first = this.#seen++;
    if (row.samples.length < maxSamples) row.samples.push(line === undefined ? file : `${file.slice(file.lastIndexOf('/') + 1)}:${line}`);
  };
}
