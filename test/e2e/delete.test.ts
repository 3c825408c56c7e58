import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emulatorFor } from '../support/emulator.js';
import { runCli, startCli, tempDir } from '../support/cli.js';
import { expectIdentity, readNdjson, readReport, recordedObjects } from '../support/files.js';

const KEY = 'sb-delete-key-90ff31';
const emulate = emulatorFor(KEY);

/** 3,000 distinct IDs, 300 repeated, blank lines, comments and malformed lines. */
function idFile(): { file: string; valid: string[]; malformed: number } {
  const dir = tempDir();
  const lines: string[] = ['# deletion requests, ticket export'];
  const valid: string[] = [];
  let malformed = 0;
  for (let i = 0; i < 3000; i++) {
    const id = `user-${String(i).padStart(5, '0')}`;
    valid.push(id);
    lines.push(i % 7 === 0 ? `  ${id}  ` : id);
    if (i % 10 === 0) lines.push(id);
    if (i % 500 === 0) lines.push('');
    if (i % 750 === 0) {
      lines.push(`bad\u0007id-${i}`);
      malformed++;
    }
  }
  lines.push('x'.repeat(256));
  malformed++;
  const file = join(dir, 'ids.txt');
  writeFileSync(file, lines.join('\n') + '\n');
  return { file, valid, malformed };
}

describe('segment-braze delete', () => {
  it('deletes each valid ID exactly once in requests of at most 50', async () => {
    const { file, valid, malformed } = idFile();
    const dry = tempDir();
    const planned = await runCli(['delete', file, '--dry-run', '--state', dry]);
    expect(planned.code).toBe(3);
    const requests = readNdjson<{ path: string; body: { external_ids: string[] } }>(join(dry, 'requests.ndjson'));
    expect(requests.every((r) => r.path === '/users/delete' && r.body.external_ids.length <= 50)).toBe(true);
    expect(requests.length).toBe(Math.ceil(valid.length / 50));

    const { url, record } = await emulate();
    const state = tempDir();
    const result = await runCli(['delete', file, '--endpoint', url, '--state', state, '--yes', '--quiet'], { env: { BRAZE_API_KEY: KEY } });
    expect(result.code).toBe(3);
    const deleted = recordedObjects(record).map((r) => JSON.parse(r.slice('external_ids '.length)) as string);
    expect(deleted.sort()).toEqual([...valid].sort());
    const report = readReport(state);
    expect(report.ids).toEqual({ read: valid.length + 300 + malformed, deleted: valid.length, duplicate: 300, rejected: malformed });
    expectIdentity(report);
    const rejects = readNdjson<{ line: number; reason: string }>(join(state, 'rejected.ndjson'));
    expect(rejects).toHaveLength(malformed);
    expect(rejects.every((r) => r.line > 0 && r.reason.length > 0)).toBe(true);
  });

  it('refuses without --yes when there is no terminal, having deleted nothing', async () => {
    const { file } = idFile();
    const { url, emulator: e } = await emulate();
    const result = await runCli(['delete', file, '--endpoint', url, '--state', tempDir()], { env: { BRAZE_API_KEY: KEY } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--yes/);
    expect(e.stats().requests).toBe(0);
  });

  it('never sends an acknowledged ID twice across kills and resumes', async () => {
    const { file, valid } = idFile();
    const { url, record } = await emulate({ latencyMs: 10 });
    const state = tempDir();
    const args = ['delete', file, '--endpoint', url, '--state', state, '--yes', '--quiet', '--rate', '30', '--concurrency', '2'];
    let kills = 0;
    for (let run = 0; run < 30; run++) {
      const { child, done } = startCli(args, { env: { BRAZE_API_KEY: KEY } });
      const timer = kills < 4 ? setTimeout(() => child.kill('SIGKILL'), 600) : undefined;
      const result = await done;
      clearTimeout(timer);
      if (result.signal === 'SIGKILL') kills++;
      else break;
    }
    expect(kills).toBe(4);
    const report = readReport(state);
    expect(report.complete).toBe(true);
    const deleted = recordedObjects(record);
    expect(new Set(deleted).size).toBe(valid.length);
    expect(deleted.length - valid.length).toBeLessThanOrEqual(report.requests.inDoubt * 50);
    expectIdentity(report);
  });

  it('stops at once on a wrong key', async () => {
    const { file } = idFile();
    const { url, emulator: e } = await emulate();
    const result = await runCli(['delete', file, '--endpoint', url, '--state', tempDir(), '--yes', '--concurrency', '1'], {
      env: { BRAZE_API_KEY: 'not-the-key-5566' },
    });
    expect(result.code).toBe(1);
    // With --yes the summary is still shown first, counted as the run counts.
    expect(result.stderr).toContain('About to DELETE 3000 user(s) by external_id');
    expect(result.stderr).toContain('(300 duplicate(s) and 5 malformed line(s) will be skipped)');
    expect(result.stderr).not.toContain('not-the-key-5566');
    expect(e.stats().requests).toBe(1);
  });

  it('deletes the sample list from the README', async () => {
    const state = tempDir();
    const result = await runCli(['delete', 'samples/delete-ids.txt', '--dry-run', '--state', state]);
    expect([0, 3]).toContain(result.code);
    const report = readReport(state);
    expect(report.ids!.deleted).toBeGreaterThan(0);
    expect(report.ids!.duplicate).toBeGreaterThan(0);
    expectIdentity(report);
  });
});
