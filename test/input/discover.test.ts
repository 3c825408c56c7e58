import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../src/errors.js';
import { discoverInputs } from '../../src/input/discover.js';
import { tempDir, writeFixture } from './fixtures.js';

function tree(): string {
  const cwd = tempDir();
  writeFixture(cwd, 'samples/b/2.ndjson', '{}\n');
  writeFixture(cwd, 'samples/a.csv', 'userId\nu1\n');
  writeFixture(cwd, 'samples/a/1.json.gz', '[]');
  writeFixture(cwd, 'samples/segment-logs/src1/1700000000000/1700000000000.f4a5ee2d4f55.gz', '{}\n');
  writeFixture(cwd, 'samples/x/dummy-object.txt', 'nope');
  writeFixture(cwd, 'samples/x/.DS_Store', 'junk');
  writeFixture(cwd, 'samples/.git/config', 'junk');
  writeFixture(cwd, 'samples/c.JSONL', '{}\n');
  return cwd;
}

describe('discoverInputs', () => {
  it('names a broken symbolic link in a directory as an input error (exit 2), not an internal one', async () => {
    const cwd = tree();
    symlinkSync(path.join(cwd, 'gone.ndjson'), path.join(cwd, 'samples/b/3.ndjson'));
    const found = discoverInputs(['samples'], { cwd });
    await expect(found).rejects.toThrow(InputError);
    await expect(found).rejects.toThrow('Cannot read input samples/b/3.ndjson: it does not exist (a broken symbolic link?)');
  });

  it('lists a directory recursively in lexical order of the full path, warning about skipped files', async () => {
    const cwd = tree();
    const found = await discoverInputs(['samples'], { cwd });
    expect(found.files.map((f) => [f.display, f.format, f.gzip])).toEqual([
      ['samples/a.csv', 'csv', false],
      ['samples/a/1.json.gz', 'json', true],
      ['samples/b/2.ndjson', 'ndjson', false],
      ['samples/c.JSONL', 'ndjson', false],
      ['samples/segment-logs/src1/1700000000000/1700000000000.f4a5ee2d4f55.gz', undefined, true],
    ]);
    expect(found.warnings).toEqual([
      'Skipping samples/.git: hidden directory',
      'Skipping samples/x/.DS_Store: not a .ndjson, .jsonl, .json or .csv file (optionally .gz)',
      'Skipping samples/x/dummy-object.txt: not a .ndjson, .jsonl, .json or .csv file (optionally .gz)',
    ]);
  });

  it('gives absolute paths, sizes and mtimes', async () => {
    const cwd = tree();
    const [file] = (await discoverInputs(['samples/a.csv'], { cwd })).files;
    expect(file).toMatchObject({ path: path.join(cwd, 'samples/a.csv'), display: 'samples/a.csv', size: 10 });
    expect(file!.mtimeMs).toBeGreaterThan(0);
  });

  it('keeps an explicitly named file whatever its extension, to be sniffed', async () => {
    const cwd = tree();
    const found = await discoverInputs(['samples/x/dummy-object.txt'], { cwd });
    expect(found.files.map((f) => [f.display, f.format])).toEqual([['samples/x/dummy-object.txt', undefined]]);
    expect(found.warnings).toEqual([]);
  });

  it('accepts .txt files in directories for ID lists', async () => {
    const cwd = tree();
    const found = await discoverInputs(['samples/x'], { cwd, kind: 'ids' });
    expect(found.files.map((f) => f.display)).toEqual(['samples/x/dummy-object.txt']);
  });

  it('expands globs relative to cwd, sorted', async () => {
    const cwd = tree();
    const found = await discoverInputs(['samples/**/*.{ndjson,csv}'], { cwd });
    expect(found.files.map((f) => f.display)).toEqual(['samples/a.csv', 'samples/b/2.ndjson']);
  });

  it('rejects a directory that holds no input file, with the reason each file was passed over', async () => {
    const cwd = tempDir();
    writeFixture(cwd, 'logs/dummy-object.txt', 'validation\n');
    const error = await discoverInputs(['logs'], { cwd }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      'No input files found in logs\n  Skipping logs/dummy-object.txt: not a .ndjson, .jsonl, .json or .csv file (optionally .gz)',
    );
  });

  it('rejects a glob without matches and a missing path', async () => {
    const cwd = tree();
    await expect(discoverInputs(['nothing/*.ndjson'], { cwd })).rejects.toThrow(new UsageError('No files match nothing/*.ndjson'));
    await expect(discoverInputs(['missing.ndjson'], { cwd })).rejects.toThrow(new UsageError('Input not found: missing.ndjson'));
    await expect(discoverInputs(['missing.ndjson'], { cwd })).rejects.toBeInstanceOf(UsageError);
  });

  it('lists the same file once and stdin as "-"', async () => {
    const cwd = tree();
    const found = await discoverInputs(['samples/a.csv', '-', path.join(cwd, 'samples/a.csv'), 'samples/b', '-'], { cwd, format: 'csv' });
    expect(found.files.map((f) => [f.path === '-' ? '-' : f.display, f.format, f.size])).toEqual([
      ['samples/a.csv', 'csv', 10],
      ['-', 'csv', 0],
      ['samples/b/2.ndjson', 'csv', 3],
    ]);
    expect(found.files[1]!.display).toBe('stdin');
  });
});
