import { createReadStream, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.js';
import { expectIdentity, plannedObjects, readNdjson, readReport, sorted } from '../support/files.js';

// @ts-expect-error plain JavaScript module without types
import { generateArchive } from '../../scripts/generate-archive.mjs';

interface Generated {
  files: string[];
  messages: number;
  counts: Record<string, number>;
}

function requestBodies(state: string): Array<Record<string, unknown[]>> {
  return readNdjson<{ method: string; path: string; body: Record<string, unknown[]> }>(join(state, 'requests.ndjson')).map((r) => {
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/users/track');
    return r.body;
  });
}

function objectsIn(body: Record<string, unknown[]>): number {
  return Object.values(body).reduce((n, a) => n + a.length, 0);
}

describe('replay --dry-run on samples/', () => {
  it('plans the sample archive, accounts for every record and exits 3 for its malformed line', async () => {
    const state = tempDir();
    const result = await runCli(['replay', 'samples/segment-logs', '--dry-run', '--state', state]);
    expect(result.stderr).toContain('dummy-object.txt');
    expect(result.code).toBe(3);
    const report = readReport(state);
    expect(report.complete).toBe(true);
    expect(report.dryRun).toBe(true);
    expectIdentity(report);
    expect(report.records!.skipped.anonymous).toBeGreaterThan(0);
    expect(report.records!.skipped.duplicate).toBeGreaterThan(0);
    expect(report.records!.skipped.brazeOrigin).toBeGreaterThan(0);
    const bodies = requestBodies(state);
    expect(bodies.length).toBe(report.requests.sent);
    for (const body of bodies) expect(objectsIn(body)).toBeLessThanOrEqual(75);
    const o = report.objects!;
    expect(bodies.reduce((n, b) => n + objectsIn(b), 0)).toBe(o.attributes + o.events + o.purchases);
    const rejects = readNdjson<{ file: string; line: number; reason: string }>(join(state, 'rejected.ndjson'));
    expect(rejects.length).toBeGreaterThanOrEqual(report.records!.rejected);
    const malformed = rejects.find((r) => r.reason.startsWith('invalid JSON'));
    expect(malformed?.file).toMatch(/segment-logs\/Xk3v9Q2pLm\/.+\.gz$/);
    expect(malformed?.line).toBeGreaterThan(0);
    expect(result.stdout).toContain('Fields mapped');
    expect(result.stdout).toMatch(/records +read \d+ = would be sent \d+/);
  });

  it('reads the warehouse CSV exports', async () => {
    const state = tempDir();
    const result = await runCli(['replay', 'samples/warehouse', '--dry-run', '--state', state, '--json']);
    const report = JSON.parse(result.stdout) as ReturnType<typeof readReport>;
    expectIdentity(report);
    expect(report.records!.read).toBeGreaterThan(0);
    expect(report.records!.skipped.anonymous).toBeGreaterThan(0);
    expect(report.objects!.purchases).toBeGreaterThan(0);
    expect(report.objects!.attributes).toBeGreaterThan(0);
  });

  it('reads a JSON array file', async () => {
    const state = tempDir();
    await runCli(['replay', 'samples/messages.json', '--dry-run', '--state', state, '--diff', 'none']);
    const report = readReport(state);
    expectIdentity(report);
    expect(report.records!.read).toBeGreaterThan(0);
  });
});

describe('the diff of decisions made after planning', () => {
  const TS = '2025-03-02T10:15:00Z';
  const identify = (id: string, traits: Record<string, unknown>) => JSON.stringify({ type: 'identify', userId: 'u1', messageId: id, timestamp: TS, traits });
  const track = (id: string, extra: Record<string, unknown>) => JSON.stringify({ type: 'track', messageId: id, timestamp: TS, event: 'Signed Up', ...extra });
  /** Line 2 changes one attribute of line 1, line 3 none; line 4 is line 2 again and line 7 line 5 (duplicates). */
  const archive = [
    identify('m1', { email: 'a@x.com', plan: 'free' }),
    identify('m2', { email: 'a@x.com', plan: 'pro' }),
    identify('m3', { plan: 'pro', email: 'a@x.com' }),
    identify('m2', { email: 'a@x.com', plan: 'pro' }),
    track('t1', { userId: 'u2' }),
    track('a1', { anonymousId: 'x' }),
    track('t1', { userId: 'u2' }),
  ];
  const attributes = (line: number, plan: string) => [
    `archive.ndjson:${line}  identify user "u1" -> sent`,
    '    userId -> attributes.external_id',
    '    traits.email -> attributes.email',
    '    traits.plan -> attributes.plan',
    `    => attributes: {"external_id":"u1","email":"a@x.com","plan":"${plan}"}`,
  ];

  it('--diff full prints each record in input order: its own text, then what --attributes changed left out; a duplicate in one line', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'archive.ndjson'), archive.join('\n') + '\n');
    const result = await runCli(['replay', 'archive.ndjson', '--dry-run', '--diff', 'full', '--state', tempDir()], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.slice(0, result.stdout.indexOf('replay --dry-run: complete'))).toBe(
      [
        ...attributes(1, 'free'),
        ...attributes(2, 'pro'),
        '    left out, the value last sent to the user (--attributes changed): attributes.email',
        '    => attributes as sent: {"external_id":"u1","plan":"pro"}',
        ...attributes(3, 'pro'),
        '    left out, the value last sent to the user (--attributes changed): attributes.email, attributes.plan',
        '    => attributes: not sent (nothing changed)',
        '    -> skipped (unchanged): nothing left to send',
        'archive.ndjson:4  skipped (duplicate): messageId seen earlier in the run',
        'archive.ndjson:5  track "Signed Up" user "u2" -> sent',
        '    userId -> events[0].external_id',
        '    timestamp -> events[0].time',
        '    event -> events[0].name',
        '    => events: {"external_id":"u2","name":"Signed Up","time":"2025-03-02T10:15:00.000Z"}',
        'archive.ndjson:6  track "Signed Up" -> skipped (anonymous): no userId',
        'archive.ndjson:7  skipped (duplicate): messageId seen earlier in the run',
        '',
      ].join('\n'),
    );
  });

  it('--diff summary counts the same decisions: a kept record\'s fields, a duplicate and a record left with nothing only by their fate', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'archive.ndjson'), archive.join('\n') + '\n');
    const result = await runCli(['replay', 'archive.ndjson', '--dry-run', '--state', tempDir()], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const fates = result.stdout.slice(result.stdout.indexOf('Records not sent as they are:'), result.stdout.indexOf('replay --dry-run: complete'));
    expect(fates.split('\n').map((l) => l.trim())).toEqual([
      'Records not sent as they are:',
      '2  skipped: duplicate: messageId seen earlier in the run   e.g. archive.ndjson:4, archive.ndjson:7',
      // Equal counts in the order first met: line 3 before line 6.
      '1  skipped: unchanged: every attribute has the value last sent to the user (--attributes changed)   e.g. archive.ndjson:3',
      '1  skipped: anonymous: no userId   e.g. archive.ndjson:6',
      '',
    ]);
    expect(result.stdout).toMatch(/^ +3 {2}traits\.email -> attributes\.email {3}e\.g\. archive\.ndjson:1, archive\.ndjson:2, archive\.ndjson:3$/m);
    expect(result.stdout).toMatch(/^ +1 {2}event -> events\[\]\.name {3}e\.g\. archive\.ndjson:5$/m);
  });
});

describe('replay --dry-run on generated archives', () => {
  let dir: string;
  let generated: Generated;
  beforeAll(async () => {
    dir = tempDir();
    generated = (await generateArchive({ dir, messages: 3000, files: 3, seed: 7, format: 'ndjson', gzip: true, layout: 's3' })) as Generated;
  });

  it('plans gzipped NDJSON in the S3 layout with the identity holding', async () => {
    const state = tempDir();
    const result = await runCli(['replay', dir, '--dry-run', '--state', state, '--diff', 'none']);
    expect(result.code).toBe(0);
    const report = readReport(state);
    expectIdentity(report);
    expect(report.records!.read).toBe(generated.messages);
    expect(report.records!.rejected).toBe(0);
    for (const body of requestBodies(state)) expect(objectsIn(body)).toBeLessThanOrEqual(75);
    // With --attributes all, all requests but the last are full: batching packs 75 objects across the
    // three arrays. With changed (the default) the objects left out keep their places (engine.ts: the
    // request numbering must not depend on what the run remembers), so there are as many requests.
    const all = tempDir();
    expect((await runCli(['replay', dir, '--dry-run', '--state', all, '--diff', 'none', '--attributes', 'all'])).code).toBe(0);
    const bodies = requestBodies(all);
    for (const body of bodies.slice(0, -1)) expect(objectsIn(body)).toBe(75);
    expect(requestBodies(state).length).toBe(bodies.length);
  });

  it('gives the same requests from stdin as from the files', async () => {
    const fromFiles = tempDir();
    await runCli(['replay', dir, '--dry-run', '--state', fromFiles, '--diff', 'none']);
    const files = listFiles(dir);
    const input = Buffer.concat(files.map((f) => readFileSync(f)));
    // Concatenated gzip members are one valid gzip stream.
    const fromStdin = tempDir();
    const result = await runCli(['replay', '-', '--dry-run', '--state', fromStdin, '--diff', 'none'], { input });
    expect(result.code).toBe(0);
    expect(plannedObjects(fromStdin)).toEqual(plannedObjects(fromFiles));
  });

  it('gives the same requests, counts and diff whatever the number of planning workers', async () => {
    // 3,000 lines are 12 batches: with four workers their results come back out of order.
    const runs = [];
    for (const workers of ['1', '4']) {
      const state = tempDir();
      const result = await runCli(['replay', dir, '--dry-run', '--state', state, '--workers', workers]);
      expect(result.code).toBe(0);
      runs.push({ result, state, report: readReport(state) });
    }
    const [one, four] = runs;
    expect(readFileSync(join(four!.state, 'requests.ndjson'), 'utf8')).toBe(readFileSync(join(one!.state, 'requests.ndjson'), 'utf8'));
    expect(four!.report.records).toEqual(one!.report.records);
    // The diff and totals, but for the state directory's name.
    expect(four!.result.stdout.replaceAll(four!.state, '<state>')).toBe(one!.result.stdout.replaceAll(one!.state, '<state>'));
    expectIdentity(four!.report);
  });

  it('gives the same diff whatever the number of planning workers past 5,000 lines, when a planner\'s table is full', async () => {
    // 9,000 property names, each met a few times: more lines than a planner remembers (5,000) and
    // than the diff tabulates (5,000); which are tabulated is decided in input order.
    const wide = join(tempDir(), 'wide.ndjson');
    const lines = Array.from({ length: 30_000 }, (_, i) =>
      JSON.stringify({ type: 'track', event: `E${i % 7}`, userId: `u${i % 5000}`, messageId: `m${i}`, timestamp: '2025-01-01T00:00:00.000Z', properties: { [`p_${i % 9000}`]: i, common: 1 } }),
    );
    writeFileSync(wide, `${lines.join('\n')}\n`);
    const runs = [];
    for (const workers of ['1', '3']) {
      const state = tempDir();
      const result = await runCli(['replay', wide, '--dry-run', '--state', state, '--workers', workers]);
      expect(result.code).toBe(0);
      runs.push({ stdout: result.stdout.replaceAll(state, '<state>'), page: JSON.parse(readFileSync(join(state, 'page-data.json'), 'utf8')) as { diff: { rows: unknown[]; overflow: number } } });
    }
    const [one, three] = runs;
    expect(three!.stdout).toContain('observations of rarer fields were not tabulated');
    expect(three!.stdout).toBe(one!.stdout);
    expect(three!.page.diff).toEqual(one!.page.diff);
    expect(one!.page.diff.rows).toHaveLength(5_000);
  });

  it("shows on the page the first records of the run with a sample text, once the planners stop writing them", async () => {
    // 300 small files: the planners stop writing sample texts (the first lines of each file) once the
    // page has all it shows. Those it shows are still the first of the run, by --diff full's fates.
    const small = tempDir();
    await generateArchive({ dir: small, messages: 1500, files: 300, seed: 11, format: 'ndjson', gzip: true, layout: 's3' });
    const state = tempDir();
    const result = await runCli(['replay', small, '--dry-run', '--state', state, '--diff', 'full']);
    expect(result.code).toBe(0);
    const firstLines = [...result.stdout.matchAll(/^\S*?([^/\s]+:[12])  .* -> (\w+)/gm)].map(([, where, fate]) => ({ where, sent: fate === 'sent' }));
    const expected = [...firstLines.filter((r) => r.sent).slice(0, 4), ...firstLines.filter((r) => !r.sent).slice(0, 3)].map((r) => r.where);
    const page = JSON.parse(readFileSync(join(state, 'page-data.json'), 'utf8')) as { samples: Array<{ where: string }> };
    expect(page.samples.map((s) => s.where)).toEqual(expected);
    expect(expected).toHaveLength(7);
  });

  it('honours --batch-size', async () => {
    const state = tempDir();
    await runCli(['replay', dir, '--dry-run', '--state', state, '--diff', 'none', '--batch-size', '50', '--attributes', 'all']);
    const bodies = requestBodies(state);
    for (const body of bodies.slice(0, -1)) expect(objectsIn(body)).toBe(50);
    expectIdentity(readReport(state));
  });

  it('plans JSON arrays and CSV the same way', async () => {
    for (const format of ['json', 'csv'] as const) {
      const out = tempDir();
      const gen = (await generateArchive({ dir: out, messages: 1500, files: 2, seed: 3, format, gzip: format === 'csv', layout: 'flat' })) as Generated;
      const state = tempDir();
      const result = await runCli(['replay', out, '--dry-run', '--state', state, '--diff', 'none']);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      const report = readReport(state);
      expectIdentity(report);
      expect(report.records!.read).toBe(gen.messages);
      expect(report.records!.sent).toBeGreaterThan(0);
    }
  });
});

describe('bad input and usage', () => {
  it('rejects malformed lines with file and line, goes on, and exits 3', async () => {
    const dir = tempDir();
    const file = join(dir, 'bad.ndjson');
    const good = JSON.stringify({ type: 'track', event: 'A', userId: 'u1', messageId: 'm1', timestamp: '2025-03-02T10:00:00Z' });
    const lines = [good, '{"type":"track",', '[1,2]', JSON.stringify({ userId: 'u2', messageId: 'm3' }), JSON.stringify({ type: 'track', userId: 'u3', messageId: 'm4' })];
    (await import('node:fs')).writeFileSync(file, lines.join('\n') + '\n');
    const state = tempDir();
    const result = await runCli(['replay', file, '--dry-run', '--state', state, '--diff', 'none']);
    expect(result.code).toBe(3);
    const rejects = readNdjson<{ file: string; line: number; reason: string }>(join(state, 'rejected.ndjson'));
    expect(rejects.map((r) => r.line)).toEqual([2, 3, 4, 5]);
    expect(rejects.every((r) => r.file.endsWith('bad.ndjson'))).toBe(true);
    expect(rejects[2]!.reason).toMatch(/type/);
    expect(rejects[3]!.reason).toMatch(/time|timestamp/);
    const report = readReport(state);
    expect(report.records).toMatchObject({ read: 5, sent: 1, rejected: 4 });
    expectIdentity(report);
  });

  it('names a truncated gzip file and keeps the records before the damage', async () => {
    const dir = tempDir();
    await generateArchive({ dir, messages: 400, files: 1, seed: 2, format: 'ndjson', gzip: true, layout: 'flat' });
    const [file] = listFiles(dir);
    const bytes = readFileSync(file!);
    (await import('node:fs')).writeFileSync(file!, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const state = tempDir();
    const result = await runCli(['replay', dir, '--dry-run', '--state', state, '--diff', 'none']);
    expect(result.code).toBe(3);
    const rejects = readNdjson<{ file: string; reason: string }>(join(state, 'rejected.ndjson'));
    expect(rejects.some((r) => /gzip/i.test(r.reason) && r.file.endsWith('.gz'))).toBe(true);
    const report = readReport(state);
    expectIdentity(report);
    expect(report.records!.read).toBeGreaterThan(50);
  });

  it.each([
    [['replay', 'samples/segment-logs', '--dry-run', '--bogus'], /unknown option/],
    [['replay', 'samples/segment-logs', '--dry-run', '--batch-size', '76'], /--batch-size must be a whole number from 1 to 75/],
    [['replay', 'samples/segment-logs', '--dry-run', '--preset', 'nope'], /preset/],
    [['replay', 'does-not-exist', '--dry-run'], /Input not found: does-not-exist/],
    [['replay', '--dry-run'], /missing required argument/],
    [['replay', 'samples/segment-logs'], /No Braze endpoint/],
    [['replay', 'samples/segment-logs', '--endpoint', 'https://https://rest.iad-01.braze.com'], /scheme|https:\/\/https/i],
  ])('exits 2 with a clear message for %j', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 when a directory holds no input file', async () => {
    const empty = tempDir();
    (await import('node:fs')).writeFileSync(join(empty, 'README.txt'), 'not an archive\n');
    const result = await runCli(['replay', empty, '--dry-run']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Skipping');
    expect(result.stderr).toContain(`No input files found in ${empty}`);
  });

  it('prints help with examples and the version', async () => {
    const help = await runCli(['replay', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Examples:');
    const version = await runCli(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out;
}

void createReadStream;
void sorted;
