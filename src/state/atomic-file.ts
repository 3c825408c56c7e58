import { closeSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { asDiskFull, syncAll, writeAll } from './disk-write.js';
import { PRIVATE_FILE } from './access/modes.js';

/**
 * Writes a file so that a crash leaves either the old or the new content, never a torn one:
 * write a temporary file, fsync it, rename it over the target, fsync the directory. On a full disk
 * (DiskFullError) the target keeps its old content and the temporary file is removed, so that the
 * space it took is free again.
 */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  try {
    const fd = openSync(tmp, 'w', PRIVATE_FILE);
    try {
      writeAll(tmp, fd, text);
      syncAll(tmp, fd);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    rmSync(tmp, { force: true });
    throw asDiskFull(error, tmp);
  }
  renameSync(tmp, file);
  try {
    const dir = openSync(dirname(file), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch {
    // Some file systems cannot fsync a directory; the rename is still atomic there.
  }
}
