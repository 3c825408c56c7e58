import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli, tempDir } from '../support/cli.js';
import { expectIdentity, readNdjson, readReport } from '../support/files.js';

const LINKS = 3_000_000;
const ANONYMOUS = 200;

/**
 * An archive whose identity index holds LINKS links (alias calls: previousId a<i> -> userId u<i>,
 * not themselves mapped), then ANONYMOUS anonymous-only tracks of linked ids spread over them.
 */
function archive(): string {
  const file = join(tempDir(), 'links.ndjson');
  const fd = openSync(file, 'w');
  for (let from = 0; from < LINKS; from += 100_000) {
    const lines: string[] = [];
    for (let i = from; i < from + 100_000; i++) lines.push(`{"type":"alias","previousId":"a${i}","userId":"u${i}","messageId":"l${i}"}`);
    writeSync(fd, lines.join('\n') + '\n');
  }
  const step = LINKS / ANONYMOUS;
  const tracks = Array.from({ length: ANONYMOUS }, (_, k) => JSON.stringify({ type: 'track', anonymousId: `a${k * step}`, event: 'Viewed', messageId: `t${k}`, timestamp: '2025-01-01T00:00:00Z' }));
  writeSync(fd, tracks.join('\n') + '\n');
  closeSync(fd);
  return file;
}

describe('--stitch: SIGINT during the identity index merge', () => {
  // Most of the time is the index pass over 3M lines, twice (~30 s each on 2 loaded cores).
  it('is answered before the merge ends (exit 130, the index not sealed), and the same command resumes to a correct end', async () => {
    const input = archive();
    const state = join(tempDir(), 'state');
    const args = ['replay', input, '--stitch', '--dry-run', '--diff', 'none', '--state', state];
    const { child, done } = startCli(args);
    let stderr = '';
    await new Promise<void>((resolve) =>
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('Merging the identity index')) resolve();
      }),
    );
    child.kill('SIGINT');
    const stopped = await done;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain('Interrupted during the identity index pass');
    // Answered in the merge, not after it: the index was never built, its manifest is not sealed.
    expect(stopped.stderr).not.toMatch(/Identity index \(--stitch\) built/);
    expect((JSON.parse(readFileSync(join(state, 'identity', 'manifest.json'), 'utf8')) as { sealed: boolean }).sealed).toBe(false);

    const resumed = await runCli(args);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/Identity index \(--stitch\) built/);
    const report = readReport(state) as ReturnType<typeof readReport> & { records: { stitched: number } };
    expect(report.complete).toBe(true);
    expect(report.records.read).toBe(LINKS + ANONYMOUS);
    expect(report.records.stitched).toBe(ANONYMOUS);
    expectIdentity(report);
    // Each anonymous track went out as the one user its anonymousId is linked to.
    const sent = readNdjson<{ body: { events?: Array<{ external_id: string; name: string }> } }>(join(state, 'requests.ndjson')).flatMap((r) => r.body.events ?? []);
    expect(sent.map((e) => e.external_id).sort()).toEqual(Array.from({ length: ANONYMOUS }, (_, k) => `u${k * (LINKS / ANONYMOUS)}`).sort());
  }, 240_000);
});
