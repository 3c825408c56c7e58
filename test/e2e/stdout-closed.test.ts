import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCli, tempDir } from '../support/cli.js';

describe('stdout closed by its reader', () => {
  it('stops quietly with exit 0, as `| head` expects (the run thread writes through the main one)', async () => {
    const dir = tempDir();
    const input = join(dir, 'many.ndjson');
    const line = (i: number) => JSON.stringify({ type: 'track', userId: `u${i}`, event: 'Viewed', messageId: `m${i}`, timestamp: '2025-01-01T00:00:00Z', properties: { i } });
    writeFileSync(input, Array.from({ length: 3000 }, (_, i) => line(i)).join('\n') + '\n');
    const { child, done } = startCli(['replay', input, '--dry-run', '--diff', 'full', '--state', join(dir, 'state')]);
    // Read the first bytes of the diff (far more than a pipe holds follows), then hang up.
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    child.stdout!.destroy();
    const result = await done;
    expect(result.code).toBe(0);
    expect(result.signal).toBeNull();
    expect(result.stderr).not.toMatch(/EPIPE|Error/);
  });
});
