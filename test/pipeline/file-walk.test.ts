import { describe, expect, it } from 'vitest';
import type { InputFile } from '../../src/input/types.js';
import { fingerprintedFirst } from '../../src/pipeline/file-walk.js';
import { FILES_AHEAD } from '../../src/pipeline/planning/file-scheduler.js';
import { InputFingerprints } from '../../src/state/input-fingerprints.js';

async function* nothing(): AsyncGenerator<never> {}

describe('fingerprintedFirst', () => {
  it('takes the fingerprints of an input and of those a read may start ahead of it before the read begins', () => {
    const files: InputFile[] = Array.from({ length: FILES_AHEAD + 50 }, (_, i) => ({ path: `/in/${i}.gz`, display: `${i}.gz`, format: undefined, gzip: true, size: 10, mtimeMs: 0 }));
    const prints = InputFingerprints.known(files.map((f) => ({ path: f.path, size: f.size, mtimeMs: 0, sample: 'x' })));
    const seen: number[] = [];
    const read = fingerprintedFirst<never>(() => {
      seen.push(prints.taken);
      return nothing();
    }, prints);
    read(files[0]!, 0, undefined);
    read(files[10]!, 10, undefined);
    read(files[60]!, 60, undefined);
    expect(seen).toEqual([FILES_AHEAD + 1, FILES_AHEAD + 11, files.length]);
  });
});
