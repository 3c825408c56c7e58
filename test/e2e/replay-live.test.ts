import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { emulatorFor } from '../support/emulator.js';
import { runCli, tempDir } from '../support/cli.js';
import { expectIdentity, plannedObjects, readNdjson, readReport, recordedObjects, sorted } from '../support/files.js';

// @ts-expect-error plain JavaScript module without types
import { generateArchive } from '../../scripts/generate-archive.mjs';

const KEY = 'sb-test-key-4f9c2a7d1e';
const emulate = emulatorFor(KEY);

function live(input: string, url: string, state: string, extra: string[] = []) {
  return runCli(['replay', input, '--endpoint', url, '--state', state, '--quiet', ...extra], { env: { BRAZE_API_KEY: KEY } });
}

/** Every file the run wrote, and what it printed: none may contain the key. */
function expectNoKey(state: string, ...texts: string[]): void {
  for (const text of texts) expect(text).not.toContain(KEY);
  for (const name of readdirSync(state)) {
    const path = join(state, name);
    if (statSync(path).isFile()) expect(readFileSync(path, 'latin1')).not.toContain(KEY);
  }
}

describe('replay against the emulator', () => {
  let archive: string;
  let planned: string[];
  let dryReport: ReturnType<typeof readReport>;
  beforeAll(async () => {
    archive = tempDir();
    await generateArchive({ dir: archive, messages: 4000, files: 3, seed: 11, format: 'ndjson', gzip: true, layout: 's3' });
    const dry = tempDir();
    const result = await runCli(['replay', archive, '--dry-run', '--state', dry, '--diff', 'none']);
    expect(result.code).toBe(0);
    planned = sorted(plannedObjects(dry));
    dryReport = readReport(dry);
    expect(planned.length).toBeGreaterThan(2000);
  });

  it('delivers every planned object exactly once with no faults', async () => {
    const { url, record, emulator: e } = await emulate();
    const state = tempDir();
    const result = await live(archive, url, state);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(sorted(recordedObjects(record))).toEqual(planned);
    const report = readReport(state);
    expectIdentity(report);
    expect(report.records).toEqual(dryReport.records);
    expect(report.objects).toEqual(dryReport.objects);
    expect(report.requests.sent).toBe(dryReport.requests.sent);
    expect(e.stats().byStatus['201']).toBe(dryReport.requests.sent);
    expectNoKey(state, result.stdout, result.stderr);
  });

  it('delivers every object exactly once through 10% 5xx answers and connection resets', async () => {
    const { url, record } = await emulate({ failRate: 0.1, resetRate: 0.05 });
    const state = tempDir();
    const result = await live(archive, url, state, ['--max-retries', '30']);
    expect(result.code).toBe(0);
    expect(sorted(recordedObjects(record))).toEqual(planned);
    const report = readReport(state);
    expectIdentity(report);
    expect(report.requests.retried).toBeGreaterThan(0);
  });

  it('slows down to a rate limit far below --rate, honouring 429s', async () => {
    const { url, record, emulator: e } = await emulate({ rateLimit: 10, rateWindowSeconds: 1 });
    const state = tempDir();
    const result = await live(archive, url, state, ['--rate', '1000', '--max-retries', '50']);
    expect(result.code).toBe(0);
    expect(e.stats().byStatus['429']).toBeGreaterThan(0);
    expect(sorted(recordedObjects(record))).toEqual(planned);
    expect(readReport(state).requests.retried).toBeGreaterThan(0);
  });
});

describe('Braze refusals', () => {
  function archiveWith(userIds: string[]): string {
    const dir = tempDir();
    const lines = userIds.map((userId, i) =>
      JSON.stringify({ type: 'track', event: 'Song Played', userId, messageId: `m-${i}`, timestamp: '2025-03-02T10:00:00.000Z', properties: { n: i } }),
    );
    writeFileSync(join(dir, 'a.ndjson'), lines.join('\n') + '\n');
    return join(dir, 'a.ndjson');
  }

  it('writes objects Braze refuses in a 201 to rejected.ndjson with file and line, and exits 3', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => (i === 41 ? 'undefined' : `user-${i}`));
    const file = archiveWith(ids);
    const { url, record } = await emulate();
    const state = tempDir();
    const result = await live(file, url, state);
    expect(result.code).toBe(3);
    expect(recordedObjects(record)).toHaveLength(99);
    const rejects = readNdjson<{ file: string; line: number; reason: string; object: { external_id: string } }>(join(state, 'rejected.ndjson'));
    expect(rejects).toHaveLength(1);
    expect(rejects[0]!.line).toBe(42);
    expect(rejects[0]!.file).toMatch(/a\.ndjson$/);
    expect(rejects[0]!.reason).toMatch(/blacklisted/);
    expect(rejects[0]!.object.external_id).toBe('undefined');
    const report = readReport(state);
    expect(report.records).toMatchObject({ read: 100, sent: 99, rejected: 1 });
    expectIdentity(report);
  });

  it('bisects a request refused as a whole so that one bad object does not sink the others', async () => {
    const ids = Array.from({ length: 75 }, (_, i) => `user-${i}`);
    const file = archiveWith(ids);
    const { url, record, emulator: e } = await emulate({ poison: ['user-30'] });
    const state = tempDir();
    const result = await live(file, url, state);
    expect(result.code).toBe(3);
    expect(recordedObjects(record)).toHaveLength(74);
    const rejects = readNdjson<{ line: number }>(join(state, 'rejected.ndjson'));
    expect(rejects.map((r) => r.line)).toEqual([31]);
    expect(e.stats().byStatus['400']).toBeGreaterThan(1);
    expectIdentity(readReport(state));
  });

  it('stops at once on a wrong key, sends nothing more, and exits 1', async () => {
    const { url, record, emulator: e } = await emulate();
    const file = archiveWith(Array.from({ length: 400 }, (_, i) => `user-${i}`));
    const state = tempDir();
    const result = await runCli(['replay', file, '--endpoint', url, '--state', state, '--concurrency', '1', '--batch-size', '10'], {
      env: { BRAZE_API_KEY: 'wrong-key-123456' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/401/);
    expect(result.stderr).not.toContain('wrong-key-123456');
    expect(e.stats().requests).toBe(1);
    expect(recordedObjects(record)).toHaveLength(0);
    expect(JSON.parse(readFileSync(join(state, 'checkpoint.json'), 'utf8')).complete).toBe(false);
  });
});
