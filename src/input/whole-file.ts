import { closeSync, openSync, readSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { batchOfText, type LineBatch } from './line-batches.js';
import { decideFormat, firstSignificantByte, isGzip, SNIFF_LIMIT, type ReadHead } from './open.js';
import type { InputFile, InputFormat, ReadStart } from './types.js';

/**
 * Small local files, read whole by a planning worker (issue 13): Segment writes a file per source
 * every hour or so, and a run of 20,000 files of a few KiB spent most of its main thread opening,
 * gunzipping, splitting and posting them one at a time (2x the time of the same messages in 16
 * files). A worker given a file's name reads it in one call, gunzips it in one call and plans its
 * lines as one batch; the main thread only puts the answers in order.
 *
 * Only the plain case is taken whole: NDJSON (sniffed as the usual read does), of the size it was
 * listed with, whose content gunzips without an error. For anything else (a damaged gzip, a read
 * error, a file that changed since it was listed, a JSON array or CSV, too much inflated) the worker
 * hands back the bytes it read, and the usual read (read.ts) goes on from them: it reports the
 * problem at its line, and the file is read from the disk once.
 */

/** Files up to this size on disk (gzipped or not) may be read whole: ~2,000 messages gzipped. */
export const WHOLE_FILE_BYTES = 256 * 1024;

/**
 * A file that inflates past this, in proportion to its share (a gzip bomb, or unusually repetitive
 * data), is read the usual way, in batches: a whole file is one batch, and a worker (capped heap)
 * should never hold more than a usual batch's bytes (pipeline/planning/plan-pool.ts) for an answer.
 */
const INFLATED_LIMIT = 4 << 20;

/**
 * Small files go to the workers in groups, one job and one answer for several files
 * (pipeline/planning/file-groups.ts): a group holds up to this many bytes on disk, about a batch of
 * lines when gzipped...
 */
export const GROUP_BYTES = 64 * 1024;
/** ...and at most this many files: a file smaller than GROUP_BYTES / GROUP_FILES counts as that size. */
export const GROUP_FILES = 32;

/**
 * A file's share of a worker's answer, by its size on disk: a group of small files is one answer of
 * the planning window. Its inflated bytes are capped in proportion (INFLATED_LIMIT for a whole share),
 * so that the answers in flight hold no more than as many usual batches would.
 */
export function shareOf(size: number): number {
  return Math.min(1, Math.max(size, GROUP_BYTES / GROUP_FILES) / GROUP_BYTES);
}

/** What a worker needs of an input to read it whole. */
export interface WholeFile {
  readonly path: string;
  readonly display: string;
  readonly size: number;
  /** --format, else the file's own (from its name); undefined: sniffed. */
  readonly format: InputFormat | undefined;
}

/** What a worker makes of a whole file: its lines as one batch, or the bytes it read, handed back. */
export type WholeRead = { readonly kind: 'batch'; readonly batch: LineBatch } | { readonly kind: 'head'; readonly head: ReadHead };

/** The input as a WholeFile when it may be read whole (a local file from its start, listed at most WHOLE_FILE_BYTES), else undefined. */
export function wholeFileOf(file: InputFile, start: ReadStart | undefined, format: InputFormat | undefined): WholeFile | undefined {
  if (file.path === '-' || file.remote || file.size > WHOLE_FILE_BYTES || (start !== undefined && start.line > 0)) return undefined;
  const wanted = format ?? file.format;
  if (wanted === 'json' || wanted === 'csv') return undefined;
  return { path: file.path, display: file.display, size: file.size, format: wanted };
}

/** The file's lines as one batch; else (see above) the bytes read, for the usual read to go on from. */
export function readWholeFile(file: WholeFile): WholeRead {
  const head = readHead(file.path, file.size);
  if (!head.complete || head.bytes.length !== file.size) return { kind: 'head', head };
  let bytes = Buffer.from(head.bytes.buffer, head.bytes.byteOffset, head.bytes.length);
  try {
    if (isGzip(bytes)) bytes = gunzipSync(bytes, { maxOutputLength: INFLATED_LIMIT * shareOf(file.size) });
  } catch {
    return { kind: 'head', head };
  }
  if (decideFormat(file.format, firstSignificantByte(bytes.subarray(0, SNIFF_LIMIT))) !== 'ndjson') return { kind: 'head', head };
  return { kind: 'batch', batch: batchOfText(file.display, bytes) };
}

/**
 * The file's bytes, up to one more than it was listed with (which tells a file that grew). A read
 * error ends them incomplete: the usual read meets it again after them, and reports it at its line.
 */
function readHead(path: string, size: number): ReadHead {
  const bytes = Buffer.allocUnsafeSlow(size + 1);
  let got = 0;
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    for (;;) {
      const n = readSync(fd, bytes, got, bytes.length - got, null);
      got += n;
      if (n === 0 || got === bytes.length) break;
    }
    return { bytes: bytes.subarray(0, got), complete: got <= size };
  } catch {
    return { bytes: bytes.subarray(0, got), complete: false };
  } finally {
    if (fd !== undefined) closeQuietly(fd);
  }
}

/** Closes a file only read from: what was read stands whatever close says. */
function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Nothing was written through it.
  }
}
