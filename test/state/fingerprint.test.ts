import { createHash } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { InputFile } from '../../src/input/types.js';
import { fingerprint, inputChange, type Fingerprint } from '../../src/state/fingerprint.js';
import { tempDirs } from '../support/temp.js';

const newDir = tempDirs('fingerprint-');

function tempDir(): string {
  const dir = newDir();
  return dir;
}

function inputFile(path: string, mtimeMs?: number): InputFile {
  const stat = statSync(path);
  return { path, display: path, format: 'ndjson', gzip: false, size: stat.size, mtimeMs: mtimeMs ?? stat.mtimeMs };
}

describe('fingerprint', () => {
  it('is the same for the same file', () => {
    const path = join(tempDir(), 'a.ndjson');
    writeFileSync(path, '{"type":"track"}\n');
    expect(fingerprint(inputFile(path))).toEqual(fingerprint(inputFile(path)));
  });

  it('records path, size and whole-millisecond mtime', () => {
    const path = join(tempDir(), 'a.ndjson');
    writeFileSync(path, 'abc\n');
    const print = fingerprint(inputFile(path, 1234.9));
    expect(print).toMatchObject({ path, size: 4, mtimeMs: 1234 });
    expect(print.sample).toMatch(/^[0-9a-f]{32}$/);
  });

  it('changes its sample when content of the same size changes', () => {
    const path = join(tempDir(), 'a.ndjson');
    writeFileSync(path, 'aaaa\n');
    const before = fingerprint(inputFile(path, 1));
    writeFileSync(path, 'bbbb\n');
    const after = fingerprint(inputFile(path, 1));
    expect(after.size).toBe(before.size);
    expect(after.sample).not.toBe(before.sample);
  });

  it('samples the end of a file larger than 64 KiB', () => {
    const path = join(tempDir(), 'big.ndjson');
    const body = 'x'.repeat(200 * 1024);
    writeFileSync(path, body + 'A');
    const before = fingerprint(inputFile(path, 1));
    writeFileSync(path, body + 'B');
    const after = fingerprint(inputFile(path, 1));
    expect(after.sample).not.toBe(before.sample);
  });

  it('keeps its sample the sha256 of the first and last 64 KiB, so that a checkpoint written before still resumes', () => {
    const path = join(tempDir(), 'big.ndjson');
    const body = Buffer.from(Array.from({ length: 150 * 1024 }, (_, i) => (i * 7) % 251));
    writeFileSync(path, body);
    const expected = createHash('sha256').update(body.subarray(0, 64 * 1024)).update(body.subarray(body.length - 64 * 1024)).digest('hex').slice(0, 32);
    expect(fingerprint(inputFile(path)).sample).toBe(expected);
    const small = join(tempDir(), 'small.ndjson');
    writeFileSync(small, body.subarray(0, 1000));
    expect(fingerprint(inputFile(small)).sample).toBe(createHash('sha256').update(body.subarray(0, 1000)).digest('hex').slice(0, 32));
  });

  it('gives stdin an empty fingerprint', () => {
    const stdin: InputFile = { path: '-', display: 'stdin', format: undefined, gzip: false, size: 0, mtimeMs: 0 };
    expect(fingerprint(stdin)).toEqual({ path: '-', size: 0, mtimeMs: 0, sample: '' });
  });
});

describe('inputChange', () => {
  const a: Fingerprint = { path: '/in/a.ndjson', size: 10, mtimeMs: 100, sample: 's1' };
  const b: Fingerprint = { path: '/in/b.ndjson', size: 20, mtimeMs: 200, sample: 's2' };

  it('finds no change in identical inputs', () => {
    expect(inputChange([a, b], [{ ...a }, { ...b }])).toBeUndefined();
  });

  it('says when the number of files changed', () => {
    expect(inputChange([a, b], [a])).toBe('the run had 2 input file(s), now there are 1');
  });

  it('says which input was replaced by another path', () => {
    expect(inputChange([a, b], [a, { ...b, path: '/in/c.ndjson' }])).toBe('input #2 was /in/b.ndjson, now it is /in/c.ndjson');
  });

  it('says when a file changed size', () => {
    expect(inputChange([a], [{ ...a, size: 11 }])).toBe('/in/a.ndjson changed size (10 -> 11 bytes)');
  });

  it('says when a file changed content', () => {
    expect(inputChange([a], [{ ...a, sample: 'other' }])).toBe('/in/a.ndjson changed content');
  });

  it('says when only the modification time changed', () => {
    expect(inputChange([a], [{ ...a, mtimeMs: 101 }])).toBe('/in/a.ndjson was modified (mtime changed)');
  });
});

describe('fingerprint of an S3 object', () => {
  const object = (etag: string, size: number) => ({
    path: 's3://logs/a/0001.gz',
    display: 's3://logs/a/0001.gz',
    format: undefined,
    gzip: true,
    size,
    mtimeMs: 1_700_000_000_000,
    remote: {
      etag,
      bytes: () => {
        throw new Error('a fingerprint must not read the object');
      },
    },
  });

  it('is its ETag and size, read from the listing (nothing fetched)', () => {
    expect(fingerprint(object('"abc"', 10))).toEqual({ path: 's3://logs/a/0001.gz', size: 10, mtimeMs: 0, sample: 'etag:"abc"' });
  });

  it('refuses a rewritten object of the same size by its ETag', () => {
    expect(inputChange([fingerprint(object('"abc"', 10))], [fingerprint(object('"def"', 10))])).toBe('s3://logs/a/0001.gz changed content (its ETag differs)');
    expect(inputChange([fingerprint(object('"abc"', 10))], [fingerprint(object('"abc"', 10))])).toBeUndefined();
  });
});
