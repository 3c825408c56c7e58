import type { ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { emulatorFor } from '../support/emulator.js';
import { runCli, startCli, tempDir, type CliResult } from '../support/cli.js';
import { seeded } from '../support/random.js';
import { expectIdentity, plannedObjects, readReport, recordedObjects, sorted } from '../support/files.js';

// @ts-expect-error plain JavaScript module without types
import { generateArchive } from '../../scripts/generate-archive.mjs';

// Every replay here runs with --attributes all: a resumed run starts with an empty attribute memory
// and re-sends what it no longer remembers (attribute-memory.ts), so with `changed` a resumed run is
// not object-for-object the uninterrupted one; test/e2e/attributes.test.ts covers resume with `changed`.

const KEY = 'sb-resume-key-77aa11';
const emulate = emulatorFor(KEY);


/** Resolves once `condition` holds (checked every 20 ms; fails the test after 30 s). */
async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 30_000) throw new Error('condition not reached in 30 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The run's result if it exits within 10 s, then closes the stdin it was holding open; a run still
 * going fails the test (it would otherwise wait for the input that never comes).
 */
async function exitedSoon(child: ChildProcess, done: Promise<CliResult>): Promise<CliResult> {
  const result = await Promise.race([done, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 10_000))]);
  child.stdin!.end();
  if (result === undefined) throw new Error('the run was still going 10 s later');
  return result;
}

/** The saved checkpoint's resume point and completeness, or undefined before the first save. */
function checkpointOf(state: string): { readonly at: number; readonly complete: boolean } | undefined {
  const file = join(state, 'checkpoint.json');
  if (!existsSync(file)) return undefined;
  // Saved by rename: the file read is always a whole checkpoint.
  const checkpoint = JSON.parse(readFileSync(file, 'utf8')) as { cursor: { fileIndex: number; line: number }; complete: boolean };
  // Files and lines as one increasing number (no input here has a million lines).
  return { at: checkpoint.cursor.fileIndex * 1_000_000 + checkpoint.cursor.line, complete: checkpoint.complete };
}

/** Resolves with true once `condition` holds, or false once the run exited first. */
async function unlessExited(done: Promise<unknown>, condition: () => boolean): Promise<boolean> {
  let exited = false;
  void done.then(() => (exited = true));
  await until(() => exited || condition());
  return !exited;
}

function counts(list: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of list) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}

describe('resume after SIGKILL', () => {
  let archive: string;
  let planned: string[];
  beforeAll(async () => {
    archive = tempDir();
    await generateArchive({ dir: archive, messages: 20_000, files: 4, seed: 5, format: 'ndjson', gzip: true, layout: 's3' });
    const dry = tempDir();
    expect((await runCli(['replay', '--attributes', 'all', archive, '--dry-run', '--state', dry, '--diff', 'none'])).code).toBe(0);
    planned = plannedObjects(dry);
  });

  it('loses nothing and duplicates nothing beyond the in-doubt requests over many kills', async () => {
    const { url, record, emulator } = await emulate({ failRate: 0.05, resetRate: 0.02, latencyMs: 5 });
    const state = tempDir();
    const random = seeded(42);
    const args = ['replay', '--attributes', 'all', archive, '--endpoint', url, '--state', state, '--rate', '100', '--concurrency', '6', '--checkpoint-every', '0.1', '--quiet'];
    let kills = 0;
    let resumedFromCheckpoint = 0;
    let last = { code: null as number | null, stderr: '' };
    for (let run = 0; run < 60; run++) {
      const { child, done } = startCli(args, { env: { BRAZE_API_KEY: KEY } });
      if (kills < 10) {
        // Killed on progress seen, not at a time: after some requests reached the emulator, or (every
        // other kill) once this process saved a checkpoint beyond the one it started from.
        const requests = emulator.stats().requests;
        const from = checkpointOf(state)?.at ?? 0;
        const wanted = requests + 1 + Math.floor(random() * 20);
        const progressed = kills % 2 === 0 ? () => emulator.stats().requests >= wanted : () => (checkpointOf(state)?.at ?? 0) > from;
        if (await unlessExited(done, progressed)) {
          child.kill('SIGKILL');
          // Before resuming: the progress it was killed on was made.
          if (kills % 2 === 0) expect(emulator.stats().requests).toBeGreaterThanOrEqual(wanted);
          else expect(checkpointOf(state)!.at).toBeGreaterThan(from);
          if ((checkpointOf(state)?.at ?? 0) > 0) resumedFromCheckpoint++;
        }
      }
      const result = await done;
      last = result;
      if (result.signal === 'SIGKILL') {
        kills++;
        continue;
      }
      break;
    }
    expect(last.stderr).not.toMatch(/Internal error/);
    expect(last.code).toBe(0);
    expect(kills).toBeGreaterThanOrEqual(8);
    // Most resumes start from a saved checkpoint, not from the beginning.
    expect(resumedFromCheckpoint).toBeGreaterThanOrEqual(kills / 2);
    const report = readReport(state);
    expect(report.complete).toBe(true);
    expectIdentity(report);
    const got = counts(recordedObjects(record));
    const want = counts(planned);
    let missing = 0;
    let extra = 0;
    for (const [object, n] of want) missing += Math.max(0, n - (got.get(object) ?? 0));
    for (const [object, n] of got) extra += Math.max(0, n - (want.get(object) ?? 0));
    expect(missing).toBe(0);
    expect(extra).toBeLessThanOrEqual(report.requests.inDoubt * 75);
    // The final report covers every process: the records are those of one complete plan.
    const dryState = tempDir();
    await runCli(['replay', '--attributes', 'all', archive, '--dry-run', '--state', dryState, '--diff', 'none']);
    expect(report.records).toEqual(readReport(dryState).records);
   }, 180_000);
});

describe('interrupt and refusal', () => {
  let archive: string;
  beforeAll(async () => {
    archive = tempDir();
    await generateArchive({ dir: archive, messages: 6000, files: 2, seed: 9, format: 'ndjson', gzip: false, layout: 'flat' });
  });

  it('on SIGINT finishes in-flight requests, saves the checkpoint, exits 130 with zero in doubt, and resumes exactly', async () => {
    const { url, record, emulator } = await emulate({ latencyMs: 20 });
    const state = tempDir();
    const args = ['replay', '--attributes', 'all', archive, '--endpoint', url, '--state', state, '--rate', '20', '--quiet'];
    const { child, done } = startCli(args, { env: { BRAZE_API_KEY: KEY } });
    // Interrupt once it is sending (not at a fixed time: a loaded machine starts it slower).
    await until(() => emulator.stats().requests >= 10);
    child.kill('SIGINT');
    const first = await done;
    expect(first.code).toBe(130);
    expect(first.stderr).toMatch(/resume/i);
    expect(first.stderr).toContain(`--state ${state}`);
    const interrupted = readReport(state);
    expect(interrupted.complete).toBe(false);
    expect(interrupted.requests.inDoubt).toBe(0);
    const checkpoint = JSON.parse(readFileSync(join(state, 'checkpoint.json'), 'utf8'));
    expect(checkpoint.cursor.line).toBeGreaterThan(0);
    const second = await runCli([...args.slice(0, -3), '--rate', '5000', '--quiet'], { env: { BRAZE_API_KEY: KEY } });
    expect(second.code).toBe(0);
    const report = readReport(state);
    expect(report.requests.inDoubt).toBe(0);
    expectIdentity(report);
    const dry = tempDir();
    await runCli(['replay', '--attributes', 'all', archive, '--dry-run', '--state', dry, '--diff', 'none']);
    expect(sorted(recordedObjects(record))).toEqual(sorted(plannedObjects(dry)));
  });

  it('on SIGINT while stdin is quiet, stops at once (not when more input comes) and resumes exactly from the same input', async () => {
    const lines = readFileSync(join(archive, 'part-0001.ndjson'), 'utf8').split('\n').filter(Boolean);
    const whole = lines.join('\n') + '\n';
    const firstPart = lines.slice(0, 1500).join('\n') + '\n';
    // The objects of the full requests the first part makes: once they all arrived, it has been read.
    const firstFile = join(tempDir(), 'first.ndjson');
    writeFileSync(firstFile, firstPart);
    const firstDry = tempDir();
    await runCli(['replay', '--attributes', 'all', firstFile, '--dry-run', '--state', firstDry, '--diff', 'none']);
    const fullRequests = Math.floor(plannedObjects(firstDry).length / 75) * 75;

    const { url, record, emulator } = await emulate();
    const state = tempDir();
    const args = ['replay', '--attributes', 'all', '-', '--endpoint', url, '--state', state, '--quiet'];
    const { child, done } = startCli(args, { env: { BRAZE_API_KEY: KEY }, input: firstPart, holdStdin: true });
    const accepted = () => Object.values(emulator.stats().accepted).reduce((a, b) => a + b, 0);
    // Every full request of what it was given was accepted: it has read all of it (the rest is a
    // partial request) and is waiting on stdin.
    await until(() => accepted() >= fullRequests);
    child.kill('SIGINT');
    const first = await exitedSoon(child, done);
    expect(first.code).toBe(130);
    expect(readReport(state).complete).toBe(false);

    const second = await runCli(args, { env: { BRAZE_API_KEY: KEY }, input: whole });
    expect(second.code).toBe(0);
    const report = readReport(state);
    expectIdentity(report);
    expect(report.records.read).toBe(lines.length);
    const wholeFile = join(tempDir(), 'whole.ndjson');
    writeFileSync(wholeFile, whole);
    const dry = tempDir();
    await runCli(['replay', '--attributes', 'all', wholeFile, '--dry-run', '--state', dry, '--diff', 'none']);
    expect(sorted(recordedObjects(record))).toEqual(sorted(plannedObjects(dry)));
  });

  it('stops at once on a fatal request error while stdin is quiet (exit 1, checkpoint saved)', async () => {
    const lines = readFileSync(join(archive, 'part-0001.ndjson'), 'utf8').split('\n').filter(Boolean);
    const { url, emulator } = await emulate();
    const state = tempDir();
    const args = ['replay', '--attributes', 'all', '-', '--endpoint', url, '--state', state, '--quiet'];
    const { child, done } = startCli(args, { env: { BRAZE_API_KEY: 'not-the-key' }, input: lines.slice(0, 300).join('\n') + '\n', holdStdin: true });
    await until(() => emulator.stats().requests >= 1);
    const result = await exitedSoon(child, done);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/401|API key/i);
    expect(existsSync(join(state, 'checkpoint.json'))).toBe(true);
  });

  it('refuses to resume when an input changed (exit 2), and --restart starts over', async () => {
    const dir = tempDir();
    const file = join(dir, 'events.ndjson');
    writeFileSync(file, readFileSync(join(archive, 'part-0001.ndjson')));
    const { url, emulator } = await emulate({ latencyMs: 20 });
    const state = tempDir();
    const args = ['replay', '--attributes', 'all', file, '--endpoint', url, '--state', state, '--rate', '8', '--quiet'];
    const { child, done } = startCli(args, { env: { BRAZE_API_KEY: KEY } });
    await until(() => emulator.stats().requests >= 3);
    child.kill('SIGINT');
    expect((await done).code).toBe(130);
    appendFileSync(file, JSON.stringify({ type: 'track', event: 'Late', userId: 'u', messageId: 'late-1', timestamp: '2025-06-01T00:00:00Z' }) + '\n');
    const refused = await runCli(args, { env: { BRAZE_API_KEY: KEY } });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/events\.ndjson changed/);
    expect(refused.stderr).toMatch(/--restart/);
    const restarted = await runCli([...args, '--restart', '--rate', '5000'], { env: { BRAZE_API_KEY: KEY } });
    expect(restarted.code).toBe(0);
    expect(readReport(state).complete).toBe(true);
  });

  it('resumes a dry run to the same requests as an uninterrupted one', async () => {
    const lines = readFileSync(join(archive, 'part-0001.ndjson'), 'utf8').split('\n').filter(Boolean);
    const whole = lines.join('\n') + '\n';
    const wholeFile = join(tempDir(), 'whole.ndjson');
    writeFileSync(wholeFile, whole);
    const uninterrupted = tempDir();
    await runCli(['replay', '--attributes', 'all', wholeFile, '--dry-run', '--state', uninterrupted, '--diff', 'none']);
    const state = tempDir();
    const args = ['replay', '--attributes', 'all', '-', '--dry-run', '--state', state, '--diff', 'none', '--checkpoint-every', '0.001'];
    // Given the first part only, the run plans it and then waits for more input: the checkpoint it
    // saved meanwhile stays incomplete, however slowly the machine runs.
    const { child, done } = startCli(args, { input: lines.slice(0, 1500).join('\n') + '\n', holdStdin: true });
    const seen = await unlessExited(done, () => {
      const checkpoint = checkpointOf(state);
      return checkpoint !== undefined && checkpoint.at > 0;
    });
    expect(seen).toBe(true);
    child.kill('SIGKILL');
    child.stdin!.end();
    expect((await done).signal).toBe('SIGKILL');
    const killedAt = checkpointOf(state)!;
    expect(killedAt.at).toBeGreaterThan(0);
    expect(killedAt.at).toBeLessThanOrEqual(1500);
    expect(killedAt.complete).toBe(false);
    const resumed = await runCli(args, { input: whole });
    expect(resumed.stderr).toContain('Resuming the run');
    expect(resumed.code).toBe(0);
    expect(readFileSync(join(state, 'requests.ndjson'), 'utf8')).toBe(readFileSync(join(uninterrupted, 'requests.ndjson'), 'utf8'));
    expect(readReport(state).records).toEqual(readReport(uninterrupted).records);
  });
});

describe('resume over many small files', () => {
  it('refuses a file after the resume point whose content changed, as fingerprinted before the run could read it', async () => {
    const archive = tempDir();
    await generateArchive({ dir: archive, messages: 20_000, files: 2_000, seed: 9, format: 'ndjson', gzip: false, layout: 'flat' });
    const state = tempDir();
    const args = ['replay', archive, '--dry-run', '--state', state, '--checkpoint-every', '0.001', '--diff', 'none', '--quiet'];
    const { child, done } = startCli(args);
    const midway = await unlessExited(done, () => {
      const saved = checkpointOf(state);
      return saved !== undefined && !saved.complete && saved.at > 0;
    });
    expect(midway).toBe(true);
    child.kill('SIGKILL');
    await done;
    // The last file, which the run had not reached: the same size, another content.
    const last = join(archive, readdirSync(archive).sort().at(-1)!);
    const text = readFileSync(last, 'utf8');
    writeFileSync(last, text.replace('"track"', '"TRACK"'));
    expect(statSync(last).size).toBe(Buffer.byteLength(text));
    const refused = await runCli(args);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${last} changed content`);
  });
});
