import path from 'node:path';
import type { InputFormat } from './types.js';

/** What reads a name: replay's Segment records, or delete's ID lists (which also take .txt). */
export type InputKind = 'records' | 'ids';

const FORMATS: ReadonlyMap<string, InputFormat> = new Map([
  ['.ndjson', 'ndjson'],
  ['.jsonl', 'ndjson'],
  ['.json', 'json'],
  ['.csv', 'csv'],
]);

/** What an input's name (a path or an S3 key) says: its format (undefined: sniffed) and whether it is gzipped. */
export function nameTraits(name: string): { readonly format: InputFormat | undefined; readonly gzip: boolean } {
  const lower = name.toLowerCase();
  const gzip = lower.endsWith('.gz');
  const inner = gzip ? lower.slice(0, -3) : lower;
  return { format: FORMATS.get(path.posix.extname(inner)), gzip };
}

/**
 * True for the names read inside a directory or an S3 prefix: a known extension, optionally .gz, or any
 * .gz (Segment's S3 layout, sniffed); hidden names are not inputs.
 */
export function isInputName(name: string, kind: InputKind): boolean {
  const base = path.posix.basename(name).toLowerCase();
  if (base.startsWith('.')) return false;
  if (base.endsWith('.gz')) return true;
  if (kind === 'ids' && base.endsWith('.txt')) return true;
  return FORMATS.has(path.posix.extname(base));
}

/** Why a name inside a directory or prefix was passed over. */
export function notAnInput(kind: InputKind): string {
  return kind === 'ids'
    ? 'not a .txt, .csv, .ndjson, .jsonl or .json file (optionally .gz)'
    : 'not a .ndjson, .jsonl, .json or .csv file (optionally .gz)';
}
