import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { MappingFileError } from '../../errors.js';
import type { MappingRules } from '../../transform/mapping/rules.js';
import { compileMapping, RuleProblem } from './compile.js';
import { nearestKey } from './nearest.js';
import { checkDocument, KNOWN_KEYS, type SchemaProblem } from './schema.js';

/**
 * `--mapping <file>` (mapping.md §10): reads, validates and compiles the file once, before anything is
 * read or sent. Every problem is a MappingFileError naming the file and the place.
 */
export function loadMapping(given: string, cwd: string): MappingRules {
  const path = isAbsolute(given) ? given : resolve(cwd, given);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new MappingFileError(`Mapping file ${given}: cannot be read (${code === 'ENOENT' ? 'no such file' : code ?? String(error)})`, { cause: error });
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const doc = parseJson(given, bytes.toString('utf8').replace(/^\uFEFF/, ''));
  const checked = checkDocument(doc);
  if (!checked.ok) throw new MappingFileError(`Mapping file ${given}: ${describe(checked.problems[0]!)}`);
  try {
    return compileMapping(checked.doc, given, sha256);
  } catch (error) {
    if (error instanceof RuleProblem) throw new MappingFileError(`Mapping file ${given}: ${error.place}: ${error.message}`);
    throw error;
  }
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const at = errorOffset(text);
    const what = at >= text.length ? 'unexpected end of file' : `unexpected ${JSON.stringify(text[at])}`;
    throw new MappingFileError(`Mapping file ${file}:${lineColumn(text, at)}: invalid JSON (${what})`);
  }
}

/**
 * Where JSON.parse gives up: V8 names the position of some errors only, so the shortest prefix that
 * fails for a reason other than ending early is found by bisection (a prefix that holds a bad
 * character fails, and so does every longer one).
 */
function errorOffset(text: string): number {
  let good = 0;
  let bad = text.length;
  while (bad - good > 1) {
    const mid = (good + bad) >>> 1;
    if (failsBefore(text.slice(0, mid))) bad = mid;
    else good = mid;
  }
  return bad - 1;
}

function failsBefore(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return false;
  } catch (error) {
    const message = (error as Error).message;
    if (/end of JSON input/.test(message)) return false;
    const at = /position (\d+)/.exec(message);
    return at === null || Number(at[1]) < prefix.length;
  }
}

/** `line L, column C` (1-based) of a character offset. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

function describe(problem: SchemaProblem): string {
  const place = problem.place === '' ? 'top level' : problem.place;
  if (problem.unknownKey === undefined) return `${place}: ${problem.message}`;
  const near = nearestKey(problem.unknownKey, KNOWN_KEYS[problem.parent] ?? []);
  return `${place}: unknown key${near ? ` (did you mean "${near}"?)` : ''}`;
}
