/** Input formats of replay (cli.md "Inputs"). */
export type InputFormat = 'ndjson' | 'json' | 'csv';

/**
 * An input whose bytes come from elsewhere than the local disk (an S3 object, see s3/objects.ts).
 * Nothing above input/ needs to know: open.ts reads it like a file.
 */
export interface RemoteObject {
  /** The store's content tag (S3: the ETag): with the size, the object's fingerprint. */
  readonly etag: string;
  /** The object's bytes from byte `from` (as stored: still gzipped if it is), in order, each once. */
  bytes(from: number): AsyncIterable<Buffer>;
}

/** One resolved input: a file on disk, an S3 object, or stdin ('-'). */
export interface InputFile {
  /** Absolute path, an s3:// URL, or '-' for stdin. */
  readonly path: string;
  /** The path as shown to users (relative to the working directory when possible; 'stdin'). */
  readonly display: string;
  /** Format from the extension (or --format); undefined means "sniff the first bytes". */
  readonly format: InputFormat | undefined;
  /** True when the name ends in .gz (gzip is also sniffed by magic bytes). */
  readonly gzip: boolean;
  /** Size in bytes and mtime (0 for stdin). */
  readonly size: number;
  readonly mtimeMs: number;
  /** Set for an object in a store (S3): read through it instead of the file system. */
  readonly remote?: RemoteObject;
}

/**
 * Where to start reading a file again on resume. `line` is the position label of the last record
 * already handled (a physical line for NDJSON and CSV, an element number for JSON arrays);
 * `offset` is the byte offset just after it (used to seek in plain, uncompressed NDJSON files).
 */
export interface ReadStart {
  readonly line: number;
  readonly offset: number;
}

/** A parsed record, with where it came from. */
export interface RecordItem {
  readonly kind: 'record';
  readonly file: string;
  /** 1-based physical line (NDJSON, CSV: the line where the record starts) or element number (JSON array). */
  readonly line: number;
  /** Byte offset just after this record in the (uncompressed) file; 0 where not meaningful. */
  readonly end: number;
  readonly value: unknown;
  /** The text held invalid UTF-8, replaced by U+FFFD when decoded (counted; the record goes on). */
  readonly invalidUtf8?: boolean;
}

/** A line or row that could not be parsed; it is rejected with its reason. */
export interface MalformedItem {
  readonly kind: 'malformed';
  readonly file: string;
  readonly line: number;
  readonly end: number;
  readonly reason: string;
  /** The raw text (truncated to 1,000 characters). */
  readonly raw: string;
}

export type InputItem = RecordItem | MalformedItem;
