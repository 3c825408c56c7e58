import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { StateError, unlessDiskFull } from '../errors.js';
import { START, loadCheckpoint, saveCheckpoint, type Checkpoint, type Cursor } from './checkpoint.js';
import type { Fingerprint } from './fingerprint.js';
import type { InputFingerprints } from './input-fingerprints.js';
import { digestOf, inputsChange, writeInputs, type InputsDigest } from './input-list.js';
import { writeFileAtomic } from './atomic-file.js';
import { makePrivateDir } from './access/modes.js';
import { LOCK_FILE } from './access/state-lock.js';
import { DEDUP, IdJournal, type DedupMark } from './dedup/id-journal.js';
import { listInDoubt } from './in-doubt.js';
import { NdjsonWriter } from './ndjson-writer.js';
import { RequestLog, type RequestHistory } from './request-log.js';
import type { Report } from './report.js';
import { settingsHash, type RunIdentity } from './run-key.js';
import { RunMemories, type Marks } from './run-memory.js';

/** What the engine commits, handed to save(). */
export interface CommitState {
  readonly cursor: Cursor;
  readonly nextRequest: number;
  /** The marks of the run's memories at `cursor`. */
  readonly memory: Marks;
  readonly counts: Readonly<Record<string, number>>;
}

/**
 * The files of one run's state directory: checkpoint.json, the run's memories (ids.bin: the
 * de-duplication journal),
 * requests.log (sent/acknowledged requests since the checkpoint), rejected.ndjson, requests.ndjson
 * (dry run), in-doubt.ndjson and report.json.
 */
export class RunState {
  #resumed: Checkpoint | undefined;
  #indexed = false;
  /** What the run remembers; commands may open more memories in it before the run starts. */
  readonly memory: RunMemories;
  #ids: IdJournal | undefined;
  readonly rejected: NdjsonWriter;
  readonly requests: NdjsonWriter | undefined;
  readonly log: RequestLog | undefined;
  readonly history: RequestHistory;
  readonly startedAt: string;
  #hash: string;
  /** What the checkpoint says of the inputs: on a fresh run, made (and inputs.ndjson written) at the first save. */
  #inputs: InputsDigest | undefined;

  private constructor(
    readonly dir: string,
    private readonly identity: RunIdentity,
    /** The run's inputs' fingerprints: all taken already on a resume, else taken as the run goes. */
    readonly fingerprints: InputFingerprints,
    resumed: Checkpoint | undefined,
    now: Date,
  ) {
    this.#resumed = resumed;
    this.#inputs = resumed ? digestOf(fingerprints.all()) : undefined;
    this.#hash = settingsHash(identity);
    this.startedAt = resumed?.startedAt ?? now.toISOString();
    this.memory = new RunMemories(resumed?.memory);
    this.rejected = NdjsonWriter.open(join(dir, 'rejected.ndjson'), resumed?.rejectedBytes ?? 0);
    this.requests = identity.dryRun ? NdjsonWriter.open(join(dir, 'requests.ndjson'), resumed?.requestsBytes ?? 0) : undefined;
    if (identity.dryRun) {
      this.log = undefined;
      this.history = { acked: new Map(), inDoubt: new Set(), doubts: new Map() };
    } else {
      const opened = RequestLog.open(join(dir, 'requests.log'), resumed?.nextRequest ?? 1);
      this.log = opened.log;
      this.history = opened.history;
    }
  }

  /**
   * Opens (or creates) the state directory. Refuses to resume, with exit 2, when the checkpoint
   * belongs to other settings or the inputs changed (all their fingerprints are taken for that); a
   * fresh run takes them as it goes (input-fingerprints.ts). --restart wipes the directory first.
   */
  static open(dir: string, identity: RunIdentity, inputs: InputFingerprints, restart: boolean, now: Date): RunState {
    // The lock stays: this run holds it (state-lock.ts), and --restart never wipes a directory another run holds.
    if (restart) emptyDir(dir, LOCK_FILE);
    makePrivateDir(dir);
    const checkpoint = loadCheckpoint(dir);
    if (checkpoint) {
      const why = refusal(checkpoint, identity, inputs.all(), dir);
      if (why) throw new StateError(`Cannot resume the run in ${dir}: ${why}. Run it with --restart to discard that state and start over.`);
    }
    return new RunState(dir, identity, inputs, checkpoint, now);
  }

  /**
   * Delete's de-duplication journal of IDs (ids.bin), opened on first use: before the engine is made,
   * like every memory. (Replay's messages go through the duplicate window, window-journal.ts.)
   */
  get ids(): IdJournal {
    this.#ids ??= this.memory.open<DedupMark, IdJournal>(DEDUP, (mark) => IdJournal.open(join(this.dir, 'ids.bin'), mark));
    return this.#ids;
  }

  /** The checkpoint this run resumes from (the replay pass's: none while an index pass runs or once it ends). */
  get resumed(): Checkpoint | undefined {
    return this.#resumed?.pass === 'index' ? undefined : this.#resumed;
  }

  get cursor(): Cursor {
    return this.resumed?.cursor ?? START;
  }

  /**
   * Where the index pass of --stitch starts: from the start on a fresh run, from its cursor when the
   * checkpoint was saved in it; undefined once the replay pass has begun (the index is complete).
   */
  get indexCursor(): Cursor | undefined {
    if (this.#indexed) return undefined;
    if (this.#resumed === undefined) return START;
    return this.#resumed.pass === 'index' ? this.#resumed.cursor : undefined;
  }

  /** Saves the index pass's checkpoint (its cursor, and the index's mark); `done` hands over to the replay pass. */
  saveIndexPass(cursor: Cursor, done: boolean, now: Date): void {
    const memory = this.memory.mark();
    this.save({ cursor: done ? START : cursor, nextRequest: 1, memory, counts: {} }, false, now, done ? undefined : 'index');
    if (done) {
      this.#resumed = undefined;
      this.#indexed = true;
    }
  }

  /** Makes the memories and output files durable up to `commit`, then saves the checkpoint atomically. */
  save(commit: CommitState, complete: boolean, now: Date, pass?: 'index'): void {
    this.memory.commit(commit.memory);
    this.rejected.flush();
    this.requests?.flush();
    const checkpoint: Checkpoint = {
      version: 2,
      command: this.identity.command,
      dryRun: this.identity.dryRun,
      settingsHash: this.#hash,
      ...(this.identity.mappingSha256 !== undefined && { mappingSha256: this.identity.mappingSha256 }),
      inputs: this.#listedInputs(),
      cursor: commit.cursor,
      ...(pass && { pass }),
      nextRequest: commit.nextRequest,
      memory: commit.memory,
      rejectedBytes: this.rejected.bytes,
      requestsBytes: this.requests?.bytes ?? 0,
      counts: commit.counts,
      complete,
      startedAt: this.startedAt,
      updatedAt: now.toISOString(),
    };
    saveCheckpoint(this.dir, checkpoint);
    this.log?.compact(commit.nextRequest);
  }

  /**
   * The inputs' digest, on a fresh run's first save: every fingerprint taken (those not yet, now) and
   * listed in inputs.ndjson, before the checkpoint that names them.
   */
  #listedInputs(): InputsDigest {
    if (this.#inputs) return this.#inputs;
    this.#inputs = writeInputs(this.dir, this.fingerprints.all());
    return this.#inputs;
  }

  /** Writes how the run ended: report.json, and the requests found in doubt to in-doubt.ndjson. */
  conclude(report: Report, inDoubt: readonly number[], handling: 'resend' | 'skip'): void {
    writeFileAtomic(join(this.dir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
    listInDoubt(join(this.dir, 'in-doubt.ndjson'), inDoubt, handling);
  }

  /**
   * Closes every file. On a full disk what is still queued is not written, and that is fine: it lies
   * beyond the last checkpoint saved (save() writes it first), and a resume cuts the files back there.
   */
  close(): void {
    this.fingerprints.stop();
    unlessDiskFull(() => this.memory.close());
    unlessDiskFull(() => this.rejected.close());
    unlessDiskFull(() => this.requests?.close());
    this.log?.close();
  }
}

/** Removes everything in `dir` but `keep` (a directory that does not exist yet is left alone). */
function emptyDir(dir: string, keep: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const name of names) if (name !== keep && !name.startsWith(`${keep}.`)) rmSync(join(dir, name), { recursive: true, force: true });
}

function refusal(checkpoint: Checkpoint, identity: RunIdentity, inputs: readonly Fingerprint[], dir: string): string | undefined {
  if (checkpoint.command !== identity.command) return `it holds a ${checkpoint.command} run, not a ${identity.command} run`;
  if (checkpoint.dryRun !== identity.dryRun) return `it holds a ${checkpoint.dryRun ? 'dry run' : 'real run'}`;
  if (checkpoint.mappingSha256 !== identity.mappingSha256) {
    return identity.mappingSha256 === undefined ? 'it was started with a --mapping file' : checkpoint.mappingSha256 === undefined ? 'it was started without a --mapping file' : 'the mapping file changed since the run started';
  }
  if (checkpoint.settingsHash !== settingsHash(identity)) return 'the settings differ from the ones it was started with';
  return inputsChange(dir, checkpoint.inputs, inputs);
}
