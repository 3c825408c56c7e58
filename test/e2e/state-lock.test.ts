import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { emulatorFor } from '../support/emulator.js';
import { runCli, startCli, tempDir } from '../support/cli.js';
import { expectIdentity, plannedObjects, readReport, recordedObjects, sorted } from '../support/files.js';

// @ts-expect-error plain JavaScript module without types
import { generateArchive } from '../../scripts/generate-archive.mjs';

const KEY = 'sb-lock-key-5c1e';
const emulate = emulatorFor(KEY);
const env = { BRAZE_API_KEY: KEY };

/** Resolves once `condition` holds (checked every 20 ms; fails the test after 30 s). */
async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 30_000) throw new Error('condition not reached in 30 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Resolves once the run has saved a checkpoint past its start: it holds the lock and is sending. */
function sending(state: string): () => boolean {
  return () => existsSync(join(state, 'checkpoint.json')) && JSON.parse(readFileSync(join(state, 'checkpoint.json'), 'utf8')).nextRequest > 1;
}

function counts(list: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of list) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}

/** Objects the plan has and the emulator did not record, and objects recorded more often than planned. */
function compare(recorded: string[], planned: string[]): { missing: number; extra: number } {
  const got = counts(recorded);
  const want = counts(planned);
  let missing = 0;
  let extra = 0;
  for (const [object, n] of want) missing += Math.max(0, n - (got.get(object) ?? 0));
  for (const [object, n] of got) extra += Math.max(0, n - (want.get(object) ?? 0));
  return { missing, extra };
}

describe('one run per state directory', () => {
  let archive: string;
  let planned: string[];
  beforeAll(async () => {
    archive = tempDir();
    await generateArchive({ dir: archive, messages: 6000, files: 2, seed: 23, format: 'ndjson', gzip: false, layout: 'flat' });
    const dry = tempDir();
    expect((await runCli(['replay', archive, '--attributes', 'all', '--dry-run', '--diff', 'none', '--keep-requests', 'all', '--state', dry])).code).toBe(0);
    planned = plannedObjects(dry);
    expect(planned.length).toBeGreaterThan(4000);
  });

  it('a second live run (or one with --restart) exits 2 at once naming the first one’s pid; the emulator records every object once', async () => {
    const { url, record } = await emulate({ latencyMs: 20 });
    const state = join(tempDir(), 'state');
    const args = ['replay', archive, '--attributes', 'all', '--endpoint', url, '--state', state, '--rate', '10', '--concurrency', '2', '--checkpoint-every', '0.1', '--quiet'];
    const first = startCli(args, { env });
    await until(sending(state));
    const second = await runCli(args, { env });
    const restart = await runCli([...args, '--restart'], { env });
    const done = await first.done;

    for (const refused of [second, restart]) {
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`in use by another run: pid ${first.child.pid} on host ${hostname()}`);
      expect(refused.stderr).toMatch(/running `segment-braze replay .*`, since \d{4}-/);
    }
    expect(done.code).toBe(0);
    expect(done.stderr).not.toMatch(/in doubt|Warning/);
    expectIdentity(readReport(state));
    expect(sorted(recordedObjects(record))).toEqual(sorted(planned));
    // Released on the way out.
    expect(existsSync(join(state, 'lock'))).toBe(false);
  });

  it('a holder killed with SIGKILL does not block: the same command takes over at once, says so, and loses nothing', async () => {
    const { url, record } = await emulate({ latencyMs: 20 });
    const state = join(tempDir(), 'state');
    const args = ['replay', archive, '--attributes', 'all', '--endpoint', url, '--state', state, '--rate', '10', '--concurrency', '2', '--checkpoint-every', '0.1', '--quiet'];
    const first = startCli(args, { env });
    await until(sending(state));
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    expect(existsSync(join(state, 'lock'))).toBe(true);

    const resumed = await runCli(args, { env });
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`Took over the lock of ${state} from pid ${first.child.pid} on host ${hostname()}`);
    expect(resumed.stderr).toContain('that process is no longer running');
    const report = readReport(state);
    expect(report.complete).toBe(true);
    expectIdentity(report);
    const { missing, extra } = compare(recordedObjects(record), planned);
    expect(missing).toBe(0);
    expect(extra).toBeLessThanOrEqual(report.requests.inDoubt * 75);
  });

  it('two dry runs: the second exits 2 naming the first, which completes with its totals adding up', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ type: 'track', userId: `u${i % 300}`, event: 'Viewed', messageId: `m${i}`, timestamp: '2025-01-01T00:00:00Z' })).join('\n') + '\n';
    const state = join(tempDir(), 'state');
    const args = ['replay', '-', '--dry-run', '--diff', 'none', '--state', state, '--checkpoint-every', '0.05'];
    // The first reads stdin, which stays open: it holds the directory, mid-run, for as long as the test needs.
    const first = startCli(args, { input: lines, holdStdin: true });
    await until(() => existsSync(join(state, 'checkpoint.json')) && existsSync(join(state, 'dedup')));
    const second = await runCli(args, { input: lines });
    first.child.stdin!.end();
    const done = await first.done;
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`in use by another run: pid ${first.child.pid}`);
    expect(second.stderr).not.toMatch(/Internal error|ENOENT/);
    expect(done.code).toBe(0);
    const report = readReport(state);
    expect(report.complete).toBe(true);
    expect(report.records!.read).toBe(5000);
    expectIdentity(report);
  });

  it('a replay on the directory a delete holds exits 2 before reading anything; the delete goes on', async () => {
    const { url, record } = await emulate({ latencyMs: 30 });
    const dir = tempDir();
    const ids = join(dir, 'ids.txt');
    writeFileSync(ids, Array.from({ length: 2000 }, (_, i) => `user-${i}`).join('\n') + '\n');
    const state = join(dir, 'state');
    const deleting = startCli(['delete', ids, '--endpoint', url, '--state', state, '--yes', '--rate', '10', '--concurrency', '1', '--checkpoint-every', '0.1'], { env });
    await until(sending(state));
    const replay = await runCli(['replay', archive, '--endpoint', url, '--state', state, '--quiet'], { env });
    const deleted = await deleting.done;
    expect(replay.code).toBe(2);
    expect(replay.stderr).toContain(`in use by another run: pid ${deleting.child.pid}`);
    expect(replay.stderr).toMatch(/running `segment-braze delete /);
    expect(deleted.code).toBe(0);
    const recorded = recordedObjects(record);
    // Nothing of the replay reached Braze: only the 2,000 deletions.
    expect(recorded.length).toBe(2000);
    expect(recorded.every((r) => r.startsWith('external_ids '))).toBe(true);
    expectIdentity(readReport(state));
  });

  it('a lock held on another host is refused, naming it and --take-over-lock; with --take-over-lock the run takes it over', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.ndjson');
    writeFileSync(input, JSON.stringify({ type: 'identify', userId: 'u1', messageId: 'm1', timestamp: '2025-01-01T00:00:00Z', traits: { plan: 'pro' } }) + '\n');
    const state = join(dir, 'state');
    mkdirSync(state, { mode: 0o700 });
    const holder = { pid: 4242, host: 'build-7.example', command: 'segment-braze replay s3://bucket/logs/', since: '2025-06-01T03:00:00.000Z', nonce: 'aaaaaaaaaaaaaaaa' };
    writeFileSync(join(state, 'lock'), JSON.stringify(holder) + '\n');

    const refused = await runCli(['replay', input, '--dry-run', '--state', state]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('locked by a run on another host: pid 4242 on host build-7.example, running `segment-braze replay s3://bucket/logs/`, since 2025-06-01T03:00:00.000Z');
    expect(refused.stderr).toContain('--take-over-lock');
    expect(existsSync(join(state, 'checkpoint.json'))).toBe(false);

    const taken = await runCli(['replay', input, '--dry-run', '--state', state, '--take-over-lock']);
    expect(taken.code).toBe(0);
    expect(taken.stderr).toContain(`Took over the lock of ${state} from pid 4242 on host build-7.example`);
    expect(readReport(state).complete).toBe(true);
    expect(existsSync(join(state, 'lock'))).toBe(false);
  });

  it('is released on every way out: SIGINT (130), a second Ctrl-C (at once), the budget (4), a fatal 401 (1)', async () => {
    const { url } = await emulate({ latencyMs: 20 });
    const slow = (state: string) => ['replay', archive, '--attributes', 'all', '--endpoint', url, '--state', state, '--rate', '10', '--concurrency', '2', '--checkpoint-every', '0.1', '--quiet'];
    const lockOf = (state: string) => join(state, 'lock');

    const interrupted = join(tempDir(), 'state');
    const first = startCli(slow(interrupted), { env });
    await until(sending(interrupted));
    first.child.kill('SIGINT');
    expect((await first.done).code).toBe(130);
    expect(existsSync(lockOf(interrupted))).toBe(false);

    const twice = join(tempDir(), 'state');
    const second = startCli(slow(twice), { env });
    await until(sending(twice));
    let stderr = '';
    second.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    second.child.kill('SIGINT');
    // The second Ctrl-C once the run has heard the first: it exits at once, by process.exit().
    await until(() => stderr.includes('SIGINT received'));
    second.child.kill('SIGINT');
    expect((await second.done).code).toBe(130);
    expect(existsSync(lockOf(twice))).toBe(false);

    const budget = join(tempDir(), 'state');
    expect((await runCli([...slow(budget), '--rate', '500', '--max-data-points', '300'], { env })).code).toBe(4);
    expect(existsSync(lockOf(budget))).toBe(false);

    const fatal = join(tempDir(), 'state');
    expect((await runCli(slow(fatal), { env: { BRAZE_API_KEY: 'not-the-key' } })).code).toBe(1);
    expect(existsSync(join(fatal, 'checkpoint.json'))).toBe(true);
    expect(existsSync(lockOf(fatal))).toBe(false);
  });

  it('is released when a signal ends the process before the run handles signals (a delete counting its IDs for the confirmation)', async () => {
    const { url, record } = await emulate();
    const dir = tempDir();
    const ids = join(dir, 'ids.txt');
    writeFileSync(ids, Array.from({ length: 2_000_000 }, (_, i) => `user-${i}`).join('\n') + '\n');
    const state = join(dir, 'state');
    const deleting = startCli(['delete', ids, '--endpoint', url, '--state', state, '--yes', '--quiet'], { env });
    await until(() => existsSync(join(state, 'lock')));
    deleting.child.kill('SIGINT');
    const result = await deleting.done;
    // Ended by the signal itself: nothing was handling it yet (the run had not started).
    expect(result.signal).toBe('SIGINT');
    expect(existsSync(join(state, 'lock'))).toBe(false);
    expect(recordedObjects(record)).toEqual([]);
  });
});
