import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file.js';
import { inputChange, type Fingerprint } from './fingerprint.js';

/**
 * What checkpoint.json keeps of the run's input files: their count and the hash of their fingerprints,
 * which are written once, when the run starts, to inputs.ndjson (one line a file). checkpoint.json,
 * rewritten every second, then stays the same size for 8 files or 200,000.
 */
export interface InputsDigest {
  readonly count: number;
  readonly sha256: string;
}

export const INPUTS_FILE = 'inputs.ndjson';

function lines(inputs: readonly Fingerprint[]): string {
  let text = '';
  for (const f of inputs) text += JSON.stringify({ path: f.path, size: f.size, mtimeMs: f.mtimeMs, sample: f.sample }) + '\n';
  return text;
}

export function digestOf(inputs: readonly Fingerprint[]): InputsDigest {
  return digestOfLines(inputs.length, lines(inputs));
}

function digestOfLines(count: number, text: string): InputsDigest {
  return { count, sha256: createHash('sha256').update(text).digest('hex') };
}

/** Writes inputs.ndjson for a run that starts; the digest of what it wrote (the lines made once). */
export function writeInputs(dir: string, inputs: readonly Fingerprint[]): InputsDigest {
  const text = lines(inputs);
  writeFileAtomic(join(dir, INPUTS_FILE), text);
  return digestOfLines(inputs.length, text);
}

/**
 * Why the inputs now differ from the ones the checkpoint was written for, or undefined when they are
 * the same. `then` is the checkpoint's digest (or, from an earlier version, its list of fingerprints).
 */
export function inputsChange(dir: string, then: InputsDigest | readonly Fingerprint[], now: readonly Fingerprint[]): string | undefined {
  if (Array.isArray(then)) return inputChange(then as readonly Fingerprint[], now);
  const digest = then as InputsDigest;
  if (digest.count !== now.length) return `the run had ${digest.count} input file(s), now there are ${now.length}`;
  if (digest.sha256 === digestOf(now).sha256) return undefined;
  const file = join(dir, INPUTS_FILE);
  if (!existsSync(file)) return `${INPUTS_FILE} is missing, so the inputs cannot be compared`;
  const listed = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Fingerprint);
  return inputChange(listed, now) ?? 'the input files changed';
}
