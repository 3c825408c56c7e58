import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { StateLockedError } from '../../errors.js';
import { asDiskFull } from '../disk-write.js';
import { describeHolder, holderState, localProcesses, parseHolder, type Holder, type ProcessTable } from './holder.js';
import { makePrivateDir, PRIVATE_FILE } from './modes.js';

/**
 * One process at a time per state directory (cli.md "State, checkpoint and resume"): the file `lock`
 * in it names the holder (holder.ts). It appears whole or not at all: the record is written to a file
 * of its own, then hard-linked to `lock`, which fails if `lock` exists (atomic on local and network
 * file systems alike; the NFS-safe recipe of open(2)). Nothing refreshes it: a holder is judged by
 * its pid, not by a heartbeat, so a run whose thread is busy never loses its lock, and one that died
 * on this machine is taken over at once. A holder on another machine cannot be checked: only
 * --take-over-lock takes its lock. docs/state-lock.md says why this is not proper-lockfile.
 */

/** The lock file's name in the state directory (--restart keeps it). */
export const LOCK_FILE = 'lock';

/** Whose lock a run takes, and how. */
export interface LockOptions {
  /** The command line, shown to a second run. */
  readonly command: string;
  readonly now: Date;
  /** --take-over-lock: take a lock held on another host, which cannot be checked. @default false */
  readonly takeOver: boolean;
  /**
   * Registers the release to run when a signal no handler takes ends the process (Ctrl-C at a
   * delete's confirmation, before a run's own handler is set up); returns its remover.
   */
  readonly atSignalDeath?: (release: () => void) => () => void;
  /** @default this machine's (tests give their own) */
  readonly table?: ProcessTable;
  /** @default process.pid */
  readonly pid?: number;
}

/** Attempts at taking a lock that keeps changing hands under us before giving up. */
const ATTEMPTS = 5;

export class StateLock {
  #released = false;
  readonly #onExit = (): void => this.release();
  readonly #offSignal: () => void;

  private constructor(
    readonly file: string,
    readonly holder: Holder,
    atSignalDeath: LockOptions['atSignalDeath'],
  ) {
    // A second Ctrl-C ends the process with process.exit(): no finally runs, this does.
    process.on('exit', this.#onExit);
    this.#offSignal = atSignalDeath?.(this.#onExit) ?? (() => undefined);
  }

  /**
   * Creates the state directory (0700) and takes its lock. Throws StateLockedError when a live
   * process holds it, or one on another host without `takeOver`; `warn` hears of a lock taken over
   * and of a directory others can read.
   */
  static take(dir: string, options: LockOptions, warn: (message: string) => void): StateLock {
    const shared = makePrivateDir(dir);
    if (shared) warn(shared);
    const table = options.table ?? localProcesses(hostname());
    const pid = options.pid ?? process.pid;
    const holder: Holder = { pid, host: table.host, command: options.command, since: options.now.toISOString(), boot: table.boot, started: table.startOf(pid), nonce: randomBytes(8).toString('hex') };
    const file = join(dir, LOCK_FILE);
    const mine = `${file}.${holder.nonce}`;
    writePrivate(mine, JSON.stringify(holder) + '\n');
    try {
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        if (place(mine, file)) return new StateLock(file, holder, options.atSignalDeath);
        const text = readOrUndefined(file);
        if (text === undefined) continue;
        const other = parseHolder(text);
        const state = other ? holderState(other, table, pid) : 'dead';
        if (state === 'alive') throw new StateLockedError(`The state directory ${dir} is in use by another run: ${describeHolder(other!)}. Wait for it to end, or stop it; two runs on one state directory would send the same records twice`);
        if (state === 'unknown' && !options.takeOver) {
          throw new StateLockedError(
            `The state directory ${dir} is locked by a run on another host: ${describeHolder(other!)}. This machine cannot tell whether it still runs. ` +
              'If it does not (its machine stopped), run the same command with --take-over-lock',
          );
        }
        if (removeIfStill(file, text, `${mine}.stale`)) warn(takeOverMessage(dir, other, state));
      }
    } finally {
      rmSync(mine, { force: true });
    }
    throw new StateLockedError(`The state directory ${dir}: its lock kept changing hands while this run tried to take it; another run is starting on it`);
  }

  /** Whether the lock file still names this process (false once --take-over-lock took it from another host). */
  get held(): boolean {
    return !this.#released && parseHolder(readOrUndefined(this.file) ?? '')?.nonce === this.holder.nonce;
  }

  /** Removes the lock file if it is still this process's. Idempotent; called on every way out. */
  release(): void {
    if (this.#released) return;
    process.off('exit', this.#onExit);
    this.#offSignal();
    if (this.held) rmSync(this.file, { force: true });
    this.#released = true;
  }
}

/** Takes the lock for the duration of `work`, and releases it however `work` ends. */
export async function holding<R>(dir: string, options: LockOptions, warn: (message: string) => void, work: () => Promise<R>): Promise<R> {
  const lock = StateLock.take(dir, options, warn);
  try {
    return await work();
  } finally {
    lock.release();
  }
}

function takeOverMessage(dir: string, other: Holder | undefined, state: 'dead' | 'unknown'): string {
  if (!other) return `Took over the lock of ${dir}: its lock file was unreadable (left by a crash).`;
  if (state === 'unknown') return `Took over the lock of ${dir} from ${describeHolder(other)} (--take-over-lock).`;
  return `Took over the lock of ${dir} from ${describeHolder(other)}: that process is no longer running.`;
}

/** Links `mine` as `file`; false when `file` exists. */
function place(mine: string, file: string): boolean {
  try {
    linkSync(mine, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // File systems without hard links (some FUSE and SMB mounts): exclusive create, then the record.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') return createExclusive(file, readFileSync(mine, 'utf8'));
    throw error;
  }
}

function createExclusive(file: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', PRIVATE_FILE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Removes the stale lock `file` if it still holds `text`. Two runs may judge the same dead lock at
 * once: each moves it aside under a name of its own (a rename is atomic; only one finds it), and if
 * what it moved is not the stale lock but the winner's fresh one, puts that back.
 */
function removeIfStill(file: string, text: string, aside: string): boolean {
  try {
    renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const moved = readOrUndefined(aside);
  if (moved !== text) {
    try {
      linkSync(aside, file);
    } catch {
      // A third run has placed its lock meanwhile: it holds the directory; the next attempt says so.
    }
  }
  rmSync(aside, { force: true });
  return moved === text;
}

/** Writes the holder record; a full disk becomes a DiskFullError naming the state directory. */
function writePrivate(file: string, text: string): void {
  try {
    const fd = openSync(file, 'w', PRIVATE_FILE);
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    rmSync(file, { force: true });
    throw asDiskFull(error, file);
  }
}

function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
