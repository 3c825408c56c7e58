import { closeSync, constants, existsSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { StateError } from '../../errors.js';
import { writeFileAtomic } from '../atomic-file.js';
import { asDiskFull, syncAll, writeAll } from '../disk-write.js';
import { PRIVATE_FILE } from '../access/modes.js';

/**
 * What the identity index's directory holds (store.ts): `manifest.json` names the sorted runs, in
 * archive order, and is replaced atomically (tmp + fsync + rename) after the files it names are
 * fsynced; `files.ndjson` holds the file names of the links' sources, appended, and the manifest
 * says how much of it counts. What a crash left beyond that (a run not yet named, a merge's
 * unfinished output, a torn append) is removed or written over by the next writable open.
 */
export interface Manifest {
  /** 2: runs of whole-unit blocks, no journal (1 was the index with a journal). */
  readonly version: 2;
  /** How many links and identifies (the index's mark) the runs hold at least. */
  readonly accepted: number;
  /** The sorted run files, oldest first. */
  readonly runs: readonly string[];
  /** The number of the next run (file names are never reused). */
  readonly nextRun: number;
  /** The runs are merged into one: the index pass is over. */
  readonly sealed: boolean;
  /** How many file names `files.ndjson` holds, in how many bytes. */
  readonly files: number;
  readonly filesBytes: number;
}

const MANIFEST = 'manifest.json';
const FILE_NAMES = 'files.ndjson';
const RUN_NAME = /^run-\d+\.idx$/;

export const EMPTY: Manifest = { version: 2, accepted: 0, runs: [], nextRun: 1, sealed: false, files: 0, filesBytes: 0 };

export function readManifest(dir: string): Manifest | undefined {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) return undefined;
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch (error) {
    throw damaged(path, `is damaged (${(error as Error).message})`);
  }
  if (typeof manifest !== 'object' || manifest === null) throw damaged(path, 'is damaged (not an object)');
  if (manifest.version !== 2) throw new StateError(`${path} was written by another version of segment-braze; run again with --restart`);
  if (!wellFormed(manifest)) throw damaged(path, 'is damaged (a field is missing or not what it should be)');
  return manifest;
}

export function writeManifest(dir: string, manifest: Manifest): void {
  writeFileAtomic(join(dir, MANIFEST), `${JSON.stringify(manifest)}\n`);
}

/** Removes what the manifest does not name. */
export function tidy(dir: string, manifest: Manifest): void {
  const named = new Set([MANIFEST, FILE_NAMES, ...manifest.runs]);
  for (const name of readdirSync(dir)) if (!named.has(name)) rmSync(join(dir, name), { force: true });
}

/** The file names the manifest counts. */
export function readFileNames(dir: string, manifest: Manifest): string[] {
  if (manifest.files === 0) return [];
  const path = join(dir, FILE_NAMES);
  const text = existsSync(path) ? readFileSync(path).subarray(0, manifest.filesBytes).toString('utf8') : '';
  const lines = text.split('\n').slice(0, manifest.files);
  if (lines.length < manifest.files) throw damaged(path, 'holds fewer names than its manifest says');
  return lines.map((line, i) => {
    try {
      const name: unknown = JSON.parse(line);
      if (typeof name === 'string') return name;
    } catch {
      // Reported below, with the line.
    }
    throw damaged(path, `line ${i + 1} is damaged`);
  });
}

/** Appends `names` to the table where the manifest says it ends (over what a crash left there), durably. */
export function appendFileNames(dir: string, manifest: Manifest, names: readonly string[]): Pick<Manifest, 'files' | 'filesBytes'> {
  const { files, filesBytes } = manifest;
  if (names.length === 0) return { files, filesBytes };
  const path = join(dir, FILE_NAMES);
  const text = Buffer.from(names.map((name) => `${JSON.stringify(name)}\n`).join(''), 'utf8');
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDWR | constants.O_CREAT, PRIVATE_FILE);
  } catch (error) {
    throw asDiskFull(error, path);
  }
  try {
    writeAll(path, fd, text, filesBytes);
    syncAll(path, fd);
  } finally {
    closeSync(fd);
  }
  return { files: files + names.length, filesBytes: filesBytes + text.length };
}

function wellFormed(m: Manifest): boolean {
  const counts = [m.accepted, m.nextRun, m.files, m.filesBytes];
  if (!counts.every((n) => Number.isSafeInteger(n) && n >= 0) || typeof m.sealed !== 'boolean') return false;
  return Array.isArray(m.runs) && m.runs.every((name) => typeof name === 'string' && RUN_NAME.test(name));
}

/** A damaged file stops the run with its name; rebuilding the index is the way out. */
function damaged(path: string, what: string): StateError {
  return new StateError(`${path} ${what}; run again with --restart to rebuild the index`);
}
