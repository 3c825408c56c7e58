import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { InputFile } from '../../src/input/types.js';
import { fingerprint } from '../../src/state/fingerprint.js';
import { InputFingerprints } from '../../src/state/input-fingerprints.js';
import { tempDirs } from '../support/temp.js';

const tempDir = tempDirs('input-fingerprints-');

function inputs(n: number): InputFile[] {
  const dir = tempDir();
  return Array.from({ length: n }, (_, i) => {
    const path = join(dir, `${String(i).padStart(4, '0')}.ndjson`);
    writeFileSync(path, `{"n":${i}}\n`);
    const { size, mtimeMs } = statSync(path);
    return { path, display: path, format: 'ndjson', gzip: false, size, mtimeMs };
  });
}

describe('InputFingerprints', () => {
  it("takes each input's fingerprint once, in input order, when first needed", () => {
    const files = inputs(5);
    const prints = InputFingerprints.of(files);
    expect(prints.taken).toBe(0);
    prints.through(1);
    expect(prints.taken).toBe(2);
    prints.through(99);
    expect(prints.taken).toBe(5);
    expect(prints.all()).toEqual(files.map(fingerprint));
  });

  it('takes them all in the background, a slice at a time between other work', async () => {
    const files = inputs(600);
    const prints = InputFingerprints.of(files);
    prints.inBackground();
    expect(prints.taken).toBe(0);
    await nextTurn();
    expect(prints.taken).toBeGreaterThan(0);
    expect(prints.taken).toBeLessThan(600);
    for (let turn = 0; turn < 10 && prints.taken < 600; turn++) await nextTurn();
    expect(prints.all()).toEqual(files.map(fingerprint));
  });

  it('says a file it cannot read is unreadable, for its read to report the error (and a resume to find it changed)', () => {
    const [file] = inputs(1);
    rmSync(file!.path);
    expect(InputFingerprints.of([file!]).all()[0]!.sample).toBe('unreadable: ENOENT');
  });
});
