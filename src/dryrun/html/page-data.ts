import type { Report } from '../../state/report.js';
import type { DiffRow } from '../diff.js';
import type { RecordSample } from '../samples.js';
import type { SeriesData } from '../time-series.js';

/** A mapping file the run used (report.json's `mapping`, when --mapping is given). */
export interface MappingFile {
  readonly file: string;
  readonly sha256: string;
}

/**
 * Everything the dry run's page shows, as plain data: the report (the page's numbers are report.json's)
 * and what only the page has. The renderer (page.ts) is a pure function of it.
 */
export interface PageData {
  /** report.json; `mapping` and `records.identifiedBy` are shown when present. */
  readonly report: Report & { readonly mapping?: MappingFile };
  /** Requests per second a real run is limited to (the estimate's rate). */
  readonly rate: number;
  readonly batchSize: number;
  /** Replay: records and data points over message time. */
  readonly series?: SeriesData;
  /** Replay with a diff: the field table's lines by count (and how many observations were not tabulated). */
  readonly fields?: { readonly rows: readonly DiffRow[]; readonly overflow: number };
  readonly samples: readonly RecordSample[];
  /** The settings the run used, as `--flag value` pairs (defaults included). */
  readonly settings: ReadonlyArray<readonly [string, string]>;
  /** The command that runs the same replay for real (no API key in it). */
  readonly liveCommand: string;
  /** False when a resumed run could not find what earlier processes counted for the page. */
  readonly whole: boolean;
}
