import { readdirSync, statSync, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { InputError, UsageError } from '../errors.js';
import { isInputName, nameTraits, notAnInput } from './input-name.js';
import type { S3Inputs, S3Options } from './s3/list.js';
import { isS3Url } from './s3/location.js';
import type { InputFile, InputFormat } from './types.js';

/** Where and how to resolve inputs. */
export interface DiscoverOptions {
  /** Base of relative paths and globs, and of display paths. */
  readonly cwd: string;
  /** --format: applies to every file (and to stdin). @default from each file's extension */
  readonly format?: InputFormat;
  /** The stream read for '-' (only recorded here; read by open.ts). @default process.stdin */
  readonly stdin?: NodeJS.ReadableStream;
  /** `ids` also accepts .txt files inside directories (delete inputs). @default 'records' */
  readonly kind?: 'records' | 'ids';
  /** How to reach and read s3:// inputs (the AWS SDK is loaded only when there is one). */
  readonly s3?: S3Options;
}

/** The resolved inputs, in reading order, and the files skipped on the way. */
export interface Discovered {
  readonly files: InputFile[];
  readonly warnings: string[];
  /** Set when an input is in S3: what reading it took, and the client to close once the run ends. */
  readonly s3?: S3Inputs;
}

const GLOB_CHARS = /[*?[{]/;

/**
 * Resolves files, directories (recursive, lexical order of the full path), quoted globs, s3:// URLs
 * (see s3/list.ts) and '-' (stdin) into an ordered list of inputs, each listed once (cli.md "Inputs").
 * Inside directories and S3 prefixes, files that are not inputs are skipped with a warning, never
 * silently; an extensionless `.gz` (Segment's S3 layout) is kept and sniffed. A missing path or a glob
 * without match is a UsageError; an S3 listing that fails or finds nothing, an InputError.
 */
export async function discoverInputs(inputs: readonly string[], options: DiscoverOptions): Promise<Discovered> {
  const s3 = inputs.some(isS3Url) ? await openS3(options) : undefined;
  try {
    const found = await discover(inputs, options, s3);
    return s3 ? { ...found, files: s3.attach(found.files), s3 } : found;
  } catch (error) {
    s3?.close();
    throw error;
  }
}

async function openS3(options: DiscoverOptions): Promise<S3Inputs> {
  const { s3Inputs } = await import('./s3/list.js');
  return s3Inputs(options.s3 ?? { timeoutMs: 30_000, maxRetries: 10 }, options.format, options.kind ?? 'records');
}

async function discover(inputs: readonly string[], options: DiscoverOptions, s3: S3Inputs | undefined): Promise<Discovered> {
  const files: InputFile[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  const add = (file: InputFile): void => {
    if (seen.has(file.path)) return;
    seen.add(file.path);
    files.push(file);
  };
  for (const input of inputs) {
    if (input === '-') {
      add({ path: '-', display: 'stdin', format: options.format, gzip: false, size: 0, mtimeMs: 0 });
      continue;
    }
    if (s3 && isS3Url(input)) {
      for (const object of await s3.expand(input, warnings)) add(object);
      continue;
    }
    const shown = displayer(options.cwd);
    for (const absolute of await expand(input, options, warnings)) add(describe(absolute, options, shown));
  }
  if (files.length === 0) {
    // The warnings say why each file found was passed over; the caller has not printed them yet.
    throw new UsageError([`No input files found in ${inputs.join(', ')}`, ...warnings].join('\n  '));
  }
  return { files, warnings };
}

/** One input argument as absolute file paths, in order. */
async function expand(input: string, options: DiscoverOptions, warnings: string[]): Promise<string[]> {
  const absolute = path.resolve(options.cwd, input);
  const info = await stat(absolute).catch(() => undefined);
  if (info === undefined && GLOB_CHARS.test(input)) {
    const matches = await glob(input, { cwd: options.cwd, absolute: true, onlyFiles: true, expandDirectories: false });
    if (matches.length === 0) throw new UsageError(`No files match ${input}`);
    return matches.map((match) => path.resolve(match)).sort(lexical);
  }
  if (info === undefined) throw new UsageError(`Input not found: ${input}`);
  if (!info.isDirectory()) return [absolute];
  return walk(absolute, options, warnings);
}

/**
 * The input files under `directory`. Synchronous, as describe() is: each await of a listing through
 * the thread pool cost more than the listing itself, and nothing else runs here meanwhile.
 */
function walk(directory: string, options: DiscoverOptions, warnings: string[]): string[] {
  const entries = readdirSync(directory, { withFileTypes: true });
  const candidates = entries.map((entry) => ({ entry, full: path.join(directory, entry.name) }));
  const found: string[] = [];
  for (const { entry, full } of candidates.sort((a, b) => lexical(a.full, b.full))) {
    if (entry.isDirectory()) {
      if (entry.name.startsWith('.')) warnings.push(`Skipping ${display(full, options.cwd)}: hidden directory`);
      // Not push(...): a directory of a few hundred thousand files would overflow the call's arguments.
      else for (const file of walk(full, options, warnings)) found.push(file);
    } else if (entry.name.startsWith('.') || !isInputName(entry.name, options.kind ?? 'records')) {
      warnings.push(`Skipping ${display(full, options.cwd)}: ${notAnInput(options.kind ?? 'records')}`);
    } else {
      found.push(full);
    }
  }
  // Full paths sort differently from per-directory names ("a/b" vs "a.csv"), so sort the result.
  return found.sort(lexical);
}

/**
 * The file as an input, with its size and mtime. The stat is synchronous: an archive of 20,000 files
 * took 20 µs a file through the thread pool, awaited one after the other, and 2.5 µs this way (nothing
 * else runs on this thread while the inputs are listed).
 */
function describe(absolute: string, options: DiscoverOptions, shown: (absolute: string) => string): InputFile {
  let info: Stats;
  try {
    info = statSync(absolute);
  } catch (error) {
    // A link to nothing, or a file gone or locked since the listing: say which, before anything is read.
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist (a broken symbolic link?)' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new InputError(`Cannot read input ${shown(absolute)}: ${why}`);
  }
  const { format, gzip } = nameTraits(absolute);
  return {
    path: absolute,
    display: shown(absolute),
    format: options.format ?? format,
    gzip,
    size: info.size,
    mtimeMs: info.mtimeMs,
  };
}

/**
 * display() for the many paths of one listing: a path inside the working directory only loses its
 * prefix, where path.relative resolves both paths at every call (a cost seen once per file of a large
 * archive). Anything else goes the usual way.
 */
function displayer(cwd: string): (absolute: string) => string {
  const base = path.resolve(cwd);
  const within = base.endsWith(path.sep) ? base : base + path.sep;
  return (absolute) => {
    const tail = absolute.startsWith(within) ? absolute.slice(within.length) : '';
    return tail !== '' && !tail.startsWith('..') ? tail : display(absolute, cwd);
  };
}

/** The path relative to the working directory when inside it, else absolute. */
function display(absolute: string, cwd: string): string {
  const relative = path.relative(cwd, absolute);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? absolute : relative;
}

function lexical(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
