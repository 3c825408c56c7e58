import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.js';
import { expectIdentity, readReport } from '../support/files.js';

const TIME = '2025-01-01T00:00:00Z';
const CUT = Buffer.from([0xc3]); // the first byte of "é", cut short
const GENUINE = Buffer.from('\uFFFD'); // EF BF BD: a replacement character that is really in the data

function track(n: number, event: Buffer): Buffer {
  const head = Buffer.from(`{"type":"track","userId":"u${n}","messageId":"m${n}","timestamp":"${TIME}","event":"`);
  return Buffer.concat([head, event, Buffer.from('"}')]);
}

/** Five tracks: line 2 and 4 hold invalid UTF-8, line 3 a genuine U+FFFD. */
const ndjson = Buffer.concat(
  [track(1, Buffer.from('Signed Up')), track(2, Buffer.concat([Buffer.from('Caf'), CUT])), track(3, Buffer.concat([Buffer.from('real '), GENUINE])),
    track(4, Buffer.from([0x61, 0xff, 0x62])), track(5, Buffer.from('Café'))].map((l) => Buffer.concat([l, Buffer.from('\n')])),
);

const csv = Buffer.concat([
  Buffer.from(`type,userId,messageId,timestamp,event\ntrack,u1,m1,${TIME},Ok\ntrack,u2,m2,${TIME},Caf`),
  CUT,
  Buffer.from(`\ntrack,u3,m3,${TIME},Café\n`),
]);

const jsonArray = Buffer.concat([Buffer.from('['), track(1, Buffer.from('ok')), Buffer.from(','), track(2, Buffer.concat([Buffer.from('Caf'), CUT])), Buffer.from(']')]);

async function dryRun(file: string, input?: Buffer) {
  const state = tempDir();
  const result = await runCli(['replay', file, '--dry-run', '--state', state], input ? { input } : {});
  const report = readReport(state);
  expectIdentity(report);
  return { result, report, warnings: result.stderr.split('\n').filter((l) => l.includes('invalid UTF-8')) };
}

describe('records with invalid UTF-8', () => {
  it('are counted, warned about once and shown changed in the diff; a genuine U+FFFD is not counted (NDJSON, planning workers)', async () => {
    const dir = tempDir();
    const file = join(dir, 'events.ndjson');
    writeFileSync(file, ndjson);
    const { result, report, warnings } = await dryRun(file);
    expect(result.code).toBe(0);
    expect(report.records!.invalidUtf8).toBe(2);
    // Not a fate: they are sent (with U+FFFD) like the others.
    expect(report.records!.sent).toBe(5);
    expect(warnings).toEqual([expect.stringMatching(/^Warning: .*events\.ndjson:2 holds invalid UTF-8/)]);
    expect(result.stdout).toMatch(/^ +2 {2}\(text\) -> \(text\): invalid UTF-8 replaced by U\+FFFD {3}e\.g\. events\.ndjson:2, events\.ndjson:4$/m);
    expect(result.stdout).toContain('invalid UTF-8 in 2 records');
    const requests = readFileSync(join(report.state, 'requests.ndjson'), 'utf8');
    expect(requests).toContain('"name":"Caf\uFFFD"');
  });

  it('are marked in --diff full', async () => {
    const dir = tempDir();
    const file = join(dir, 'events.ndjson');
    writeFileSync(file, ndjson);
    const result = await runCli(['replay', file, '--dry-run', '--diff', 'full', '--state', tempDir()]);
    const marked = result.stdout.split(/\n(?=\S)/).filter((r) => r.includes('(text)  changed: invalid UTF-8 replaced by U+FFFD'));
    expect(marked.map((r) => r.split('  ')[0]!.replace(/.*:/, 'line '))).toEqual(['line 2', 'line 4']);
  });

  it('are counted from stdin too', async () => {
    const { report, warnings } = await dryRun('-', ndjson);
    expect(report.records!.invalidUtf8).toBe(2);
    expect(warnings).toHaveLength(1);
  });

  it.each([
    ['a CSV file', 'events.csv', csv, 1, 3, 3],
    ['a JSON array', 'events.json', jsonArray, 1, 2, 2],
  ])('are counted in %s', async (_what, name, bytes, invalid, read, at) => {
    const dir = tempDir();
    const file = join(dir, name);
    writeFileSync(file, bytes);
    const { result, report, warnings } = await dryRun(file);
    expect(result.code).toBe(0);
    expect(report.records!.read).toBe(read);
    expect(report.records!.invalidUtf8).toBe(invalid);
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`${name.replace('.', '\\.')}:${at} holds invalid UTF-8`))]);
  });

  it('are not reported where there are none', async () => {
    const { report, warnings, result } = await dryRun('samples/segment-logs');
    expect(report.records!.invalidUtf8).toBe(0);
    expect(warnings).toEqual([]);
    expect(result.stdout).not.toContain('invalid UTF-8');
  });
});
