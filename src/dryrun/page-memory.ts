import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { together, type DecisionListener, type PlannedAccount } from '../pipeline/decisions/listener.js';
import type { Unit } from '../pipeline/unit.js';
import { writeFileAtomic } from '../state/atomic-file.js';
import { REPLAY_KEYS } from '../pipeline/fates.js';
import type { RunMemory } from '../state/run-memory.js';
import { DataPointTotals, type TotalsSnapshot } from './data-point-totals.js';
import { DiffCollector, type DiffSnapshot } from './diff.js';
import { Ledger } from './ledger.js';
import { RecordSamples, type RecordSample } from './samples.js';
import { TimeSeries, type SeriesSnapshot } from './time-series.js';

/** The run memory's name in the checkpoint's marks. */
export const PAGE = 'page';
const FILE = 'page-data.json';
const PREVIOUS = 'page-data.prev.json';

/** page-data.json: what the page has counted of the records before `mark` (records begun). */
interface PageSnapshot {
  readonly version: 1;
  readonly mark: number;
  readonly series: SeriesSnapshot;
  readonly totals: TotalsSnapshot;
  readonly diff: DiffSnapshot | undefined;
  readonly samples: readonly RecordSample[];
}

/**
 * What a dry run's page (and report.json's top lists) counts, as a run memory (run-memory.ts): its
 * counts wait in a Ledger until their records are committed, and each checkpoint saves them in
 * page-data.json (atomically; the previous one is kept until the checkpoint naming the new one is
 * saved). A resumed dry run takes them up from the file its checkpoint names, so its page covers the
 * whole run. Bounded: the series, the totals and the diff are capped, the ledger holds only records not
 * yet committed. What it counts comes from the run thread's decisions, told to `decisions`.
 */
export class PageMemory implements RunMemory<number> {
  readonly ledger: Ledger;
  readonly series: TimeSeries;
  readonly totals: DataPointTotals;
  readonly diff: DiffCollector | undefined;
  readonly samples: RecordSamples;
  /**
   * Where the run thread tells what it decides of each record (pipeline/decisions/listener.ts): the
   * ledger numbers the records, the totals, the diff, the series and the samples count them.
   */
  readonly decisions: DecisionListener;
  /** False when the checkpoint named counts that could not be found (the page then says so). */
  readonly whole: boolean;
  #saved: number;

  /** `stored`: the mark the checkpoint holds (undefined on a fresh run). */
  constructor(
    private readonly dir: string,
    stored: number | undefined,
    diff: boolean,
  ) {
    const snapshot = stored === undefined ? undefined : load(dir, stored);
    // A resume that keeps a diff where the earlier processes kept none (--diff is not a setting of the run) lacks their lines too.
    this.whole = stored === undefined || stored === 0 || (snapshot !== undefined && (!diff || snapshot.diff !== undefined));
    this.ledger = new Ledger(stored ?? 0);
    this.series = snapshot ? TimeSeries.restore(snapshot.series) : new TimeSeries();
    this.totals = new DataPointTotals(this.ledger);
    this.diff = diff ? new DiffCollector(this.ledger) : undefined;
    this.samples = new RecordSamples(this.ledger);
    if (snapshot) {
      this.totals.restore(snapshot.totals);
      if (snapshot.diff) this.diff?.restore(snapshot.diff);
      this.samples.restore(snapshot.samples);
    }
    this.#saved = snapshot?.mark ?? -1;
    const page: DecisionListener = { begin: () => this.ledger.begin(), decided: (record, unit) => this.#decided(record, unit) };
    this.decisions = together(page, this.totals, this.diff);
  }

  /** A record about to be planned (before its counts are made). */
  begin(): void {
    this.ledger.begin();
  }

  /** A record planned: its time (seconds; 0 none), whether it would be sent, its data points. */
  timed(seconds: number, sent: boolean, dataPoints: number): void {
    this.ledger.defer(this.#timed, seconds, sent, dataPoints, undefined, undefined);
  }

  readonly #timed = (seconds: number, sent: boolean, dataPoints: number): void => this.series.add(seconds, sent, dataPoints);

  /** A record's fate decided: it counts in the series and may be a sample. */
  #decided(record: PlannedAccount, unit: Unit): void {
    this.timed(record.time, unit.fate === REPLAY_KEYS.sent, unit.dataPoints ?? 0);
    this.samples.offer(record.file, record.line, unit.fate, record.source, unit.items);
  }

  mark(): number {
    return this.ledger.begun;
  }

  advance(mark: number): void {
    this.ledger.settle(mark);
  }

  commit(mark: number): void {
    this.ledger.settle(mark);
    if (mark === this.#saved) return;
    const file = join(this.dir, FILE);
    if (existsSync(file)) renameSync(file, join(this.dir, PREVIOUS));
    const snapshot: PageSnapshot = { version: 1, mark, series: this.series.snapshot(), totals: this.totals.snapshot(), diff: this.diff?.snapshot(), samples: this.samples.list() };
    writeFileAtomic(file, JSON.stringify(snapshot));
    this.#saved = mark;
  }

  close(): void {}
}

/** The snapshot the checkpoint's mark names: page-data.json, or the one before it (a crash between the two writes). */
function load(dir: string, mark: number): PageSnapshot | undefined {
  for (const name of [FILE, PREVIOUS]) {
    const file = join(dir, name);
    if (!existsSync(file)) continue;
    try {
      const snapshot = JSON.parse(readFileSync(file, 'utf8')) as PageSnapshot;
      if (snapshot.version === 1 && snapshot.mark === mark) return snapshot;
    } catch {
      // A torn or foreign file: the other one may still match.
    }
  }
  return undefined;
}
