import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli, tempDir } from '../support/cli.js';
import { expectIdentity, readReport } from '../support/files.js';

const line = (i: number) => JSON.stringify({ type: 'track', userId: `u${i}`, event: 'Viewed', messageId: `m${i}`, timestamp: '2025-01-01T00:00:00Z', properties: { i } });

function archive(messages: number): { dir: string; input: string } {
  const dir = tempDir();
  const input = join(dir, 'many.ndjson');
  writeFileSync(input, Array.from({ length: messages }, (_, i) => line(i)).join('\n') + '\n');
  return { dir, input };
}

const MESSAGES = 200_000;

describe('stdout closed by its reader', () => {
  it('before the run ends: stops as SIGINT would, exits 141 (not a success), and the same command resumes to the end', async () => {
    // Enough records that the run is still reading when the hang-up reaches it (20,000 were planned
    // before it did, once the planning workers got faster).
    const { dir, input } = archive(MESSAGES);
    const state = join(dir, 'state');
    const args = ['replay', input, '--dry-run', '--diff', 'full', '--state', state];
    const { child, done } = startCli(args);
    // Read the first bytes of the diff (far more than a pipe holds follows), then hang up.
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    child.stdout!.destroy();
    const closed = await done;
    expect(closed.code).toBe(141);
    expect(closed.signal).toBeNull();
    expect(closed.stderr).toMatch(/stdout was closed before the run ended/);
    expect(closed.stderr).not.toMatch(/EPIPE|Internal error/);
    expect(existsSync(join(state, 'lock'))).toBe(false);
    const stopped = readReport(state);
    expect(stopped.complete).toBe(false);
    expect(stopped.records.read).toBeLessThan(MESSAGES);

    const resumed = await runCli([...args.slice(0, 3), '--diff', 'none', '--state', state]);
    expect(resumed.code).toBe(0);
    const report = readReport(state);
    expect(report.complete).toBe(true);
    expect(report.records.read).toBe(MESSAGES);
    expect(report.records.sent).toBe(MESSAGES);
    expectIdentity(report);
  });

  it('after the run ended (only the totals were left to print): the exit code is the run’s', async () => {
    const { dir, input } = archive(50);
    const { child, done } = startCli(['replay', input, '--dry-run', '--diff', 'none', '--state', join(dir, 'state')]);
    child.stdout!.destroy();
    const result = await done;
    expect(result.code).toBe(0);
    expect(result.signal).toBeNull();
    expect(result.stderr).not.toMatch(/EPIPE|Error/);
    expect(readReport(join(dir, 'state')).complete).toBe(true);
  });
});
