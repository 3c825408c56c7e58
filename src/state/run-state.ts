import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { StateError, unlessDiskFull } from '../errors.js';
import { START, loadCheckpoint, saveCheckpoint, type Checkpoint, type Cursor } from './checkpoint.js';
import { inputChange, type Fingerprint } from './fingerprint.js';
import { IdJournal } from './id-journal.js';
import { NdjsonWriter } from './ndjson-writer.js';
import { RequestLog, type RequestHistory } from './request-log.js';
import { settingsHash, type RunIdentity } from './run-key.js';

/** What the engine commits, handed to save(). */
export interface CommitState {
  readonly cursor: Cursor;
  readonly nextRequest: number;
  readonly ids: number;
  readonly counts: Readonly<Record<string, number>>;
}

/**
 * The files of one run's state directory: checkpoint.json, ids.bin (de-duplication journal),
 * requests.log (sent/acknowledged requests since the checkpoint), rejected.ndjson, requests.ndjson
 * (dry run), in-doubt.ndjson and report.json.
 */
export class RunState {
  readonly resumed: Checkpoint | undefined;
  readonly ids: IdJournal;
  readonly rejected: NdjsonWriter;
  readonly requests: NdjsonWriter | undefined;
  readonly log: RequestLog | undefined;
  readonly history: RequestHistory;
  readonly startedAt: string;
  #hash: string;

  private constructor(
    readonly dir: string,
    private readonly identity: RunIdentity,
    private readonly inputs: readonly Fingerprint[],
    resumed: Checkpoint | undefined,
    now: Date,
  ) {
    this.resumed = resumed;
    this.#hash = settingsHash(identity);
    this.startedAt = resumed?.startedAt ?? now.toISOString();
    this.ids = IdJournal.open(join(dir, 'ids.bin'), resumed?.ids ?? 0);
    this.rejected = NdjsonWriter.open(join(dir, 'rejected.ndjson'), resumed?.rejectedBytes ?? 0);
    this.requests = identity.dryRun ? NdjsonWriter.open(join(dir, 'requests.ndjson'), resumed?.requestsBytes ?? 0) : undefined;
    if (identity.dryRun) {
      this.log = undefined;
      this.history = { acked: new Map(), inDoubt: new Set() };
    } else {
      const opened = RequestLog.open(join(dir, 'requests.log'), resumed?.nextRequest ?? 1);
      this.log = opened.log;
      this.history = opened.history;
    }
  }

  /**
   * Opens (or creates) the state directory. Refuses to resume, with exit 2, when the checkpoint
   * belongs to other settings or the inputs changed; --restart wipes the directory first.
   */
  static open(dir: string, identity: RunIdentity, inputs: readonly Fingerprint[], restart: boolean, now: Date): RunState {
    if (restart) rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const checkpoint = loadCheckpoint(dir);
    if (checkpoint) {
      const why = refusal(checkpoint, identity, inputs);
      if (why) throw new StateError(`Cannot resume the run in ${dir}: ${why}. Run it with --restart to discard that state and start over.`);
    }
    return new RunState(dir, identity, inputs, checkpoint, now);
  }

  get cursor(): Cursor {
    return this.resumed?.cursor ?? START;
  }

  /** Flushes the journal and output files, then saves the checkpoint atomically. */
  save(commit: CommitState, complete: boolean, now: Date): void {
    this.ids.flush();
    this.rejected.flush();
    this.requests?.flush();
    const checkpoint: Checkpoint = {
      version: 1,
      command: this.identity.command,
      dryRun: this.identity.dryRun,
      settingsHash: this.#hash,
      inputs: this.inputs,
      cursor: commit.cursor,
      nextRequest: commit.nextRequest,
      ids: commit.ids,
      rejectedBytes: this.rejected.bytes,
      requestsBytes: this.requests?.bytes ?? 0,
      counts: commit.counts,
      complete,
      startedAt: this.startedAt,
      updatedAt: now.toISOString(),
    };
    saveCheckpoint(this.dir, checkpoint);
  }

  /**
   * Closes every file. On a full disk what is still queued is not written, and that is fine: it lies
   * beyond the last checkpoint saved (save() writes it first), and a resume cuts the files back there.
   */
  close(): void {
    unlessDiskFull(() => this.ids.close());
    unlessDiskFull(() => this.rejected.close());
    unlessDiskFull(() => this.requests?.close());
    this.log?.close();
  }
}

function refusal(checkpoint: Checkpoint, identity: RunIdentity, inputs: readonly Fingerprint[]): string | undefined {
  if (checkpoint.command !== identity.command) return `it holds a ${checkpoint.command} run, not a ${identity.command} run`;
  if (checkpoint.dryRun !== identity.dryRun) return `it holds a ${checkpoint.dryRun ? 'dry run' : 'real run'}`;
  if (checkpoint.settingsHash !== settingsHash(identity)) return 'the settings differ from the ones it was started with';
  return inputChange(checkpoint.inputs, inputs);
}
