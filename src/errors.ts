/**
 * The tool's error classes. Each has a stable low-cardinality `code`; exit codes are assigned from
 * `exitCode` only in cli.ts. Messages never contain the API key (see config/secret.ts).
 */
export abstract class ToolError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: number;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad flag, bad option value, missing input, refused confirmation. Not retried; exit 2. */
export class UsageError extends ToolError {
  readonly code = 'usage';
  readonly exitCode = 2;
}

/** State directory cannot be resumed (changed inputs or settings, corrupt checkpoint). Exit 2. */
export class StateError extends ToolError {
  readonly code = 'state';
  readonly exitCode = 2;
}

/** The run cannot go on (401/403/404, retries exhausted, unreadable input). Checkpoint saved; exit 1. */
export class FatalRunError extends ToolError {
  readonly exitCode = 1;
  constructor(
    message: string,
    readonly code: string = 'fatal',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Another run holds the state directory's lock (state/access/state-lock.ts): a live process on this
 * machine, or one on another host without --take-over-lock. Raised before anything is read or sent.
 * Not retried; exit 2.
 */
export class StateLockedError extends ToolError {
  readonly code = 'locked';
  readonly exitCode = 2;
}

/**
 * The --mapping file cannot be used (mapping.md §10): unreadable, invalid JSON, an unknown key, a wrong
 * type or a rule Braze would refuse. The message names the file and the place. Not retried; exit 2,
 * before anything is read or sent.
 */
export class MappingFileError extends ToolError {
  readonly code = 'mapping';
  readonly exitCode = 2;
}

/** SIGINT/SIGTERM: the run stopped early with its checkpoint saved. Exit 130. */
export class InterruptedError extends ToolError {
  readonly code = 'interrupted';
  readonly exitCode = 130;
}

/**
 * An input cannot be read at all before anything is sent: an S3 listing refused (no credentials, access
 * denied, no such bucket) or empty. Not retried; exit 2.
 */
export class InputError extends ToolError {
  readonly code = 'input';
  readonly exitCode = 2;
}

/**
 * A write to the state directory failed because its file system is full (ENOSPC) or over quota
 * (EDQUOT): an ordinary event in a run of hours. Not retried: the run stops, saving the checkpoint if
 * it still fits (else the previous one, still valid, stays), and tells which directory to free; exit 1.
 */
export class DiskFullError extends ToolError {
  readonly code = 'disk-full';
  readonly exitCode = 1;
  constructor(
    /** The directory whose file system is full. */
    readonly dir: string,
    options?: { cause?: unknown },
  ) {
    super(`The disk holding ${dir} is full (no space left); free some space there`, options);
  }
}

/** Runs `save`; on a full disk returns the error instead of throwing it (the previous save stands). */
export function unlessDiskFull(save: () => void): DiskFullError | undefined {
  try {
    save();
    return undefined;
  } catch (error) {
    if (error instanceof DiskFullError) return error;
    throw error;
  }
}

/** --max-data-points: the run stopped before the request that would have gone past it. Checkpoint saved; exit 4. */
export class BudgetError extends ToolError {
  readonly code = 'budget';
  readonly exitCode = 4;
}
