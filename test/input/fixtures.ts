import { existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { forEachItem } from '../../src/input/batch-items.js';
import type { BatchLimits, LineBatch } from '../../src/input/line-batches.js';
import { readInput, type InputRead } from '../../src/input/read.js';
import type { InputFile, InputFormat, InputItem, ReadStart } from '../../src/input/types.js';
import { readWholeFile } from '../../src/input/whole-file.js';

/** The batch limits of the planning pool (pipeline/planning/plan-pool.ts), but for the line count. */
export const LIMITS: BatchLimits = { lines: 1000, bytes: 4 << 20, quietMs: 20 };

/**
 * Reads one input the way a replay does (readInput, read.ts), on this thread: a small file offered
 * whole is read as a planning worker reads it (readWholeFile), and read on from what it hands back;
 * each batch of records is parsed as a worker parses it (forEachItem), and a batch that ends the
 * input ends the read, as the planning pool stops there. One array per batch (a file read whole is one
 * batch).
 */
export function readItems(
  file: InputFile,
  options: { start?: ReadStart; format?: InputFormat; stdin?: NodeJS.ReadableStream; limits?: BatchLimits } = {},
): AsyncGenerator<InputItem[]> {
  return itemsOfReads(readInput(file, options.start, { format: options.format, stdin: options.stdin, limits: options.limits ?? LIMITS }));
}

async function* itemsOfReads(reads: AsyncIterable<InputRead>): AsyncGenerator<InputItem[], boolean> {
  for await (const read of reads) {
    switch (read.kind) {
      case 'whole': {
        const whole = readWholeFile(read.whole);
        if (whole.kind === 'batch') yield itemsOfBatch(whole.batch);
        else if (yield* itemsOfReads(read.readOn(whole.head))) return true;
        break;
      }
      case 'batch': {
        const items: InputItem[] = [];
        const ends = forEachItem(read.batch, (item) => items.push(item));
        yield items;
        if (ends) return true;
        break;
      }
      case 'failure':
        yield [read.item];
        break;
    }
  }
  return false;
}

/** A batch's records, parsed as a planning worker parses them. */
export function itemsOfBatch(batch: LineBatch): InputItem[] {
  const items: InputItem[] = [];
  forEachItem(batch, (item) => items.push(item));
  return items;
}

/** A fresh temporary directory. */
export function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'segment-braze-input-'));
}

/** Writes a file (creating folders); gzips it when the name ends in .gz. Returns its absolute path. */
export function writeFixture(dir: string, name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  writeFileSync(file, name.endsWith('.gz') ? gzipSync(bytes) : bytes);
  return file;
}

/** An InputFile for a path, as discover would describe it: its size (0 for a file that is not there); mtime unused by readers. */
export function inputFile(file: string, format?: InputFormat): InputFile {
  const size = existsSync(file) ? statSync(file).size : 0;
  return { path: file, display: path.basename(file), format, gzip: file.endsWith('.gz'), size, mtimeMs: 0 };
}

/** The stdin InputFile. */
export const STDIN: InputFile = { path: '-', display: 'stdin', format: undefined, gzip: false, size: 0, mtimeMs: 0 };

/** A stdin stand-in that delivers the bytes in the given pieces. */
export function stdinOf(...pieces: Array<string | Buffer>): Readable {
  return Readable.from(pieces.map((piece) => (typeof piece === 'string' ? Buffer.from(piece) : piece)));
}

/** Collects every chunk of an async iterable of arrays. */
export async function collect<T>(chunks: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const chunk of chunks) all.push(...chunk);
  return all;
}

/** NDJSON text of n track messages, one per line. */
export function ndjsonLines(n: number): string {
  return Array.from({ length: n }, (_, i) => JSON.stringify({ type: 'track', userId: `u${i + 1}`, event: 'E' })).join('\n') + '\n';
}
