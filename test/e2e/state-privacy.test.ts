import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { emulatorFor } from '../support/emulator.js';
import { BIN, tempDir, type CliResult } from '../support/cli.js';

// @ts-expect-error plain JavaScript module without types
import { generateArchive } from '../../scripts/generate-archive.mjs';

const KEY = 'sb-privacy-key-0600';
const emulate = emulatorFor(KEY);

/** Runs the CLI under umask 022, the common default that makes new files readable by everyone. */
function runUnderUmask022(args: readonly string[]): Promise<CliResult> {
  const child = spawn('/bin/sh', ['-c', 'umask 022; exec "$0" "$@"', process.execPath, BIN, ...args], {
    env: { ...process.env, BRAZE_API_KEY: KEY, BRAZE_REST_ENDPOINT: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/** Every path under `dir` (itself included) with its permission bits. */
function modes(dir: string): Map<string, number> {
  const out = new Map<string, number>([[dir, statSync(dir).mode & 0o777]]);
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    out.set(path, statSync(path).mode & 0o777);
  }
  return out;
}

/** The paths that the group or others may read, write or enter: none, in a state directory. */
function readableByOthers(dir: string): string[] {
  return [...modes(dir)].filter(([, mode]) => (mode & 0o077) !== 0).map(([path, mode]) => `${path} ${mode.toString(8)}`);
}

describe('the state directory is private', () => {
  let archive: string;
  beforeAll(async () => {
    archive = tempDir();
    await generateArchive({ dir: archive, messages: 3000, files: 2, seed: 41, format: 'ndjson', gzip: true, layout: 'flat' });
  });

  it('0700 and 0600 under umask 022 after a replay, a dry run, a --stitch dry run and a delete', async () => {
    // Under this umask the shell's own new files are readable by all: the modes below are the tool's doing.
    const probe = join(tempDir(), 'probe');
    expect((await runUnderUmask022(['--version'])).code).toBe(0);
    await new Promise<void>((resolve) => spawn('/bin/sh', ['-c', `umask 022; : > '${probe}'`]).on('close', () => resolve()));
    expect(statSync(probe).mode & 0o777).toBe(0o644);

    const { url } = await emulate();
    const root = tempDir();
    const ids = join(root, 'ids.txt');
    writeFileSync(ids, 'user-1\nuser-2\n\n');
    const runs: Record<string, string[]> = {
      replay: ['replay', archive, '--endpoint', url, '--quiet'],
      dryRun: ['replay', archive, '--dry-run', '--diff', 'none'],
      stitch: ['replay', archive, '--dry-run', '--diff', 'none', '--stitch'],
      delete: ['delete', ids, '--endpoint', url, '--yes', '--quiet'],
    };
    for (const [name, args] of Object.entries(runs)) {
      const state = join(root, name, 'state');
      const result = await runUnderUmask022([...args, '--state', state]);
      expect(result.code, `${name}: ${result.stderr}`).toBe(0);
      expect(readableByOthers(join(root, name)), name).toEqual([]);
      // The tool made what it always makes there (the check above is not over an empty directory).
      expect(modes(state).get(join(state, 'checkpoint.json')), name).toBe(0o600);
      expect(modes(state).get(join(state, 'report.json')), name).toBe(0o600);
    }
    expect(modes(join(root, 'dryRun', 'state')).get(join(root, 'dryRun', 'state', 'requests.ndjson'))).toBe(0o600);
    expect(modes(join(root, 'replay', 'state')).get(join(root, 'replay', 'state', 'dedup'))).toBe(0o700);
    expect(modes(join(root, 'stitch', 'state')).get(join(root, 'stitch', 'state', 'identity'))).toBe(0o700);
    expect(modes(join(root, 'delete', 'state')).get(join(root, 'delete', 'state', 'ids.bin'))).toBe(0o600);
  });

  it('an existing state directory that others can read gets a warning naming it', async () => {
    const state = join(tempDir(), 'state');
    mkdirSync(state);
    chmodSync(state, 0o755);
    const result = await runUnderUmask022(['replay', archive, '--dry-run', '--diff', 'none', '--state', state]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`Warning: The state directory ${state} can be read by other accounts on this machine (mode 0755)`);
    const quiet = join(tempDir(), 'state');
    mkdirSync(quiet, { mode: 0o700 });
    expect((await runUnderUmask022(['replay', archive, '--dry-run', '--diff', 'none', '--state', quiet])).stderr).not.toMatch(/other accounts/);
  });
});
