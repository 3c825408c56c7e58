import { appendFileSync, fsyncSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { DiskFullError } from '../errors.js';
import { PRIVATE_FILE } from './access/modes.js';

/**
 * Writes `data` whole, at `position` (or appending when undefined). writeSync() makes one write(2),
 * which on a filling disk may write part of the data and report success; the rest is written in a
 * loop, and the ENOSPC (or EDQUOT) that the next write(2) then gives becomes a DiskFullError naming
 * the directory of `file`. A failed write may leave part of `data` on disk: callers write at
 * explicit positions (or records the checkpoint does not count), so writing again is safe.
 */
export function writeAll(file: string, fd: number, data: string | Uint8Array, position?: number): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let done = 0;
  try {
    while (done < bytes.length) {
      const n = writeSync(fd, bytes, done, bytes.length - done, position === undefined ? null : position + done);
      if (n === 0) throw Object.assign(new Error('write(2) wrote nothing'), { code: 'ENOSPC' });
      done += n;
    }
  } catch (error) {
    throw asDiskFull(error, file);
  }
}

/** fsync(2), whose ENOSPC (some file systems report it only here) becomes a DiskFullError. */
export function syncAll(file: string, fd: number): void {
  try {
    fsyncSync(fd);
  } catch (error) {
    throw asDiskFull(error, file);
  }
}

/** ENOSPC and EDQUOT become a DiskFullError for the directory of `file`; other errors stay. */
export function asDiskFull(error: unknown, file: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' ? new DiskFullError(dirname(file), { cause: error }) : error;
}

/** Appends `text` to `file` (created if need be); a full disk becomes a DiskFullError. */
export function appendText(file: string, text: string): void {
  try {
    appendFileSync(file, text, { mode: PRIVATE_FILE });
  } catch (error) {
    throw asDiskFull(error, file);
  }
}
