import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { forEachLine, lineBatches, type BatchLimits } from '../../src/input/line-batches.js';
import { parseLine } from '../../src/input/ndjson.js';
import { openInput } from '../../src/input/open.js';
import { isParsed, itemsOf } from '../../src/input/read.js';
import type { InputFile, InputFormat, InputItem, ReadStart } from '../../src/input/types.js';

/** The batch limits of the planning pool (pipeline/planning/plan-pool.ts), but for the line count. */
export const LIMITS: BatchLimits = { lines: 1000, bytes: 4 << 20, quietMs: 20 };

/**
 * Reads one input the way a replay does: NDJSON through the read loop (line-batches.ts) with each
 * line parsed as a planning worker parses it; JSON arrays and CSV through itemsOf. One array per
 * batch of lines.
 */
export async function* readItems(
  file: InputFile,
  options: { start?: ReadStart; format?: InputFormat; stdin?: NodeJS.ReadableStream; limits?: BatchLimits } = {},
): AsyncGenerator<InputItem[]> {
  const opened = await openInput(file, { format: options.format, offset: options.start?.offset, stdin: options.stdin });
  if (isParsed(opened)) {
    yield* itemsOf(opened, file.display, options.start);
    return;
  }
  for await (const read of lineBatches(opened, file.display, options.start, options.limits ?? LIMITS)) {
    if (read.kind === 'failure') yield [read.item];
    if (read.kind !== 'batch') continue;
    const items: InputItem[] = [];
    forEachLine(read.batch, (text, line, end, invalidUtf8) => {
      const item = parseLine(read.batch.file, text, line, end, invalidUtf8);
      if (item) items.push(item);
    });
    yield items;
  }
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

/** An InputFile for a path, as discover would describe it (size/mtime unused by readers). */
export function inputFile(file: string, format?: InputFormat): InputFile {
  return { path: file, display: path.basename(file), format, gzip: file.endsWith('.gz'), size: 0, mtimeMs: 0 };
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
