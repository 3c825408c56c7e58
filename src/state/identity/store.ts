import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { StateError } from '../../errors.js';
import { PRIVATE_DIR } from '../access/modes.js';
import { appendFileNames, EMPTY, readFileNames, readManifest, tidy, writeManifest, type Manifest } from './manifest.js';
import type { Key } from './record.js';
import { FAN_IN, mergingRuns } from './sorted-run-merge.js';
import { SortedRunWriter } from './sorted-run-writer.js';
import { SortedRun } from './sorted-run.js';

/**
 * The identity index on disk (index.ts holds what is in memory): sorted run files, the table of
 * file names and the manifest naming them (manifest.ts). The index pass adds a run at each of its
 * checkpoints and merges them into one when it ends (seal); then any thread reads that one.
 */
export class IdentityStore {
  readonly #dir: string;
  readonly #writable: boolean;
  #manifest: Manifest;
  #sealedRun: SortedRun | undefined;
  /** File names: those the manifest counts, then those interned since (saved by addRun). */
  readonly fileNames: string[];

  /** Opens the store in `dir`; a writable open without `wanted` (a fresh run) starts it empty. */
  constructor(dir: string, writable: boolean, wanted: number | undefined) {
    this.#dir = dir;
    this.#writable = writable;
    if (writable && wanted === undefined) rmSync(dir, { recursive: true, force: true });
    if (writable) mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
    this.#manifest = readManifest(dir) ?? EMPTY;
    const { accepted } = this.#manifest;
    if (accepted < (wanted ?? 0)) throw new StateError(`The identity index in ${dir} holds ${accepted} links, fewer than the checkpoint's ${wanted}; run again with --restart`);
    if (writable) tidy(dir, this.#manifest);
    this.fileNames = readFileNames(dir, this.#manifest);
  }

  get sealed(): boolean {
    return this.#manifest.sealed;
  }

  /** The record of `key` in the sealed index (its one run), or undefined. */
  find(key: Key): [Buffer, number] | undefined {
    if (!this.#manifest.sealed) throw new Error('The identity index is looked up once sealed (its runs merged at the end of the index pass)');
    const name = this.#manifest.runs[0];
    if (name === undefined) return undefined;
    this.#sealedRun ??= new SortedRun(join(this.#dir, name));
    return this.#sealedRun.find(key);
  }

  /** Writes a run (`fill` puts its records in order) and names it in the manifest, which then counts `accepted`. */
  addRun(fill: (out: SortedRunWriter) => void, accepted: number): void {
    const name = `run-${this.#manifest.nextRun}.idx`;
    const out = new SortedRunWriter(join(this.#dir, name));
    try {
      fill(out);
      out.finish();
    } catch (error) {
      out.abandon();
      throw error;
    }
    const names = appendFileNames(this.#dir, this.#manifest, this.fileNames.slice(this.#manifest.files));
    const { runs, nextRun } = this.#manifest;
    this.#save({ ...this.#manifest, ...names, accepted, runs: [...runs, name], nextRun: nextRun + 1, sealed: false });
  }

  /**
   * Merges the runs into one, pausing for the event loop between slices of the merge so that a
   * signal is heard; stops at a pause when `stopped()` says so, and returns false. The groups of
   * runs merged so far stay (the manifest names them), the group under way is abandoned, and a
   * later seal goes on from there, as after a kill.
   */
  async seal(stopped: () => boolean): Promise<boolean> {
    const steps = this.#merging();
    for (;;) {
      if (stopped()) {
        steps.return();
        return false;
      }
      if (steps.next().done) return true;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  close(): void {
    this.#sealedRun?.close();
    this.#sealedRun = undefined;
  }

  /**
   * FAN_IN runs at most at a time, in levels: a group of neighbouring runs becomes one run in its
   * place, so that the runs stay in archive order.
   */
  *#merging(): Generator<void, void, void> {
    for (let at = 0; this.#manifest.runs.length > 1; at++) {
      if (at >= this.#manifest.runs.length - 1) at = 0;
      const { runs, nextRun } = this.#manifest;
      const group = runs.slice(at, at + FAN_IN);
      const name = `run-${nextRun}.idx`;
      yield* this.#mergeGroup(group, name);
      this.#save({ ...this.#manifest, runs: [...runs.slice(0, at), name, ...runs.slice(at + group.length)], nextRun: nextRun + 1 });
      for (const run of group) rmSync(join(this.#dir, run), { force: true });
      yield;
    }
    if (!this.#manifest.sealed) this.#save({ ...this.#manifest, sealed: true });
  }

  *#mergeGroup(group: readonly string[], name: string): Generator<void, void, void> {
    const out = new SortedRunWriter(join(this.#dir, name));
    const runs: SortedRun[] = [];
    let written = false;
    try {
      for (const run of group) runs.push(new SortedRun(join(this.#dir, run)));
      yield* mergingRuns(runs, out);
      out.finish();
      written = true;
    } finally {
      // Stopped or failed mid-merge: the manifest still names the group's runs, which hold everything.
      if (!written) out.abandon();
      for (const run of runs) run.close();
    }
  }

  #save(manifest: Manifest): void {
    if (!this.#writable) throw new Error('The identity index is open read-only');
    writeManifest(this.#dir, manifest);
    this.#manifest = manifest;
  }
}
