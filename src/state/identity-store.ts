import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { StateError } from '../errors.js';
import { compareRecords, type Key } from './identity-record.js';
import { appendDurably, EMPTY, FILE_NAMES, readFileNames, readJournal, readManifest, tidy, writeManifest, type Manifest } from './identity-manifest.js';
import { FAN_IN, mergeRuns } from './run-merge.js';
import { RunReader, RunWriter } from './sorted-run.js';

/**
 * The identity index on disk (identity-index.ts holds what is in memory): sorted run files, a
 * journal of what came since the last run, the table of file names, and the manifest naming them
 * (identity-manifest.ts). Written only by the index pass; read by any thread.
 */
export class IdentityStore {
  readonly #dir: string;
  readonly #writable: boolean;
  #manifest: Manifest;
  #runs: RunReader[];
  /** File names: those the manifest covers, then those interned since (see journal()). */
  readonly fileNames: string[];

  /** Opens the store in `dir`; a writable open without `wanted` starts it empty (a fresh run). */
  constructor(dir: string, writable: boolean, wanted: number | undefined) {
    this.#dir = dir;
    this.#writable = writable;
    if (writable && wanted === undefined) rmSync(dir, { recursive: true, force: true });
    if (writable) mkdirSync(dir, { recursive: true });
    this.#manifest = readManifest(dir) ?? EMPTY;
    if (this.#manifest.accepted < (wanted ?? 0)) {
      throw new StateError(`The identity index holds ${this.#manifest.accepted} links, fewer than the checkpoint's ${wanted}; run again with --restart`);
    }
    if (writable) tidy(dir, this.#manifest);
    this.#runs = this.#manifest.runs.map((name) => new RunReader(join(dir, name)));
    this.fileNames = readFileNames(dir, this.#manifest.files, this.#manifest.filesBytes);
  }

  get sealed(): boolean {
    return this.#manifest.sealed;
  }

  get accepted(): number {
    return this.#manifest.accepted;
  }

  /** Calls `take` with the record of `key` in each run that has one, oldest first. */
  find(key: Key, take: (buf: Buffer, at: number) => void): void {
    for (const run of this.#runs) {
      const found = run.find(key);
      if (found) take(found[0], found[1]);
    }
  }

  /** Calls `take` with each committed journal record, in the order written. */
  replayJournal(take: (buf: Buffer, at: number) => void): void {
    readJournal(join(this.#dir, this.#manifest.journal), this.#manifest.journalBytes, take);
  }

  /** Appends `records` to the journal and makes them durable, with `accepted` in the manifest. */
  journal(records: readonly Buffer[], accepted: number): void {
    const bytes = Buffer.concat(records);
    const at = this.#manifest.journalBytes;
    if (bytes.length > 0) appendDurably(join(this.#dir, this.#manifest.journal), bytes, at);
    this.#save({ ...this.#manifest, ...this.#namesDurable(), accepted, journalBytes: at + bytes.length, sealed: false });
  }

  /** Writes `sorted` as a new run: then the journal before it is no longer needed. */
  spill(sorted: readonly Buffer[], accepted: number): void {
    const name = `run-${this.#manifest.nextRun}.idx`;
    this.#write(name, (out) => sorted.forEach((rec) => out.add(rec)));
    const journal = `journal-${this.#manifest.nextRun}`;
    const old = this.#manifest.journal;
    this.#save({ ...this.#manifest, ...this.#namesDurable(), accepted, runs: [...this.#manifest.runs, name], nextRun: this.#manifest.nextRun + 1, journal, journalBytes: 0, sealed: false });
    this.#runs.push(new RunReader(join(this.#dir, name)));
    rmSync(join(this.#dir, old), { force: true });
  }

  /**
   * Merges the runs into one (the journal must be empty: spill first). Killed meanwhile, the
   * manifest still names the runs, and the next writable open removes the unfinished output.
   */
  seal(): void {
    while (this.#runs.length > 1) {
      const group = this.#runs.slice(0, FAN_IN);
      const name = `run-${this.#manifest.nextRun}.idx`;
      this.#write(name, (out) => mergeRuns(group, out));
      const rest = this.#manifest.runs.slice(group.length);
      this.#save({ ...this.#manifest, runs: [name, ...rest], nextRun: this.#manifest.nextRun + 1 });
      for (const run of group) {
        run.close();
        rmSync(run.path, { force: true });
      }
      this.#runs = [new RunReader(join(this.#dir, name)), ...this.#runs.slice(group.length)];
    }
    this.#save({ ...this.#manifest, sealed: true });
  }

  close(): void {
    for (const run of this.#runs) run.close();
    this.#runs = [];
  }

  #write(name: string, fill: (out: RunWriter) => void): void {
    const out = new RunWriter(join(this.#dir, name));
    try {
      fill(out);
    } catch (error) {
      out.abandon();
      throw error;
    }
    out.finish();
  }

  /** Appends the file names interned since the last save to their table, durably. */
  #namesDurable(): Pick<Manifest, 'files' | 'filesBytes'> {
    const { files, filesBytes } = this.#manifest;
    if (this.fileNames.length === files) return { files, filesBytes };
    const text = Buffer.from(this.fileNames.slice(files).map((name) => `${JSON.stringify(name)}\n`).join(''), 'utf8');
    appendDurably(join(this.#dir, FILE_NAMES), text, filesBytes);
    return { files: this.fileNames.length, filesBytes: filesBytes + text.length };
  }

  #save(manifest: Manifest): void {
    if (!this.#writable) throw new Error('The identity index is open read-only');
    writeManifest(this.#dir, manifest);
    this.#manifest = manifest;
  }
}

/** Sorts records into the index's order (a run's). */
export function sortRecords(records: Buffer[]): Buffer[] {
  return records.sort((a, b) => compareRecords(a, 0, b, 0));
}
