import { closeSync, existsSync, ftruncateSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { StateError } from '../../errors.js';
import { writeFileAtomic } from '../atomic-file.js';
import { asDiskFull, syncAll, writeAll } from '../disk-write.js';
import { recordLength } from './record.js';
import { PRIVATE_FILE } from '../access/modes.js';

/**
 * The identity index's directory (index.ts): which files hold it, in `manifest.json`,
 * replaced atomically (tmp + fsync + rename) after the files it names are fsynced. A file it does
 * not name (a run written by a process killed before naming it) is removed on the next writable
 * open; a journal or file-names table longer than it says (a torn append) is cut back.
 */
export interface Manifest {
  readonly version: 1;
  /** How many links and identifies (the index's mark) the files below hold at least. */
  readonly accepted: number;
  /** The sorted run files, oldest first. */
  readonly runs: readonly string[];
  /** The runs are merged into one: the index pass is over. */
  readonly sealed: boolean;
  /** The number of the next run (file names are never reused). */
  readonly nextRun: number;
  /** The journal of what came after the last run, and its committed length. */
  readonly journal: string;
  readonly journalBytes: number;
  /** How many file names (of "file:line" sources) `files.ndjson` holds, in how many bytes. */
  readonly files: number;
  readonly filesBytes: number;
}

const MANIFEST = 'manifest.json';
export const FILE_NAMES = 'files.ndjson';

export const EMPTY: Manifest = { version: 1, accepted: 0, runs: [], sealed: false, nextRun: 1, journal: 'journal-0', journalBytes: 0, files: 0, filesBytes: 0 };

export function readManifest(dir: string): Manifest | undefined {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) return undefined;
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch (error) {
    throw new StateError(`${path} is damaged (${(error as Error).message}); run again with --restart to rebuild the index`);
  }
  if (manifest?.version !== 1) throw new StateError(`${path} was written by another version of segment-braze; run again with --restart`);
  return manifest;
}

export function writeManifest(dir: string, manifest: Manifest): void {
  writeFileAtomic(join(dir, MANIFEST), `${JSON.stringify(manifest)}\n`);
}

/** Removes what the manifest does not name, and cuts the journal and file names back to its lengths. */
export function tidy(dir: string, manifest: Manifest): void {
  const named = new Set([MANIFEST, FILE_NAMES, manifest.journal, ...manifest.runs]);
  for (const name of readdirSync(dir)) if (!named.has(name)) rmSync(join(dir, name), { force: true });
  cut(join(dir, manifest.journal), manifest.journalBytes);
  cut(join(dir, FILE_NAMES), manifest.filesBytes);
}

/** Appends `data` at `position` of `file` (created if need be) and fsyncs it. */
export function appendDurably(file: string, data: Buffer, position: number): void {
  let fd: number;
  try {
    fd = openSync(file, existsSync(file) ? 'r+' : 'w', PRIVATE_FILE);
  } catch (error) {
    throw asDiskFull(error, file);
  }
  try {
    writeAll(file, fd, data, position);
    syncAll(file, fd);
  } finally {
    closeSync(fd);
  }
}

/** Calls `take` with each record of the journal's first `bytes` bytes, in the order written. */
export function readJournal(file: string, bytes: number, take: (buf: Buffer, at: number) => void): void {
  if (bytes === 0) return;
  const buf = readFileSync(file).subarray(0, bytes);
  if (buf.length < bytes) throw new StateError(`${file} is shorter than its manifest says; run again with --restart`);
  for (let at = 0; at < bytes; at += recordLength(buf, at)) take(buf, at);
}

/** The first `count` file names of the table. */
export function readFileNames(dir: string, count: number, bytes: number): string[] {
  if (count === 0) return [];
  const text = readFileSync(join(dir, FILE_NAMES)).subarray(0, bytes).toString('utf8');
  const names = text.split('\n').slice(0, count);
  if (names.length < count) throw new StateError(`${join(dir, FILE_NAMES)} holds fewer names than its manifest says; run again with --restart`);
  return names.map((line, i) => {
    try {
      return JSON.parse(line) as string;
    } catch {
      throw new StateError(`${join(dir, FILE_NAMES)} line ${i + 1} is damaged; run again with --restart to rebuild the index`);
    }
  });
}

/** Cuts `file` back to `bytes` when it is longer (left untouched otherwise). */
function cut(file: string, bytes: number): void {
  if (!existsSync(file) || statSync(file).size <= bytes) return;
  const fd = openSync(file, 'r+');
  try {
    ftruncateSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
}
