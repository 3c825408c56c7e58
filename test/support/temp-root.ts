import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/**
 * Every test file's temporary directories (its own, and those of the CLI runs it spawns, which
 * inherit TMPDIR) go under one directory of its own, removed after the file: many tests make a
 * state directory or an archive per case and leave it, ~600 directories a full run.
 */
const root = mkdtempSync(join(tmpdir(), 'segment-braze-test-'));
const before = process.env['TMPDIR'];
process.env['TMPDIR'] = root;

afterAll(() => {
  if (before === undefined) delete process.env['TMPDIR'];
  else process.env['TMPDIR'] = before;
  rmSync(root, { recursive: true, force: true });
});
