import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NdjsonWriter } from '../../src/state/ndjson-writer.js';
import { tempDirs } from '../support/temp.js';

const newDir = tempDirs('ndjson-writer-');

function tempFile(): string {
  const dir = newDir();
  return join(dir, 'rejected.ndjson');
}

describe('NdjsonWriter', () => {
  it('creates the file and writes one line per entry on flush', () => {
    const file = tempFile();
    const writer = NdjsonWriter.open(file, 0);
    writer.write(['{"a":1}', '{"b":2}']);
    expect(writer.bytes).toBe(16);
    writer.flush();
    expect(readFileSync(file, 'utf8')).toBe('{"a":1}\n{"b":2}\n');
    writer.close();
  });

  it('counts bytes, not characters, for non-ASCII lines', () => {
    const file = tempFile();
    const writer = NdjsonWriter.open(file, 0);
    writer.write(['"é€"']);
    expect(writer.bytes).toBe(Buffer.byteLength('"é€"\n'));
    writer.close();
    expect(readFileSync(file, 'utf8')).toBe('"é€"\n');
  });

  it('truncates the file to the committed length on open and appends after it', () => {
    const file = tempFile();
    writeFileSync(file, 'kept\nafter the checkpoint\n');
    const writer = NdjsonWriter.open(file, 5);
    expect(writer.bytes).toBe(5);
    expect(readFileSync(file, 'utf8')).toBe('kept\n');
    writer.write(['next']);
    writer.close();
    expect(readFileSync(file, 'utf8')).toBe('kept\nnext\n');
  });

  it('empties an existing file for a fresh run', () => {
    const file = tempFile();
    writeFileSync(file, 'old\n');
    const writer = NdjsonWriter.open(file, 0);
    writer.close();
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('keeps a shorter file as it is when the committed length is larger', () => {
    const file = tempFile();
    writeFileSync(file, 'a\n');
    const writer = NdjsonWriter.open(file, 100);
    expect(writer.bytes).toBe(2);
    writer.write(['b']);
    writer.close();
    expect(readFileSync(file, 'utf8')).toBe('a\nb\n');
  });

  it('writes large batches in order across automatic drains', () => {
    const file = tempFile();
    const writer = NdjsonWriter.open(file, 0);
    const line = 'x'.repeat(1000);
    for (let i = 0; i < 3_000; i++) writer.write([`${i}${line}`]);
    writer.close();
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines).toHaveLength(3_001);
    expect(lines[2_999]!.startsWith('2999x')).toBe(true);
  });
});
