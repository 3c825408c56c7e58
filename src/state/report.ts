import { SKIP_REASONS } from '../transform/types.js';
import { ANONYMOUS, identifiedByKey, STITCHED, type Counts } from '../pipeline/fates.js';
import { ANONYMOUS_WHYS, type AnonymousWhy } from '../transform/stitch.js';

/** report.json and --json (cli.md "Output, report and exit codes"). */
export interface Report {
  readonly command: 'replay' | 'delete';
  readonly dryRun: boolean;
  readonly complete: boolean;
  readonly interrupted: boolean;
  readonly state: string;
  readonly endpoint?: string;
  /** The inputs as given (files, directories, globs, s3:// URLs); every file read is in the state's inputs.ndjson. */
  readonly inputs: readonly string[];
  /** How many files (or S3 objects) the inputs resolved to. */
  readonly files: number;
  readonly records?: {
    read: number;
    sent: number;
    rejected: number;
    skipped: Record<string, number>;
    /** Records whose text held invalid UTF-8, replaced by U+FFFD (a count beside the fates, in none of them). */
    invalidUtf8: number;
    /** --stitch: anonymous-only records sent as their user (also counted in `sent`). */
    stitched?: number;
    /** Why the records in `skipped.anonymous` stayed anonymous (they add up to it). */
    anonymous?: Record<AnonymousWhy, number>;
    /** --mapping: records sent, by the `identifiers` entry that identified them (stitched ones under their link's). */
    identifiedBy?: Record<string, number>;
  };
  /** --mapping: the file and the sha256 of its content. */
  readonly mapping?: { readonly file: string; readonly sha256: string };
  readonly objects?: { attributes: number; events: number; purchases: number; attributesUnchanged: number };
  readonly dataPoints?: number;
  /** --attributes changed: data points not spent on attribute values already sent (what `all` would add). */
  readonly dataPointsSaved?: number;
  /** Dry run: the event names and attribute keys that cost the most data points (see DataPointInsights). */
  readonly topEvents?: readonly PointsBy[];
  /** By product_id. */
  readonly topPurchases?: readonly PointsBy[];
  readonly topAttributes?: readonly PointsBy[];
  readonly ids?: { read: number; deleted: number; duplicate: number; rejected: number };
  readonly requests: { sent: number; retried: number; inDoubt: number; kept?: number };
  /** Replay: the --dedup-window used ('48h', '7d', 'all', 'off'). */
  readonly dedupWindow?: string;
  /** Runs with s3:// inputs: what this process read from S3 (see S3Reading). */
  readonly s3?: S3Reading;
  /** Dry run: how long a real run would take at --rate. */
  readonly estimatedSeconds?: number;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly warnings: readonly string[];
}

/**
 * What a run with s3:// inputs read from S3, in this process (not added up across resumes, unlike
 * the counters): objects and bytes listed, bytes received (each once), and object reads retried
 * after a fault (5xx, SlowDown, a cut connection, a timeout).
 */
export interface S3Reading {
  readonly objects: number;
  readonly bytes: number;
  readonly bytesRead: number;
  readonly retried: number;
}

export interface ReportContext {
  readonly command: 'replay' | 'delete';
  readonly dryRun: boolean;
  readonly complete: boolean;
  readonly interrupted: boolean;
  readonly state: string;
  readonly endpoint: string | undefined;
  readonly inputs: readonly string[];
  readonly files: number;
  readonly rate: number;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly warnings: readonly string[];
  readonly s3?: S3Reading;
  readonly dedupWindow?: string;
  readonly insights?: DataPointInsights;
  /** A --stitch run: the report says how many records were stitched, even none. */
  readonly stitch?: boolean;
  /** --mapping: the file, its sha256 and its `identifiers` entries' names (records.identifiedBy). */
  readonly mapping?: { readonly file: string; readonly sha256: string; readonly identifiers: readonly string[] };
}

/**
 * Where a dry run's data points go: the top event names, products and attribute keys by data points sent, for
 * the records the checkpoint covers, over the whole run (a resumed one takes up the earlier processes'
 * counts: dryrun/page-memory.ts).
 */
export interface DataPointInsights {
  readonly topEvents: readonly PointsBy[];
  readonly topPurchases: readonly PointsBy[];
  readonly topAttributes: readonly PointsBy[];
}

export interface PointsBy {
  readonly name: string;
  readonly dataPoints: number;
}

const n = (counts: Counts, key: string): number => counts[key] ?? 0;

export function buildReport(counts: Counts, context: ReportContext): Report {
  const requests = { sent: n(counts, 'requests.sent'), retried: n(counts, 'requests.retried'), inDoubt: n(counts, 'requests.inDoubt'), ...(context.dryRun ? { kept: n(counts, 'requests.kept') } : {}) };
  const base = {
    command: context.command,
    dryRun: context.dryRun,
    complete: context.complete,
    interrupted: context.interrupted,
    state: context.state,
    ...(context.endpoint ? { endpoint: context.endpoint } : {}),
    inputs: context.inputs,
    files: context.files,
    ...(context.dedupWindow ? { dedupWindow: context.dedupWindow } : {}),
    ...(context.mapping ? { mapping: { file: context.mapping.file, sha256: context.mapping.sha256 } } : {}),
  };
  const tail = {
    requests,
    ...(context.s3 ? { s3: { ...context.s3 } } : {}),
    ...(context.dryRun ? { estimatedSeconds: Math.ceil(requests.sent / context.rate) } : {}),
    startedAt: context.startedAt,
    updatedAt: context.updatedAt,
    warnings: context.warnings,
  };
  if (context.command === 'delete') {
    const ids = { read: n(counts, 'ids.read'), deleted: n(counts, 'ids.deleted'), duplicate: n(counts, 'ids.duplicate'), rejected: n(counts, 'ids.rejected') };
    return { ...base, ids, ...tail };
  }
  const skipped: Record<string, number> = {};
  for (const reason of SKIP_REASONS) skipped[reason] = n(counts, `records.skipped.${reason}`);
  return {
    ...base,
    records: { read: n(counts, 'records.read'), sent: n(counts, 'records.sent'), rejected: n(counts, 'records.rejected'), skipped, invalidUtf8: n(counts, 'records.invalidUtf8'), ...identity(counts, context.stitch === true), ...identifiedBy(counts, context.mapping?.identifiers) },
    objects: {
      attributes: n(counts, 'objects.attributes'),
      events: n(counts, 'objects.events'),
      purchases: n(counts, 'objects.purchases'),
      attributesUnchanged: n(counts, 'objects.attributesUnchanged'),
    },
    dataPoints: n(counts, 'dataPoints'),
    dataPointsSaved: n(counts, 'dataPointsSaved'),
    ...(context.insights ? { ...context.insights } : {}),
    ...tail,
  };
}

/** `stitched` (a --stitch run) and the `anonymous` breakdown (when any record was anonymous). */
function identity(counts: Counts, stitch: boolean): { stitched?: number; anonymous?: Record<AnonymousWhy, number> } {
  const anonymous = {} as Record<AnonymousWhy, number>;
  let any = false;
  for (const why of ANONYMOUS_WHYS) {
    anonymous[why] = n(counts, ANONYMOUS[why]);
    any ||= counts[ANONYMOUS[why]] !== undefined;
  }
  return { ...(stitch && { stitched: n(counts, STITCHED) }), ...(any && { anonymous }) };
}

/** --mapping: `identifiedBy`, every entry named (0 when it identified none). */
function identifiedBy(counts: Counts, names: readonly string[] | undefined): { identifiedBy?: Record<string, number> } {
  if (names === undefined) return {};
  const by: Record<string, number> = {};
  names.forEach((name, i) => (by[name] = n(counts, identifiedByKey(i))));
  return { identifiedBy: by };
}

/**
 * The accounting identity of cli.md: read = sent + rejected + Σ skipped (delete: read = deleted +
 * duplicate + rejected). Returns the difference (0 when it holds).
 */
export function accountingGap(report: Report): number {
  if (report.ids) return report.ids.read - report.ids.deleted - report.ids.duplicate - report.ids.rejected;
  const r = report.records!;
  return r.read - r.sent - r.rejected - Object.values(r.skipped).reduce((a, b) => a + b, 0);
}
