import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateError } from '../errors.js';
import { writeFileAtomic } from './atomic-file.js';
import type { Fingerprint } from './fingerprint.js';
import type { InputsDigest } from './input-list.js';
import { DEDUP } from './dedup/id-journal.js';
import type { Marks } from './run-memory.js';

/**
 * Where a resumed run starts: files before `fileIndex` are done; in that file, records up to `line`
 * (ending at byte `offset`) are done; of the next record, the first `skipItems` objects were already
 * acknowledged (a record's objects may span two requests), `skipRejected` if one of them was refused.
 */
export interface Cursor {
  readonly fileIndex: number;
  readonly line: number;
  readonly offset: number;
  readonly skipItems: number;
  readonly skipRejected: boolean;
}

export const START: Cursor = { fileIndex: 0, line: 0, offset: 0, skipItems: 0, skipRejected: false };

/** checkpoint.json. Everything in it describes acknowledged work only (style.md habit 5). */
export interface Checkpoint {
  readonly version: 2;
  readonly command: 'replay' | 'delete';
  readonly dryRun: boolean;
  readonly settingsHash: string;
  /** --mapping: the sha256 of the mapping file the run started with (absent without one). */
  readonly mappingSha256?: string;
  /**
   * The input files: their count and the hash of their fingerprints, listed in inputs.ndjson
   * (input-list.ts); a checkpoint from an earlier version holds the list itself.
   */
  readonly inputs: InputsDigest | readonly Fingerprint[];
  readonly cursor: Cursor;
  /**
   * 'index': the run is in the identity index pass of --stitch, and `cursor` is that pass's (no
   * request was sent yet). Absent: the replay pass (the index, if any, is complete and reused).
   */
  readonly pass?: 'index';
  /** Sequence number of the next request to build (requests are numbered from 1). */
  readonly nextRequest: number;
  /**
   * The marks of the run's memories (run-memory.ts) at the cursor, by name: `dedup` is the
   * de-duplication journal's ({ count }: hashes in ids.bin that belong to records before the cursor).
   */
  readonly memory: Marks;
  /** Committed lengths of rejected.ndjson and requests.ndjson. */
  readonly rejectedBytes: number;
  readonly requestsBytes: number;
  /** Report counters over all processes that worked on this run. */
  readonly counts: Readonly<Record<string, number>>;
  readonly complete: boolean;
  readonly startedAt: string;
  readonly updatedAt: string;
}

export const CHECKPOINT_FILE = 'checkpoint.json';

/** Loads checkpoint.json from a state directory; undefined when there is none. */
export function loadCheckpoint(dir: string): Checkpoint | undefined {
  const file = join(dir, CHECKPOINT_FILE);
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new StateError(`${file} is not valid JSON (${(error as Error).message}); use --restart to start over`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new StateError(`${file} has an unknown format; use --restart to start over`);
  const version = (parsed as { version?: unknown }).version;
  if (version === 1) return fromVersion1(parsed as CheckpointV1);
  if (version !== 2) throw new StateError(`${file} has an unknown format (version ${String(version)}); use --restart to start over`);
  return parsed as Checkpoint;
}

/** Version 1 stored the journal's count as `ids`, where version 2 has the marks of every memory. */
type CheckpointV1 = Omit<Checkpoint, 'version' | 'memory'> & { readonly version: 1; readonly ids: number };

/**
 * A version-1 checkpoint (before run memories) resumes as it would have: its `ids` count is the
 * de-duplication journal's mark, which was its only memory.
 */
function fromVersion1(old: CheckpointV1): Checkpoint {
  const { ids, version: _version, ...rest } = old;
  return { ...rest, version: 2, memory: { [DEDUP]: { count: ids } } };
}

/** Saves atomically (tmp, fsync, rename). */
export function saveCheckpoint(dir: string, checkpoint: Checkpoint): void {
  writeFileAtomic(join(dir, CHECKPOINT_FILE), JSON.stringify(checkpoint, null, 2) + '\n');
}
