import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_FILE, loadCheckpoint } from '../../src/state/checkpoint.js';
import { emulatorFor } from '../support/emulator.js';
import { BIN, ROOT, runCli, tempDir } from '../support/cli.js';
import { expectIdentity, plannedObjects, readReport, recordedObjects, type ReportJson } from '../support/files.js';

// @ts-expect-error plain JavaScript module without types
import { generateArchive } from '../../scripts/generate-archive.mjs';

const KEY = 'sb-disk-full-key-5e11';
const emulate = emulatorFor(KEY);

/**
 * A real full disk: the state directory on a 64 KiB tmpfs, mounted in a private mount namespace
 * (`unshare -m`; as another user than root, `unshare -rm` maps that user to root in a new user
 * namespace, where mounting a tmpfs is allowed). The same namespace then "frees space" (remounts the
 * tmpfs larger) and runs the same command again. The namespace, and the mount, end with the script:
 * the state directory is copied out after each run.
 */
const script = `
set -u
mount -t tmpfs -o size=64k tmpfs "$MNT"
"$NODE" "$BIN" "$@" >"$OUT/out1" 2>"$OUT/err1"; echo $? >"$OUT/code1"
cp -r "$MNT/state" "$OUT/state1"
mount -o remount,size=64m "$MNT"
"$NODE" "$BIN" "$@" >"$OUT/out2" 2>"$OUT/err2"; echo $? >"$OUT/code2"
cp -r "$MNT/state" "$OUT/state2"
`;

interface Runs {
  readonly first: { code: number; stderr: string };
  readonly second: { code: number; stderr: string };
  readonly out: string;
  readonly state: string;
}

/** Runs the CLI with `args` (which name `state` as --state) on a full disk, then again with room. */
async function onFullDisk(args: (state: string) => string[], env: Record<string, string> = {}): Promise<Runs> {
  const out = tempDir();
  const mnt = tempDir();
  writeFileSync(join(out, 'script.sh'), script);
  const state = join(mnt, 'state');
  const flags = process.getuid?.() === 0 ? ['-m'] : ['-r', '-m'];
  const child = spawn('unshare', [...flags, 'sh', join(out, 'script.sh'), ...args(state)], {
    cwd: ROOT,
    env: { ...process.env, ...env, MNT: mnt, OUT: out, NODE: process.execPath, BIN },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code, 'the unshare script (a private mount namespace with a tmpfs) ran').toBe(0);
  const read = (n: number) => ({ code: Number(readFileSync(join(out, `code${n}`), 'utf8')), stderr: readFileSync(join(out, `err${n}`), 'utf8') });
  return { first: read(1), second: read(2), out, state };
}

function expectDiskFullStop(runs: Runs): void {
  const { stderr, code } = runs.first;
  expect(stderr).not.toMatch(/Internal error/);
  // The state directory, or the folder within it that was being written (dedup/ holds the window's journal).
  expect(stderr).toMatch(new RegExp(`The disk holding ${runs.state.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(/[\\w-]+)? is full`));
  expect(stderr).toMatch(/run the same command again to resume:\n {2}npx segment-braze replay /);
  expect(code).toBe(1);
  // What the first run left is a whole checkpoint that the resume can load (it validates every field),
  // never a torn one; the state directory lives on the full disk, so the first save may not have fit.
  const left = join(runs.out, 'state1');
  if (existsSync(join(left, CHECKPOINT_FILE))) {
    const checkpoint = loadCheckpoint(left);
    expect(checkpoint?.complete).toBe(false);
  }
  // And no lock: it was released on the way out, so the resume had nothing to take over.
  expect(existsSync(join(left, 'lock'))).toBe(false);
  expect(runs.second.stderr).not.toMatch(/Took over the lock/);
}

function records(report: ReportJson) {
  return { records: report.records, objects: report.objects, dataPoints: report.dataPoints };
}

describe('a full disk under the state directory', () => {
  let archive: string;
  let clean: string;
  beforeAll(async () => {
    archive = tempDir();
    await generateArchive({ dir: archive, messages: 10_000, files: 4, seed: 11, format: 'ndjson', gzip: true, layout: 's3' });
    clean = tempDir();
    expect((await runCli(['replay', archive, '--attributes', 'all', '--dry-run', '--state', clean, '--diff', 'none'])).code).toBe(0);
  });

  it('stops a dry run with exit 1 naming the directory, and a resume with room writes exactly what an uninterrupted run writes', async () => {
    const runs = await onFullDisk((state) => ['replay', archive, '--attributes', 'all', '--dry-run', '--diff', 'none', '--state', state, '--checkpoint-every', '0.01']);
    expectDiskFullStop(runs);
    expect(runs.second.stderr).toContain('Resuming the run');
    expect(runs.second.code).toBe(0);
    const resumed = join(runs.out, 'state2');
    const report = readReport(resumed);
    expect(report.complete).toBe(true);
    expectIdentity(report);
    expect(records(report)).toEqual(records(readReport(clean)));
    expect(readFileSync(join(resumed, 'requests.ndjson'), 'utf8')).toBe(readFileSync(join(clean, 'requests.ndjson'), 'utf8'));
  });

  it('names the directory, exit 1, when the last write of a run fails (report.json.tmp on /dev/full)', async () => {
    const state = tempDir();
    symlinkSync('/dev/full', join(state, 'report.json.tmp'));
    const result = await runCli(['replay', 'samples/segment-logs', '--dry-run', '--state', state]);
    expect(result.stderr).not.toMatch(/Internal error/);
    expect(result.stderr).toContain(`Error: The disk holding ${state} is full`);
    expect(result.stderr).toMatch(/run the same command again to resume:\n {2}npx segment-braze replay samples\/segment-logs /);
    expect(result.code).toBe(1);
    // Once there is room, the same command finishes the run and writes its report.
    rmSync(join(state, 'report.json.tmp'), { force: true });
    const again = await runCli(['replay', 'samples/segment-logs', '--dry-run', '--state', state]);
    expect(again.code).toBe(3);
    const report = readReport(state);
    expect(report.complete).toBe(true);
    expectIdentity(report);
  });

  it('stops a live run with exit 1 (not 13), and the resume sends every object, again only those in doubt', async () => {
    const { url, record } = await emulate({ latencyMs: 2 });
    const runs = await onFullDisk((state) => ['replay', archive, '--attributes', 'all', '--endpoint', url, '--state', state, '--quiet'], { BRAZE_API_KEY: KEY });
    expectDiskFullStop(runs);
    expect(runs.second.code).toBe(0);
    const report = readReport(join(runs.out, 'state2'));
    expect(report.complete).toBe(true);
    expectIdentity(report);
    expect(records(report)).toEqual(records(readReport(clean)));
    const want = plannedObjects(clean);
    const got = new Map<string, number>();
    for (const o of recordedObjects(record)) got.set(o, (got.get(o) ?? 0) + 1);
    const missing = want.filter((o) => !got.has(o));
    expect(missing).toEqual([]);
    const extra = recordedObjects(record).length - want.length;
    expect(extra).toBeLessThanOrEqual(report.requests.inDoubt * 75);
  });
});
