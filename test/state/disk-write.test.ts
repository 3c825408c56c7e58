import { closeSync, existsSync, openSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiskFullError } from '../../src/errors.js';
import { writeFileAtomic } from '../../src/state/atomic-file.js';
import { appendText, writeAll } from '../../src/state/disk-write.js';
import { tempDirs } from '../support/temp.js';

const newDir = tempDirs('disk-write-');

// /dev/full answers every write with ENOSPC: a full disk without root, a mount or a large file.
describe('writes on a full disk', () => {
  it('writes everything when there is room', () => {
    const file = join(newDir(), 'a.bin');
    const fd = openSync(file, 'w');
    writeAll(file, fd, 'héllo ');
    writeAll(file, fd, Buffer.from('world'));
    writeAll(file, fd, 'H', 0);
    closeSync(fd);
    expect(readFileSync(file, 'utf8')).toBe('Héllo world');
  });

  it('turns ENOSPC into a DiskFullError naming the directory', () => {
    const fd = openSync('/dev/full', 'w');
    try {
      expect(() => writeAll('/state/dir/ids.bin', fd, 'x')).toThrow(DiskFullError);
      let caught: unknown;
      try {
        writeAll('/state/dir/ids.bin', fd, 'x', 8);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(DiskFullError);
      expect((caught as DiskFullError).dir).toBe('/state/dir');
      expect((caught as DiskFullError).exitCode).toBe(1);
      expect((caught as Error).message).toMatch(/The disk holding \/state\/dir is full/);
    } finally {
      closeSync(fd);
    }
    expect(() => appendText('/dev/full', 'x')).toThrow(DiskFullError);
  });

  it('keeps the old content of an atomically written file and removes the temporary file', () => {
    const dir = newDir();
    const file = join(dir, 'checkpoint.json');
    writeFileSync(file, '{"old":true}\n');
    symlinkSync('/dev/full', `${file}.tmp`);
    expect(() => writeFileAtomic(file, '{"new":true}\n')).toThrow(DiskFullError);
    expect(readFileSync(file, 'utf8')).toBe('{"old":true}\n');
    expect(existsSync(`${file}.tmp`)).toBe(false);
    writeFileAtomic(file, '{"new":true}\n');
    expect(readFileSync(file, 'utf8')).toBe('{"new":true}\n');
  });

  it('leaves other write errors as they are', () => {
    const file = join(newDir(), 'r.bin');
    writeFileSync(file, '');
    const fd = openSync(file, 'r');
    try {
      expect(() => writeAll(file, fd, 'x')).toThrow(expect.objectContaining({ code: 'EBADF' }));
    } finally {
      closeSync(fd);
    }
  });
});
