import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, tempDir } from '../support/cli.js';
import { expectIdentity, readReport } from '../support/files.js';

// @ts-expect-error plain JavaScript module without types
import { generateArchive } from '../../scripts/generate-archive.mjs';

const H = 3_600_000;
const T = Date.UTC(2025, 2, 1, 12);
const iso = (ms: number) => new Date(ms).toISOString();

/** A track message received at `at` (receivedAt; `timestampOnly` leaves receivedAt out). */
function track(id: string, at: number, timestampOnly = false): string {
  const m: Record<string, unknown> = { type: 'track', messageId: id, userId: `u-${id}`, event: 'Played', timestamp: iso(at) };
  if (!timestampOnly) m.receivedAt = iso(at);
  return JSON.stringify(m);
}

function write(root: string, path: string, lines: string[]): void {
  const file = join(root, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, lines.join('\n') + '\n');
}

/**
 * Two sources in Segment's layout, read source A's whole history, then source B's from its first day
 * (back in time). Copies of `dup` at several distances from its first copy (A, day 1, file 1).
 */
function archive(): string {
  const root = tempDir();
  const fill = (prefix: string, at: number) => Array.from({ length: 20 }, (_, i) => track(`${prefix}-${i}`, at + i * 60_000));
  write(root, 'segment-logs/A/1740787200000/0001.ndjson', [track('dup', T), ...fill('a1', T)]);
  // Another file of the same day: 1 h and 47 h later, and one without receivedAt (timestamp 30 h later).
  write(root, 'segment-logs/A/1740787200000/0002.ndjson', [track('dup', T + H), ...fill('a2', T + H), track('dup', T + 47 * H), track('dup', T + 30 * H, true)]);
  // The next day: exactly 48 h later (caught), then 48 h and 1 minute later (not: a new message).
  write(root, 'segment-logs/A/1740873600000/0001.ndjson', [track('dup', T + 48 * H), ...fill('a3', T + 24 * H), track('dup', T + 48 * H + 60_000)]);
  // Source B, back on A's first day: a copy 2 h after the first (caught across the source boundary),
  // and one 5 days later than the first, 3 days after the last one remembered (not caught).
  write(root, 'segment-logs/B/1740787200000/0001.ndjson', [...fill('b1', T), track('dup', T + 2 * H), track('dup', T + 5 * 24 * H)]);
  return root;
}

async function dryRun(input: string, ...extra: string[]) {
  const state = tempDir();
  const result = await runCli(['replay', input, '--dry-run', '--state', state, '--diff', 'none', '--json', ...extra]);
  expect(result.code).toBe(0);
  const report = readReport(state);
  expectIdentity(report);
  return { report, stdout: result.stdout, state };
}

describe('--dedup-window', () => {
  it('skips copies 1 h, 2 h, 30 h, 47 h and 48 h after the first, across files and sources, and not 48 h and 1 minute after', async () => {
    const input = archive();
    const { report, stdout } = await dryRun(input);
    // 1 h, 47 h, 30 h (timestamp only), 48 h, 2 h (source B): 5 skipped; 48 h 1 min and 5 days: sent.
    expect(report.records!.skipped.duplicate).toBe(5);
    expect(report.records!.read).toBe(21 + 23 + 22 + 22);
    expect((JSON.parse(stdout) as { dedupWindow: string }).dedupWindow).toBe('48h');
    // 72 h also catches the copy 48 h 1 min later; the 5-day one is 120 h after the only copy remembered.
    expect((await dryRun(input, '--dedup-window', '72h')).report.records!.skipped.duplicate).toBe(6);
    expect((await dryRun(input, '--dedup-window', 'all')).report.records!.skipped.duplicate).toBe(7);
    expect((await dryRun(input, '--dedup-window', 'off')).report.records!.skipped.duplicate).toBe(0);
  });

  it('refuses a window that is not a duration', async () => {
    const result = await runCli(['replay', archive(), '--dry-run', '--dedup-window', '48 hours']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--dedup-window must be a duration/);
  });
});

describe('--dedup-window over a sliding window', () => {
  let input: string;
  beforeAll(async () => {
    input = tempDir();
    // 20,000 messages over a year: a 6 h window slides hundreds of times.
    await generateArchive({ dir: input, messages: 20_000, files: 4, seed: 11, format: 'ndjson', gzip: true, layout: 's3' });
  });

  it('gives the same result with 1 and 4 planning workers', async () => {
    const one = await dryRun(input, '--dedup-window', '6h', '--workers', '1', '--keep-requests', 'all');
    const four = await dryRun(input, '--dedup-window', '6h', '--workers', '4', '--keep-requests', 'all');
    expect(four.report.records).toEqual(one.report.records);
    expect(readFileSync(join(four.state, 'requests.ndjson'), 'utf8')).toBe(readFileSync(join(one.state, 'requests.ndjson'), 'utf8'));
    // The window matters here: the whole run catches copies that 6 h does not.
    const all = await dryRun(input, '--dedup-window', 'all');
    expect(one.report.records!.skipped.duplicate).toBeGreaterThan(0);
    expect(one.report.records!.skipped.duplicate).toBeLessThan(all.report.records!.skipped.duplicate);
  });

  it('resumes exactly after SIGKILLs taken once the window has slid, and keeps few journal segments', async () => {
    // --attributes all: a resumed `changed` run re-sends what it no longer remembers, by design.
    const args = ['--dry-run', '--diff', 'none', '--dedup-window', '6h', '--keep-requests', 'all', '--attributes', 'all'];
    const whole = await dryRun(input, ...args.slice(1));
    const state = tempDir();
    const run = ['replay', input, '--state', state, ...args, '--checkpoint-every', '0.001'];
    let kills = 0;
    for (let attempt = 0; attempt < 3; attempt++) {
      const { child, done } = startCli(run);
      let exited = false;
      void done.then(() => (exited = true));
      // Killed on observed progress: a checkpoint 1,000 records past the last kill's, which is about
      // 18 days of this archive's message time: the 6 h window has slid since.
      const before = cursorOf(state);
      for (let waited = 0; !exited && !(cursorOf(state) > before + 1000); waited += 20) {
        if (waited > 60_000) throw new Error('no progress in 60 s');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      if (exited) break;
      child.kill('SIGKILL');
      expect((await done).signal).toBe('SIGKILL');
      kills++;
    }
    expect(kills).toBeGreaterThan(0);
    const resumed = await runCli(run);
    expect(resumed.code).toBe(0);
    const report = readReport(state);
    expect(report.complete).toBe(true);
    expect(report.records).toEqual(whole.report.records);
    expect(readFileSync(join(state, 'requests.ndjson'), 'utf8')).toBe(readFileSync(join(whole.state, 'requests.ndjson'), 'utf8'));
    expect(readdirSync(join(state, 'dedup')).length).toBeLessThan(5);
  });
});

/** Records before the saved checkpoint's cursor (files as 10^6 lines), or -1 before one is saved. */
function cursorOf(state: string): number {
  const file = join(state, 'checkpoint.json');
  if (!existsSync(file)) return -1;
  const c = JSON.parse(readFileSync(file, 'utf8')) as { cursor: { fileIndex: number; line: number }; memory: { window?: { seq: number } } };
  return c.cursor.fileIndex * 1_000_000 + c.cursor.line;
}

describe('--keep-requests', () => {
  it('writes the first n requests, counts every one, and keeps the same n across a resume', async () => {
    const input = tempDir();
    await generateArchive({ dir: input, messages: 6000, files: 3, seed: 3, format: 'ndjson', gzip: true, layout: 's3' });
    const all = await dryRun(input, '--keep-requests', 'all');
    const five = await dryRun(input, '--keep-requests', '5');
    const lines = (state: string) => readFileSync(join(state, 'requests.ndjson'), 'utf8').split('\n').filter((l) => l !== '');
    expect(lines(five.state)).toEqual(lines(all.state).slice(0, 5));
    expect(five.report.records).toEqual(all.report.records);
    expect(five.report.dataPoints).toBe(all.report.dataPoints);
    expect(five.report.requests).toEqual({ ...all.report.requests, kept: 5 });
    expect((all.report.requests as { kept?: number }).kept).toBe(all.report.requests.sent);
    const totals = await runCli(['replay', input, '--dry-run', '--state', tempDir(), '--diff', 'none', '--keep-requests', '5']);
    expect(totals.stdout).toContain(`requests.ndjson holds the first 5 of them (--keep-requests); ${all.report.requests.sent - 5} not written`);
    // Stopped after the first checkpoint past request 5, then resumed: still the first 5 only.
    const state = tempDir();
    const run = ['replay', input, '--dry-run', '--state', state, '--diff', 'none', '--keep-requests', '5', '--checkpoint-every', '0.001'];
    const { child, done } = startCli(run);
    let exited = false;
    void done.then(() => (exited = true));
    for (let waited = 0; !exited && cursorOf(state) < 1000; waited += 20) {
      if (waited > 60_000) throw new Error('no progress in 60 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill('SIGKILL');
    await done;
    expect((await runCli(run)).code).toBe(0);
    expect(lines(state)).toEqual(lines(all.state).slice(0, 5));
    expect(readReport(state).requests).toEqual(five.report.requests);
  });
});
