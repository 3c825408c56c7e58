import type { BrazePath, RequestItem } from '../braze/types.js';
import type { CommonConfig } from '../config/options.js';
import type { InputFile } from '../input/types.js';
import type { FateKeys } from './fates.js';
import type { DataPointInsights, Report, S3Reading } from '../state/report.js';
import type { PageData } from '../dryrun/html/page-data.js';
import type { RunIdentity } from '../state/run-key.js';
import type { RunState } from '../state/run-state.js';
import type { Log } from '../ui/log.js';
import type { Progress } from '../ui/progress.js';
import type { Source } from './run.js';
import type { LinkChunk } from './planning/link-chunk.js';
import type { ReadStart } from '../input/types.js';

/** Effects handed in from the edge (style.md habit 7). */
export interface RunDeps {
  readonly now: () => number;
  readonly random: () => number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly log: Log;
  readonly progress: Progress;
  /** Registers SIGINT/SIGTERM handling; returns the function that removes it. */
  readonly onSignal: (handler: (signal: string) => void) => () => void;
  /** Registers what to do before a signal no handler takes ends the process; returns its remover. */
  readonly onUnhandledSignal: (last: () => void) => () => void;
  /** Exits at once (second Ctrl-C). */
  readonly exitNow: (code: number) => never;
  /** The command line that resumes this run, for the interrupt message. */
  readonly resumeCommand: string;
  readonly userAgent: string;
}

/** What a command hands to execute(): the same for replay and delete. */
export interface RunPlan<T> {
  readonly config: CommonConfig & { readonly batchSize: number };
  readonly path: BrazePath;
  readonly keys: FateKeys;
  readonly identity: RunIdentity;
  readonly stateDir: string;
  readonly files: readonly InputFile[];
  readonly warnings: readonly string[];
  /** The reader and planner; it may open more memories in `state.memory` (before the run starts). */
  readonly makeSource: (state: RunState) => Source<T>;
  /** --max-data-points (replay): not part of the run's identity, so a resume may raise it. */
  readonly budget?: number;
  /** Called for each object Braze refused. */
  readonly onRefused?: (item: RequestItem) => void;
  /** Dry run: where the data points went (every committed record of the run), for the report. */
  readonly insights?: () => DataPointInsights;
  /** Dry run: the page written beside report.json (report.html), from the report (undefined: none). */
  readonly page?: (report: Report) => PageData | undefined;
  /** Runs with s3:// inputs: what was read from S3 so far, for the report. */
  readonly s3?: () => S3Reading;
  /** replay --mapping: the file, its sha256 and its identifiers' names, for the report. */
  readonly mapping?: { readonly file: string; readonly sha256: string; readonly identifiers: readonly string[] };
  /** replay --stitch: the identity index pass that runs first (index-pass.ts). */
  readonly indexPass?: IndexPassPlan;
}

/** Where the index pass puts what it reads (the identity index, a run memory). */
export interface LinkSink {
  link(anonymousId: string, userId: string, source: string): void;
  identified(userId: string, position: number, ms: number): void;
  /** It holds as much as it keeps in memory: the pass saves its checkpoint now (which commits it to disk). */
  readonly full: boolean;
  /**
   * The pass read everything: makes the index ready for lookups (the identity index merges its runs),
   * pausing for the event loop as it goes; false when `stopped()` said to stop first (a later call goes on).
   */
  seal(stopped: () => boolean): Promise<boolean>;
}

/** The reader of the index pass: the planning pool in its links mode (the same read loop and workers). */
export interface LinkReader {
  /** `following`: the inputs after it, which may be opened and started on while it is read. */
  links(file: InputFile, start: ReadStart | undefined, index: number, following: readonly InputFile[]): AsyncIterable<LinkChunk>;
  /** Stops the workers; a second call does nothing more. */
  close(): Promise<void>;
}

/** What `replay --stitch` adds to a run (cli.md "Identity stitching"). */
export interface IndexPassPlan {
  /** Opens the index in `state.memory`: every process of the run does, in either pass, so its mark is checkpointed. */
  open(state: RunState): LinkSink;
  reader(): LinkReader;
}

/** How long in-flight requests may take to finish after SIGINT/SIGTERM (cli.md: about 10 s). */
export const graceMs = 10_000;
