import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { StateError } from '../../errors.js';
import type { Key } from './record.js';
import { appendDurably, EMPTY, FILE_NAMES, readFileNames, readJournal, readManifest, tidy, writeManifest, type Manifest } from './manifest.js';
import { FAN_IN, mergingRuns } from './sorted-run-merge.js';
import { RunReader } from './sorted-run.js';
import { RunWriter } from './sorted-run-writer.js';
import { PRIVATE_DIR } from '../access/modes.js';

/**
 * The identity index on disk (index.ts holds what is in memory): sorted run files, a
 * journal of what came since the last run, the table of file names, and the manifest naming them
 * (manifest.ts). Written only by the index pass; read by any thread.
 */
export class IdentityStore {
  readonly #dir: string;
  readonly #writable: boolean;
  #manifest: Manifest;
  #runs: RunReader[] | undefined;
  /** File names: those the manifest covers, then those interned since (see journal()). */
  readonly fileNames: string[];

  /** Opens the store in `dir`; a writable open without `wanted` starts it empty (a fresh run). */
  constructor(dir: string, writable: boolean, wanted: number | undefined) {
    this.#dir = dir;
    this.#writable = writable;
    if (writable && wanted === undefined) rmSync(dir, { recursive: true, force: true });
    if (writable) mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
    this.#manifest = readManifest(dir) ?? EMPTY;
    if (this.#manifest.accepted < (wanted ?? 0)) {
      throw new StateError(`The identity index holds ${this.#manifest.accepted} links, fewer than the checkpoint's ${wanted}; run again with --restart`);
    }
    if (writable) tidy(dir, this.#manifest);
    this.fileNames = readFileNames(dir, this.#manifest.files, this.#manifest.filesBytes);
  }

  get sealed(): boolean {
    return this.#manifest.sealed;
  }

  get accepted(): number {
    return this.#manifest.accepted;
  }

  get journalBytes(): number {
    return this.#manifest.journalBytes;
  }

  /** Calls `take` with the record of `key` in each run that has one, oldest first. */
  find(key: Key, take: (buf: Buffer, at: number) => void): void {
    for (const run of this.#readers()) {
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

  /** Writes a new run (`fill` adds its records in order): then the journal before it is no longer needed. */
  spill(fill: (out: RunWriter) => void, accepted: number): void {
    const name = `run-${this.#manifest.nextRun}.idx`;
    this.#write(name, fill);
    const journal = `journal-${this.#manifest.nextRun}`;
    const old = this.#manifest.journal;
    this.#save({ ...this.#manifest, ...this.#namesDurable(), accepted, runs: [...this.#manifest.runs, name], nextRun: this.#manifest.nextRun + 1, journal, journalBytes: 0, sealed: false });
    this.#closeRuns();
    rmSync(join(this.#dir, old), { force: true });
  }

  /**
   * Merges the runs into one, FAN_IN at most at a time, in levels (a group of runs next to each other
   * becomes one run in its place, so that the runs stay in archive order). The journal must be
   * empty (spill first). Killed meanwhile, the manifest still names runs that hold everything, and
   * the next writable open removes the unfinished output.
   */
  seal(): void {
    for (const _ of this.#sealing());
  }

  /**
   * seal(), pausing for the event loop every MERGE_SLICE records (a merge of 30M links takes minutes),
   * so that a signal is heard; when `stopped()` says so, stops there and returns false. What was
   * merged up to the group under way stays (the manifest names it), that group's output is removed,
   * and seal() again goes on from there.
   */
  async sealUnlessStopped(stopped: () => boolean): Promise<boolean> {
    const steps = this.#sealing();
    for (;;) {
      if (stopped()) {
        steps.return();
        return false;
      }
      if (steps.next().done) return true;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  *#sealing(): Generator<void, void, void> {
    this.#closeRuns();
    let at = 0;
    while (this.#manifest.runs.length > 1) {
      if (at >= this.#manifest.runs.length - 1) at = 0;
      const group = this.#manifest.runs.slice(at, at + FAN_IN);
      const name = `run-${this.#manifest.nextRun}.idx`;
      const readers = group.map((run) => new RunReader(join(this.#dir, run)));
      const out = new RunWriter(join(this.#dir, name));
      let written = false;
      try {
        yield* mergingRuns(readers, out);
        out.finish();
        written = true;
      } finally {
        // Stopped (or failed) mid-merge: the manifest still names the group's runs, which hold everything.
        if (!written) out.abandon();
        for (const reader of readers) reader.close();
      }
      const runs = [...this.#manifest.runs.slice(0, at), name, ...this.#manifest.runs.slice(at + group.length)];
      this.#save({ ...this.#manifest, runs, nextRun: this.#manifest.nextRun + 1 });
      for (const run of group) rmSync(join(this.#dir, run), { force: true });
      at++;
      yield;
    }
    this.#save({ ...this.#manifest, sealed: true });
  }

  close(): void {
    this.#closeRuns();
  }

  /** The runs, opened when first looked up (a writable store may have more runs than open files allowed). */
  #readers(): RunReader[] {
    this.#runs ??= this.#manifest.runs.map((name) => new RunReader(join(this.#dir, name)));
    return this.#runs;
  }

  #closeRuns(): void {
    for (const run of this.#runs ?? []) run.close();
    this.#runs = undefined;
  }

  #write(name: string, fill: (out: RunWriter) => void): void {
    const out = new RunWriter(join(this.#dir, name));
    try {
      fill(out);
      out.finish();
    } catch (error) {
      out.abandon();
      throw error;
    }
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
