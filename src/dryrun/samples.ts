import type { Ledger } from './ledger.js';

/** One record before and after mapping, for the dry run's page. */
export interface RecordSample {
  /** `file:line` (the file name only). */
  readonly where: string;
  /** The counter key of its fate ('records.sent', 'records.skipped.anonymous', ...). */
  readonly fate: string;
  /** The Segment message as read (JSON, cut at a few thousand characters). */
  readonly before: string;
  /** The Braze objects a real run would send for it, by array. */
  readonly after: ReadonlyArray<{ readonly array: string; readonly json: string }>;
}

/** Samples kept at most: a few sent records and a few others, the first of the run in input order. */
const SENT = 4;
const OTHERS = 3;
const OBJECT_CHARS = 4_000;

/**
 * The first records of the run with a source text (the planner keeps the first lines of each file),
 * before and after mapping. Counted through the ledger, so a resumed run keeps the same ones.
 */
export class RecordSamples {
  readonly #sent: RecordSample[] = [];
  readonly #others: RecordSample[] = [];
  #onFull: (() => void) | undefined;

  constructor(private readonly ledger?: Ledger) {}

  /** `items`: what the record would send (an object left with nothing to send has `unsent`). */
  offer(file: string, line: number, fate: string, source: string | undefined, items: ReadonlyArray<{ readonly array: string; readonly json?: string; readonly unsent?: boolean }>): void {
    if (source === undefined) return;
    const list = fate === 'records.sent' ? this.#sent : this.#others;
    if (list.length >= (list === this.#sent ? SENT : OTHERS)) return;
    const after = items.filter((i) => !i.unsent && i.json !== undefined).map((i) => ({ array: i.array, json: cut(i.json!) }));
    const sample: RecordSample = { where: `${file.slice(file.lastIndexOf('/') + 1)}:${line}`, fate, before: source, after };
    if (this.ledger) this.ledger.defer(this.#keep, list, sample, undefined, undefined, undefined);
    else this.#keep(list, sample);
  }

  readonly #keep = (list: RecordSample[], sample: RecordSample): void => {
    if (list.length < (list === this.#sent ? SENT : OTHERS)) list.push(sample);
    if (this.full) this.#onFull?.();
  };

  /** True once every sample the page shows is kept: no record offered after can be. */
  get full(): boolean {
    return this.#sent.length >= SENT && this.#others.length >= OTHERS;
  }

  /** Calls `then` once the samples are full (at once if they are): the planners can stop making sample texts. */
  whenFull(then: () => void): void {
    this.#onFull = then;
    if (this.full) then();
  }

  list(): RecordSample[] {
    return [...this.#sent, ...this.#others];
  }

  restore(samples: readonly RecordSample[]): void {
    for (const s of samples) (s.fate === 'records.sent' ? this.#sent : this.#others).push(s);
  }
}

function cut(json: string): string {
  return json.length > OBJECT_CHARS ? `${json.slice(0, OBJECT_CHARS)}… (${json.length - OBJECT_CHARS} more characters)` : json;
}
