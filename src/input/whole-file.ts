import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { batchOfText, type LineBatch } from './line-batches.js';
import { decideFormat, firstSignificantByte, SNIFF_LIMIT } from './open.js';
import type { InputFile, InputFormat, ReadStart } from './types.js';

/**
 * Small local files, read whole by a planning worker (issue 13): Segment writes a file per source
 * every hour or so, and a run of 20,000 files of a few KiB spent most of its main thread opening,
 * gunzipping, splitting and posting them one at a time (2x the time of the same messages in 16
 * files). A worker given a file's name reads it in one call, gunzips it in one call and plans its
 * lines as one batch; the main thread only puts the answers in order.
 *
 * Only the plain case goes this way: a file read from its start, NDJSON (sniffed as the usual path
 * does), whose whole content reads and gunzips without an error. Anything else (a damaged gzip, a
 * read error, a file whose size changed since it was listed, a JSON array or CSV) answers undefined
 * and is read the usual way, which reports the problem at its line exactly as before.
 */

/** Files up to this size on disk (gzipped or not) may be read whole: ~2,000 messages gzipped. */
export const WHOLE_FILE_BYTES = 256 * 1024;

/**
 * A file that inflates past this (a gzip bomb, or unusually repetitive data) is read the usual way, in
 * batches: a whole file is one batch, and a worker (capped heap) should never hold more than a usual
 * batch.s bytes (pipeline/planning/plan-pool.ts).
 */
const INFLATED_LIMIT = 4 << 20;

/** What a worker needs of an input to read it whole. */
export interface WholeFile {
  readonly path: string;
  readonly display: string;
  readonly size: number;
  /** --format, else the file's own (from its name); undefined: sniffed. */
  readonly format: InputFormat | undefined;
}

/** The input as a WholeFile when it may be read whole (see above), else undefined. */
export function wholeFileOf(file: InputFile, start: ReadStart | undefined, format: InputFormat | undefined, limit = WHOLE_FILE_BYTES): WholeFile | undefined {
  if (file.path === '-' || file.remote || file.size > limit || (start !== undefined && start.line > 0)) return undefined;
  const wanted = format ?? file.format;
  if (wanted === 'json' || wanted === 'csv') return undefined;
  return { path: file.path, display: file.display, size: file.size, format: wanted };
}

/** The file's lines as one batch; undefined when it must be read the usual way (see above). */
export function readWholeFile(file: WholeFile): LineBatch | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file.path);
    if (bytes.length !== file.size) return undefined;
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes, { maxOutputLength: INFLATED_LIMIT });
  } catch {
    return undefined;
  }
  if (decideFormat(file.format, firstSignificantByte(bytes.subarray(0, SNIFF_LIMIT))) !== 'ndjson') return undefined;
  return batchOfText(file.display, bytes);
}
