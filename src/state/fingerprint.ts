import { hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import type { InputFile } from '../input/types.js';

/** What identifies an input file's content without reading it whole. */
export interface Fingerprint {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** sha256 of the first and last 64 KiB; for an S3 object, `etag:` and its ETag. */
  readonly sample: string;
}

const sampleBytes = 64 * 1024;

/**
 * Where the samples are read: one buffer for every file, as every fingerprint is taken synchronously.
 * A buffer and a Hash object per file cost more than the read itself on an archive of 20,000 small files.
 */
let scratch: Buffer | undefined;

export function fingerprint(file: InputFile): Fingerprint {
  if (file.path === '-') return { path: '-', size: 0, mtimeMs: 0, sample: '' };
  // An S3 object is identified by its ETag and size (a rewritten object gets a new ETag), read from
  // the listing: nothing is fetched, so objects before the resume point are not read again.
  if (file.remote) return { path: file.path, size: file.size, mtimeMs: 0, sample: `etag:${file.remote.etag}` };
  return { path: file.path, size: file.size, mtimeMs: Math.trunc(file.mtimeMs), sample: sampleOf(file) };
}

/**
 * The sha256 of the sample, or why the file could not be read: it may be gone by the time the run
 * takes its fingerprint (input-fingerprints.ts); its read then reports the error at its line, and a
 * resume finds it changed if it is back.
 */
function sampleOf(file: InputFile): string {
  try {
    return hash('sha256', readSample(file), 'hex').slice(0, 32);
  } catch (error) {
    return `unreadable: ${(error as NodeJS.ErrnoException).code ?? 'error'}`;
  }
}

/** The file's first 64 KiB and, when it is larger, its last 64 KiB after them (as much as could be read). */
function readSample(file: InputFile): Buffer {
  const buffer = (scratch ??= Buffer.allocUnsafeSlow(2 * sampleBytes));
  const fd = openSync(file.path, 'r');
  try {
    let got = readSync(fd, buffer, 0, Math.min(sampleBytes, file.size), 0);
    if (file.size > sampleBytes) {
      const start = Math.max(sampleBytes, file.size - sampleBytes);
      got += readSync(fd, buffer, got, file.size - start, start);
    }
    return buffer.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** Why `now` differs from `then`, or undefined when the inputs are the same. */
export function inputChange(then: readonly Fingerprint[], now: readonly Fingerprint[]): string | undefined {
  if (then.length !== now.length) return `the run had ${then.length} input file(s), now there are ${now.length}`;
  for (let i = 0; i < then.length; i++) {
    const a = then[i]!;
    const b = now[i]!;
    if (a.path !== b.path) return `input #${i + 1} was ${a.path}, now it is ${b.path}`;
    if (a.size !== b.size) return `${a.path} changed size (${a.size} -> ${b.size} bytes)`;
    if (a.sample !== b.sample) return `${a.path} changed content${a.sample.startsWith('etag:') ? ' (its ETag differs)' : ''}`;
    if (a.mtimeMs !== b.mtimeMs) return `${a.path} was modified (mtime changed)`;
  }
  return undefined;
}
