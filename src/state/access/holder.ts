import { readFileSync } from 'node:fs';

/**
 * Who holds a state directory's lock (state-lock.ts): enough to tell a user which process it is, and
 * for a later process on the same machine to tell whether it is still alive.
 */
export interface Holder {
  readonly pid: number;
  readonly host: string;
  /** The command line, for the user to recognise it (the API key never appears in one). */
  readonly command: string;
  /** ISO time the lock was taken. */
  readonly since: string;
  /** Linux: the boot the holder ran in; another one means the machine restarted since. */
  readonly boot?: string;
  /** Linux: the holder's start time (clock ticks since boot), so that a reused pid is not taken for it. */
  readonly started?: number;
  /** Random: tells this holder's lock file from any other, also one of the same pid. */
  readonly nonce: string;
}

/** What this machine's kernel says about processes, read from /proc where there is one. */
export interface ProcessTable {
  readonly host: string;
  readonly boot: string | undefined;
  /** The start time of `pid`, or undefined when it cannot be read (no /proc, or no such process). */
  startOf(pid: number): number | undefined;
  /** True when a process `pid` exists (signal 0; EPERM: it exists but belongs to another user). */
  exists(pid: number): boolean;
}

/** The lock's holder as stated in its file; undefined when the text is not a holder record. */
export function parseHolder(text: string): Holder | undefined {
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string' || typeof value.nonce !== 'string') return undefined;
    return { command: '', since: '', ...value } as Holder;
  } catch {
    return undefined;
  }
}

/** "pid 123 on host build-7, running `segment-braze replay …`, since 2025-…Z" */
export function describeHolder(holder: Holder): string {
  const command = holder.command ? `, running \`${holder.command}\`` : '';
  const since = holder.since ? `, since ${holder.since}` : '';
  return `pid ${holder.pid} on host ${holder.host}${command}${since}`;
}

/**
 * Whether a holder is alive: 'dead' when this machine can tell it is gone (same host, and its pid
 * no longer runs, or runs another process, or the machine restarted), 'alive' when its pid runs it,
 * 'unknown' on another host (a state directory on a shared disk), which cannot be checked.
 */
export function holderState(holder: Holder, table: ProcessTable, self: number): 'alive' | 'dead' | 'unknown' {
  if (holder.host !== table.host) return 'unknown';
  if (holder.boot !== undefined && table.boot !== undefined && holder.boot !== table.boot) return 'dead';
  // This process does not hold the lock yet: a lock naming its pid was left by an earlier process (a container's pid 1).
  if (holder.pid === self || !table.exists(holder.pid)) return 'dead';
  if (holder.started === undefined) return 'alive';
  const started = table.startOf(holder.pid);
  return started === undefined || started === holder.started ? 'alive' : 'dead';
}

/** The process table of the machine this runs on. */
export function localProcesses(host: string): ProcessTable {
  return { host, boot: readText('/proc/sys/kernel/random/boot_id'), startOf, exists };
}

function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Field 22 of /proc/<pid>/stat; the command name (field 2) is in parentheses and may hold spaces. */
function startOf(pid: number): number | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const started = Number(fields[19]);
  return Number.isFinite(started) ? started : undefined;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}
